/**
 * The built app server as a child process, the one way every suite and
 * script starts it. `startAppServer`: on a database of its own with the demo
 * data, for Playwright's servers (e2e-server.ts) and the Vitest suites that
 * talk HTTP to it (tests/http). With DATABASE_URL set the database is a new
 * one on that server; without it, a PGlite folder under .tmp/, which only the
 * server process may open while it runs (PGlite is one connection), so
 * `withDb` stops the server around a look at it. `startServer`: on a database
 * it is given, as production runs it, for the bench, the load test and the
 * fault test (scripts/bench.ts, scripts/load.ts, tests/domain/faults.test.ts).
 */
import { execSync, spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { existsSync, openSync, readFileSync, rmSync } from "node:fs";
import { once } from "node:events";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Kysely } from "kysely";
import pg from "pg";
import { DATABASE_OPTIONS, migrateToLatest, openDatabase, type DatabaseHandle } from "../../db/connect.ts";
import type { Database } from "../../db/schema.ts";
import { seedDemo } from "../../db/seed/demo.ts";
import { BUILD, SERVE_ARGS } from "../../scripts/serve/command.ts";

export function requireBuild(): void {
  if (!existsSync(BUILD)) {
    throw new Error("No build: run `npx react-router build` first (npm test does).");
  }
}

/** For the scripts (npm run bench, npm run load): build first if there is no build. */
export function buildIfMissing(): void {
  if (existsSync(BUILD)) return;
  console.log("No build found: building Switchboard…");
  execSync("npx react-router build", { stdio: "inherit" });
}

/** A port nothing listens on right now: the kernel picks one, and we let it go. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** The environment of a test server: production build, test clock, the job queue but no purge job. */
export function appServerEnv(dataDir: string, port: number, databaseUrl?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    PORT: String(port),
    SWITCHBOARD_TEST_CLOCK: "1",
    // The demo's user deleted 80 hours ago must stay un-anonymized for the clock
    // rule to be seen; the purge job itself is tested in tests/domain/lifecycle.test.ts.
    // The job queue runs (a large import's review).
    SWITCHBOARD_JOBS: "queue",
    // The suites send SCIM requests faster than a token's budget allows; the budget itself is
    // tested on a server of its own (tests/http/scim-rate-limit.test.ts sets SCIM_RATE_LIMIT).
    SCIM_RATE_LIMIT: process.env.SCIM_RATE_LIMIT ?? "100000",
    // A bulk action on more than 5 users a search matches is a job, so the demo's few users reach it
    // (app/users/bulk-job.server.ts; the 1,000 of production is tested in tests/domain/bulk-job.test.ts).
    SWITCHBOARD_BULK_IN_REQUEST: process.env.SWITCHBOARD_BULK_IN_REQUEST ?? "5",
    // One process: the suites run several servers at once on two CPUs. Several processes are tested
    // in tests/http/processes.test.ts and under the load test (scripts/load.ts), which runs as production does.
    WEB_CONCURRENCY: "1",
    // DATA_DIR holds the embedded database (without DATABASE_URL) and the mail outbox (always).
    DATA_DIR: dataDir,
  };
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  return env;
}

export function spawnAppServer(
  env: NodeJS.ProcessEnv,
  stdio: StdioOptions = ["ignore", "inherit", "inherit"],
): ChildProcess {
  return spawn(process.execPath, SERVE_ARGS, { stdio, env });
}

// A first start on PGlite migrates and seeds the demo before it listens: on two busy cores that has
// taken over 30 s. Well inside Vitest's hook timeout (vitest.config.ts), which must not end it first.
const HEALTHY_WITHIN_MS = 90_000;

