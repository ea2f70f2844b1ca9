/**
 * Each test file gets its own database, a fresh copy of a migrated template:
 * on PGlite a reload of the data folder that globalSetup dumped once for the
 * whole run (writePgliteTemplate), on a PostgreSQL server (when
 * DATABASE_URL is set) CREATE DATABASE ... TEMPLATE. Tests never depend on
 * each other's order.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { inject } from "vitest";
import pg from "pg";
import type { LogConfig } from "kysely";
import { DATABASE_OPTIONS, migrateToLatest, openDatabase, type DatabaseHandle } from "../../db/connect.ts";

let pgliteTemplate: Promise<Blob> | undefined;

/** Named after the run's database, so runs against different databases never share it. */
const templateDb = () => `${new URL(process.env.DATABASE_URL!).pathname.slice(1)}_test_template`;

/** The URL of a database on DATABASE_URL's server (a test database's, by its `name`). */
export function serverUrl(dbName: string): string {
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `/${dbName}`;
  return url.toString();
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl("postgres") });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function serverTemplate(): Promise<void> {
  // Made once per test run (globalSetup drops it first); the advisory lock
  // keeps parallel workers from building it twice.
  await admin(async (c) => {
    await c.query("select pg_advisory_lock(715517)");
    try {
      const { rowCount } = await c.query("select 1 from pg_database where datname = $1", [templateDb()]);
      if (!rowCount) {
        await c.query(`create database ${templateDb()} ${DATABASE_OPTIONS}`);
        const h = await openDatabase({ url: serverUrl(templateDb()), poolSize: 1 });
        await migrateToLatest(h.db);
        await h.close();
      }
    } finally {
      await c.query("select pg_advisory_unlock(715517)");
    }
  });
}

export interface TestDatabase extends DatabaseHandle {
  name: string;
}

export async function freshDatabase(
  options: { log?: LogConfig; poolSize?: number } = {},
): Promise<TestDatabase> {
  if (process.env.DATABASE_URL) {
    await serverTemplate();
    const name = `switchboard_test_${randomBytes(6).toString("hex")}`;
    await admin((c) => c.query(`create database ${name} template ${templateDb()}`));
    const h = await openDatabase({ url: serverUrl(name), log: options.log, poolSize: options.poolSize });
    return {
      ...h,
      name,
      close: async () => {
        await h.close();
        await admin((c) => c.query(`drop database if exists ${name} with (force)`));
      },
    };
  }
  pgliteTemplate ??= readFile(inject("pgliteTemplate")).then((tarball) => new Blob([tarball]));
  const h = await openDatabase({ loadDataDir: await pgliteTemplate, log: options.log });
  return { ...h, name: "pglite" };
}

/**
 * How many SQL statements `act` runs, on a fresh database made ready by
 * `prepare` (whose own statements are not counted): the measure of a
 * set-based bulk action, which must not grow with the batch.
 */
export async function statementsOf<T>(
  prepare: (db: TestDatabase["db"]) => Promise<T>,
  act: (db: TestDatabase["db"], prepared: T) => Promise<void>,
): Promise<number> {
  let counting = false;
  let count = 0;
  const h = await freshDatabase({ log: () => void (counting && count++) });
  try {
    const prepared = await prepare(h.db);
    counting = true;
    await act(h.db, prepared);
    return count;
  } finally {
    await h.close();
  }
}

/** Vitest globalSetup, PGlite runs: migrates an empty PGlite and writes its data folder to a file, whose path it returns. */
export async function writePgliteTemplate(): Promise<string> {
  const h = await openDatabase({});
  try {
    await migrateToLatest(h.db);
    const file = `.tmp/vitest-pglite-template-${process.pid}.tar`;
    await mkdir(".tmp", { recursive: true });
    await writeFile(file, Buffer.from(await (await h.dump!()).arrayBuffer()));
    return file;
  } finally {
    await h.close();
  }
}

/** Vitest globalSetup: a run starts from a template of the current migrations. */
export async function dropServerTemplate(): Promise<void> {
  if (!process.env.DATABASE_URL) return;
  await admin((c) => c.query(`drop database if exists ${templateDb()} with (force)`));
}
