/**
 * Background work inside each app server: every two seconds the queued jobs
 * (app/jobs/runner.server.ts), every minute the anonymization job, the
 * sweep of number holds that ran out (they offer nothing once expired; this
 * only keeps the table small) and that of jobs finished a day ago. Several servers may run it at once: all of it
 * locks with SKIP LOCKED. SWITCHBOARD_JOBS=off turns it all off
 * (`npm run purge` does the purge as a command); SWITCHBOARD_JOBS=queue runs
 * the job queue alone (test servers, whose demo data must not be purged).
 */
import { getDb } from "../db.server.ts";
import { purgeExpired } from "../users/anonymize.server.ts";
import { sweepReviewHolds } from "../numbers/review-holds.server.ts";
import { runJobs, sweepJobs } from "./runner.server.ts";
import { JOB_KINDS } from "./kinds.server.ts";

const TICK_MS = 2_000;
const PURGE_EVERY_MS = 60_000;

let started = false;
let stop: (() => Promise<void>) | undefined;

export function startBackgroundJobs(): void {
  if (started || process.env.SWITCHBOARD_JOBS === "off") return;
  started = true;
  const purging = process.env.SWITCHBOARD_JOBS !== "queue";
  let busy: Promise<void> | undefined;
  // The first purge 5 s after start, as before the job queue shared this loop.
  let nextPurge = Date.now() + 5_000;
  const work = async () => {
    try {
      const db = await getDb();
      await runJobs(db, JOB_KINDS, () => new Date());
      if (purging && Date.now() >= nextPurge) {
        nextPurge = Date.now() + PURGE_EVERY_MS;
        const n = await purgeExpired(db, new Date());
        if (n > 0) console.log(`Anonymized ${n} user${n === 1 ? "" : "s"} deleted more than 72 hours ago.`);
        await sweepReviewHolds(db, new Date());
        await sweepJobs(db, new Date());
      }
    } catch (err) {
      // A database that is away now (logged by db.server.ts) will be back for the next tick.
      if (err instanceof Error) console.error("background job:", err.message);
    }
  };
  const tick = () => {
    // A tick still running (a long job) is not started twice in one server.
    busy ??= work().finally(() => (busy = undefined));
  };
  const timer = setInterval(tick, TICK_MS).unref();
  stop = async () => {
    clearInterval(timer);
    await busy;
  };
}

/** A stopping server takes no more batches, and lets the one under way commit (see `shutdown`). */
export async function stopBackgroundJobs(): Promise<void> {
  await stop?.();
}