async function answers(url: string): Promise<boolean> {
  try {
    await (await fetch(url)).arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

/** Spawns the server and resolves once its /healthz answers 200; throws if it exits or never answers. */
async function spawnUntilHealthy(
  env: NodeJS.ProcessEnv,
  stdio: StdioOptions,
  origin: string,
  output = () => "",
): Promise<ChildProcess> {
  // Another run's server on this port would answer the health check below while ours fails to bind:
  // the tests would then talk to a stranger's database. Refuse instead (two runs at once: E2E_PORT_BASE).
  if (await answers(`${origin}/healthz`))
    throw new Error(`Something already answers at ${origin}: another test run? Give this one E2E_PORT_BASE.`);
  const child = spawnAppServer(env, stdio);
  const giveUp = Date.now() + HEALTHY_WITHIN_MS;
  while (child.exitCode === null && Date.now() < giveUp) {
    try {
      const res = await fetch(`${origin}/healthz`);
      await res.arrayBuffer();
      if (res.ok) return child;
    } catch {
      // not listening yet: ask again below
    }
    await new Promise((r) => setTimeout(r, 100)); // polling a port that is not open yet: nothing to await instead
  }
  // SIGKILL: a server still seeding does not stop on SIGTERM (the server heeds it only once listening),
  // and would start listening after the test gave up on it, answering the next run on this port.
  if (child.exitCode === null) child.kill("SIGKILL");
  throw new Error(
    `The app server at ${origin} did not answer /healthz (exit code ${child.exitCode}).${output()}`,
  );
}

export interface RunningServer {
  origin: string;
  process: ChildProcess;
  stop(): void;
}

/**
 * The built server as production runs it, on the database given (a URL, or
 * the embedded PGlite in `env.DATA_DIR` when there is none), on a free port,
 * in its own process (so a load generator does not share its event loop). It
 * logs every request: to a file, not a pipe, so neither process spends the run
 * copying it.
 */
export async function startServer(
  databaseUrl: string | undefined,
  env: NodeJS.ProcessEnv = {},
): Promise<RunningServer> {
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  const logFile = join(tmpdir(), `switchboard-server-${port}.log`);
  const log = openSync(logFile, "w");
  const { DATABASE_URL: _ignored, ...rest } = process.env;
  const child = await spawnUntilHealthy(
    {
      ...rest,
      ...env,
      PORT: String(port),
      NODE_ENV: "production",
      // On the embedded PGlite one process, whatever the shell says: its files are one process's.
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { WEB_CONCURRENCY: "1" }),
    },
    ["ignore", log, log],
    origin,
    () => ` Its output:\n${readFileSync(logFile, "utf8").slice(-4000)}`,
  );
  return {
    origin,
    process: child,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    },
  };
}

/** A database named after `name` beside DATABASE_URL's, dropped first if a run left it. */
export async function recreateServerDatabase(name: string): Promise<string> {
  const url = new URL(process.env.DATABASE_URL!);
  const dbName = `${url.pathname.slice(1)}_${name.replace(/\W/g, "_")}`;
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.query(`create database ${dbName} ${DATABASE_OPTIONS}`);
  } finally {
    await admin.end();
  }
  url.pathname = `/${dbName}`;
  return url.toString();
}

async function dropServerDatabase(databaseUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${new URL(databaseUrl).pathname.slice(1)} with (force)`);
  } finally {
    await admin.end();
  }
}

export interface AppServer<T = unknown> {
  /** What `prepare` returned. */
  prepared: T;
  origin: string;
  /** DATA_DIR of the server: its outbox is `${dataDir}/outbox`. */
  dataDir: string;
  /** Runs `fn` on the server's database (on PGlite with the server stopped meanwhile). */
  withDb<R>(fn: (db: Kysely<Database>) => Promise<R>): Promise<R>;
  stop(): Promise<void>;
}

/**
 * Seeds a fresh database with the demo data (as of now), runs `prepare` on it
 * (ids a test needs: read before the server holds a PGlite folder), and
 * starts the built server on it; resolves once /healthz answers.
 */
export async function startAppServer<T = unknown>(
  name: string,
  port: number,
  prepare?: (db: Kysely<Database>) => Promise<T>,
): Promise<AppServer<T>> {
  requireBuild();
  const dataDir = `.tmp/${name}`;
  rmSync(dataDir, { recursive: true, force: true });
  const databaseUrl = process.env.DATABASE_URL ? await recreateServerDatabase(name) : undefined;
  const open = () =>
    openDatabase(databaseUrl ? { url: databaseUrl, poolSize: 2 } : { dataDir: `${dataDir}/pglite` });

  const seeding = await open();
  await migrateToLatest(seeding.db);
  await seedDemo(seeding.db, new Date());
  const prepared = (await prepare?.(seeding.db)) as T;
  // On a server the test keeps its connection; PGlite's folder goes to the app.
  let kept: DatabaseHandle | undefined = databaseUrl ? seeding : (await seeding.close(), undefined);

  const env = appServerEnv(dataDir, port, databaseUrl);
  const origin = `http://localhost:${port}`;
  let child: ChildProcess | undefined;

  async function up() {
    child = await spawnUntilHealthy(env, ["ignore", "ignore", "inherit"], origin);
  }
  async function down() {
    if (!child || child.exitCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    await exited;
  }

  await up();
  return {
    prepared,
    origin,
    dataDir,
    async withDb(fn) {
      if (kept) return fn(kept.db);
      await down();
      const h = await open();
      try {
        return await fn(h.db);
      } finally {
        await h.close();
        await up();
      }
    },
    async stop() {
      await down();
      await kept?.close();
      kept = undefined;
      if (databaseUrl) await dropServerDatabase(databaseUrl);
    },
  };
}
