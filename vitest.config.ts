import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "~": new URL("./app", import.meta.url).pathname } },
  test: {
    include: ["tests/domain/**/*.test.ts", "tests/http/**/*.test.ts", "app/**/*.test.ts"],
    globalSetup: ["tests/support/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // In CI a failed test runs once more (Vitest prints the retry): the same reason as Playwright's retry
    // (playwright.config.ts). A test that fails twice fails the run.
    retry: process.env.CI ? 1 : 0,
    // Two files at a time (Vitest's default on two cores is one): the suites in tests/http spend their time
    // in a server process of their own, one core each, and each has its own port and database, so two of
    // them fill both cores. (A port that already answers is refused: tests/support/app-server.ts.)
    maxWorkers: 2,
    // A test that imports the built server (the matrix reads its routes) must not start its background
    // jobs in the test process; the servers the tests spawn say what they run (tests/support/app-server.ts).
    // The demo accounts' published password is hashed cheaply (see demoPasswordCost): the suites sign them in often.
    env: { SWITCHBOARD_JOBS: "off", SWITCHBOARD_DEMO_PASSWORD_COST: "test" },
  },
});
