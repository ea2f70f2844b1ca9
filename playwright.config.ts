import { defineConfig } from "@playwright/test";

/**
 * Every workflow runs twice: with JavaScript off and on. Each project gets
 * its own app server on its own freshly seeded database, so the two never
 * see each other's changes. Chromium is Debian's (/usr/bin/chromium):
 * Playwright's own browser download is not used.
 */
// E2E_PORT_BASE lets two checkouts run their suites side by side.
const base = Number(process.env.E2E_PORT_BASE ?? 3100);
const projects = [
  { name: "js-off", port: base + 1, javaScriptEnabled: false },
  { name: "js-on", port: base + 2, javaScriptEnabled: true },
];

export default defineConfig({
  testDir: "tests/e2e",
  fullyParallel: false,
  // Two spec files at a time, as before, but one per project: Playwright queues one project's files before
  // the other's, so without a per-project limit both ran on one app server while the other stood idle. More
  // workers time out on two cores once axe runs in several pages at once.
  workers: 2,
  forbidOnly: !!process.env.CI,
  // One retry in CI, where two cores run two browsers, two servers and their databases: a test that
  // passes only on its retry is still printed as "flaky" (fix it), but a timing accident does not throw
  // away a whole run. A test that fails twice fails the run. Locally a failure is a failure.
  retries: process.env.CI ? 1 : 0,
  reporter: process.env.CI ? [["list"]] : [["list"]],
  // Generous: the suite shares two cores with two app servers and their databases.
  timeout: 60_000,
  expect: { timeout: 15_000 },
  use: {
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        // Debian's launcher turns GPU rasterization on (/etc/chromium.d/default-flags); with no GPU that is
        // SwiftShader rastering on the CPU the tests need: measured here, a seventh of a spec's time.
        "--disable-gpu-rasterization",
      ],
    },
    // Recording a trace of every test cost a fifth of the suite's time (the snapshots and screencast of each
    // step, taken whether or not the test fails). In CI the first attempt records none, and a failure's retry
    // records one (kept whether it passes or fails); the first failure keeps its screenshot and the page's
    // accessibility snapshot (error-context.md). Locally, where a failure is not retried, each test records.
    trace: process.env.CI ? "on-first-retry" : "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: projects.map((p) => ({
    name: p.name,
    workers: 1,
    use: { baseURL: `http://localhost:${p.port}`, javaScriptEnabled: p.javaScriptEnabled },
  })),
  webServer: projects.map((p) => ({
    command: `npx tsx tests/support/e2e-server.ts`,
    url: `http://localhost:${p.port}/healthz`,
    // The demo accounts' published password is hashed cheaply (see demoPasswordCost): every test signs in.
    env: { PORT: String(p.port), E2E_NAME: `${p.name}_${p.port}`, SWITCHBOARD_DEMO_PASSWORD_COST: "test" },
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "ignore",
    stderr: "pipe",
  })),
});
