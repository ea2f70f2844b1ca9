/**
 * The app's database: opened, migrated and (on a first start of an empty
 * embedded database) filled with demo data once per process, on first use.
 */
import type { Kysely } from "kysely";
import { migrateToLatest, openDatabase, optionsFromEnv, type DatabaseHandle } from "../db/connect.ts";
import type { Database } from "../db/schema.ts";
import { seedDemoIfEmpty } from "../db/seed/index.ts";

let handle: Promise<DatabaseHandle> | undefined;

async function start(): Promise<DatabaseHandle> {
  const options = optionsFromEnv();
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
    throw err;
  });
  return (await handle).db;
}

export type { Database };
