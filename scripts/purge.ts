/**
 * `npm run purge`: anonymizes every user deleted 72 hours ago or more, now. Safe beside running servers.
 * `npm run purge -- --full` then rewrites the tables anonymization touches (VACUUM FULL), so that the
 * database's files keep no old row version of anyone anonymized; it locks those tables while it runs.
 */
import { openDatabase, optionsFromEnv } from "../db/connect.ts";
import { purgeExpired, vacuumErased } from "../app/users/anonymize.server.ts";

const handle = await openDatabase(optionsFromEnv());
const started = performance.now();
const n = await purgeExpired(handle.db, new Date());
if (process.argv.includes("--full")) await vacuumErased(handle.db, { full: true });
console.log(`Anonymized ${n} user${n === 1 ? "" : "s"} in ${Math.round(performance.now() - started)} ms.`);
await handle.close();
