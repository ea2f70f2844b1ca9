/** `npm run db:migrate`: applies the migrations to DATABASE_URL, or to the embedded database in DATA_DIR. */
import { migrateToLatest, openDatabase, optionsFromEnv } from "../db/connect.ts";

const handle = await openDatabase(optionsFromEnv());
const applied = await migrateToLatest(handle.db);
console.log(applied.length ? `Applied: ${applied.join(", ")}` : "The database is up to date.");
await handle.close();
