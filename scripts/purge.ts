/** `npm run purge`: anonymizes every user deleted 72 hours ago or more, now. Safe beside running servers. */
import { openDatabase, optionsFromEnv } from "../db/connect.ts";
import { purgeExpired } from "../app/users/anonymize.server.ts";

const handle = await openDatabase(optionsFromEnv());
const started = performance.now();
const n = await purgeExpired(handle.db, new Date());
console.log(`Anonymized ${n} user${n === 1 ? "" : "s"} in ${Math.round(performance.now() - started)} ms.`);
await handle.close();
