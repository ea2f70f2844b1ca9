/**
 * Background work inside each app server, every minute: the anonymization
 * job, and the sweep of number holds that ran out (they offer nothing once
 * expired; this only keeps the table small). Several servers may run it at once (it locks with FOR UPDATE SKIP
 * LOCKED). SWITCHBOARD_JOBS=off turns it off (`npm run purge` does the same
 * work as a command).
 */
import { getDb } from "./db.server.ts";
import { purgeExpired } from "./users/anonymize.server.ts";
import { sweepReviewHolds } from "./numbers/review-holds.server.ts";

let started = false;

export function startBackgroundJobs(): void {
  if (started || process.env.SWITCHBOARD_JOBS === "off") return;
  started = true;
  const run = async () => {
    try {
      const db = await getDb();
      const n = await purgeExpired(db, new Date());
      if (n > 0) console.log(`Anonymized ${n} user${n === 1 ? "" : "s"} deleted more than 72 hours ago.`);
      await sweepReviewHolds(db, new Date());
    } catch (err) {
      // A database that is away now (logged by db.server.ts) will be back for the next run.
      if (err instanceof Error) console.error("background job:", err.message);
    }
  };
  setInterval(run, 60_000).unref();
  setTimeout(run, 5_000).unref();
}
