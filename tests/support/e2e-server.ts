/**
 * Starts one app server for one Playwright project, on a database of its
 * own made fresh with the demo data: a PGlite folder under .tmp/, or, when
 * DATABASE_URL is set, a database beside it on the same server.
 */
import { spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import pg from "pg";
import { migrateToLatest, openDatabase } from "../../db/connect.ts";
import { seedDemo } from "../../db/seed/demo.ts";

const name = process.env.E2E_NAME ?? "e2e";
// DATA_DIR holds the embedded database (without DATABASE_URL) and the mail outbox (always).
const dataDir = `.tmp/${name}`;
rmSync(dataDir, { recursive: true, force: true });
const env: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: "production",
  SWITCHBOARD_TEST_CLOCK: "1",
  // The demo's user deleted 80 hours ago must stay un-anonymized for the clock
  // rule to be seen; the purge job itself is tested in tests/domain/lifecycle.test.ts.
  SWITCHBOARD_JOBS: "off",
  DATA_DIR: dataDir,
};

if (!existsSync("build/server/index.js")) {
  console.error("No build: run `npm run build` first (npm test does).");
  process.exit(1);
}

if (process.env.DATABASE_URL) {
  const url = new URL(process.env.DATABASE_URL);
  const dbName = `${url.pathname.slice(1)}_${name.replace(/\W/g, "_")}`;
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  await admin.query(`drop database if exists ${dbName} with (force)`);
  await admin.query(`create database ${dbName}`);
  await admin.end();
  url.pathname = `/${dbName}`;
  env.DATABASE_URL = url.toString();
  const h = await openDatabase({ url: env.DATABASE_URL });
  await migrateToLatest(h.db);
  await seedDemo(h.db, new Date());
  await h.close();
}
// Without DATABASE_URL the app seeds its new embedded database itself on first start.

const server = spawn(process.execPath, ["node_modules/@react-router/serve/bin.js", "build/server/index.js"], {
  stdio: "inherit",
  env,
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => server.kill(signal));
server.on("exit", (code) => process.exit(code ?? 0));
