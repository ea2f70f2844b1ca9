/**
 * The app's database: opened, migrated and (on a first start of an empty
 * embedded database) filled with demo data once per process, on first use.
 */
import type { Kysely } from "kysely";
import { data } from "react-router";
import {
  isConnectionError,
  migrateToLatest,
  openDatabase,
  optionsFromEnv,
  type DatabaseHandle,
} from "../db/connect.ts";
import type { Database } from "../db/schema.ts";
import { seedDemoIfEmpty } from "../db/seed/index.ts";

let handle: Promise<DatabaseHandle> | undefined;

const UNAVAILABLE =
  "Switchboard cannot reach its database right now. Nothing was changed. Try again in a moment.";

/**
 * Thrown in place of any error that says PostgreSQL is out of reach, from any
 * loader, action or middleware: the root error boundary shows it as the
 * "Temporarily unavailable" page, with status 503 (a data request of a
 * hydrated page gets the 503 too). Each action is one transaction, so a
 * connection lost halfway rolls the whole change back.
 */
export function unavailable(err: Error) {
  console.error("database unavailable:", err.message);
  return data({ message: UNAVAILABLE }, { status: 503 });
}

async function start(): Promise<DatabaseHandle> {
  const options = { ...optionsFromEnv(), unavailable };
  const h = await openDatabase(options);
  await migrateToLatest(h.db);
  if (h.kind === "pglite" && (await seedDemoIfEmpty(h.db, new Date()))) {
    console.log("Loaded the demo data into the new embedded database.");
  }
  return h;
}

export async function getDb(): Promise<Kysely<Database>> {
  handle ??= start().catch((err) => {
    handle = undefined; // a server that was down at start may be back on the next request
    throw isConnectionError(err) ? unavailable(err) : err;
  });
  return (await handle).db;
}

export type { Database };

/**
 * Closes the database once the server is stopping: the pool's idle connections and PGlite's own timers
 * would otherwise keep the process alive, and PGlite closed cleanly opens next time without recovery.
 */
export async function closeDb(): Promise<void> {
  const open = handle;
  handle = undefined;
  await (await open?.catch(() => undefined))?.close();
}
