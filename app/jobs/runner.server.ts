/**
 * The job runner: long work done inside the app servers, in batches, from the
 * persisted `jobs` table (db/migrations/2026-12-02T0835_jobs.ts).
 *
 * A runner takes the oldest unfinished job FOR NO KEY UPDATE SKIP LOCKED and keeps
 * its row locked while one batch of the job's kind runs in the same
 * transaction; the batch's work and the job's new progress commit together.
 * So two servers never run one batch twice (the second skips the locked row
 * and takes another job, or none), and a server that stops mid-batch loses
 * only that batch: its transaction rolls back and the next runner resumes
 * the job from its last committed progress. Nothing else is needed to
 * survive a restart.
 *
 * A batch that takes long (a large import's apply: one transaction) reports
 * how far it has got through `progress`, written to job_progress on another
 * connection at once, outside the batch's transaction (the row lock is FOR NO
 * KEY UPDATE so that those writes' foreign key check does not wait on it).
 * On PGlite, one connection, they wait for the transaction to end, so its
 * progress jumps at the commit.
 */
import { sql, type Kysely, type Transaction } from "kysely";
import type { Database } from "../../db/schema.ts";
import { isConnectionError } from "../../db/connect.ts";

/** A job as its kind's batch sees it. */
export interface Job {
  id: number;
  kind: string;
  companyId: number;
  actorUserId: number | null;
  done: number;
  total: number;
  payload: unknown;
}

/** What one batch leaves: the progress so far and, once the work is over, the job's result. */
export interface JobStep {
  done: number;
  total: number;
  /** Set on the last batch: the job is done. */
  result?: unknown;
  /**
   * Work that must follow the commit of the batch and never be rolled back
   * into a retry (mail). Run once the batch committed, by the runner that
   * committed it; a server that stops between the two loses it. Given the
   * database, for work that cannot run in a transaction (a vacuum).
   */
  afterCommit?: (db: Kysely<Database>) => Promise<void>;
}

/** Reports how much of the job is done while its batch's transaction is still open. */
export type JobProgress = (done: number) => void;

/** One kind of job: a batch of its work, in the runner's transaction. */
export type JobKind = (
  tx: Transaction<Database>,
  job: Job,
  now: Date,
  progress: JobProgress,
) => Promise<JobStep>;

/** A job's kinds by name, passed to the runner (the app's are in app/jobs/kinds.server.ts). */
export type JobKinds = Record<string, JobKind>;

/** Batches that fail in a row before a job stops as failed. */
export const MAX_ATTEMPTS = 3;

export interface NewJob {
  kind: string;
  companyId: number;
  actorUserId: number | null;
  total: number;
  payload: unknown;
}

/** Queues a job, in the caller's transaction (so it exists only if what asked for it commits). */
export async function enqueueJob(db: Kysely<Database>, job: NewJob, now: Date): Promise<number> {
  const { id } = await db
    .insertInto("jobs")
    .values({
      kind: job.kind,
      company_id: job.companyId,
      actor_user_id: job.actorUserId,
      total: job.total,
      payload: JSON.stringify(job.payload),
      result: null,
      created_at: now,
      updated_at: now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return id;
}

/**
 * Runs one batch of the unfinished job that waited longest since its last
 * batch (so one company's 100-batch job takes turns with another's small
 * one instead of holding it up until it ends) and that no other runner
 * holds (or of
 * job `only`, for a request that does a small job itself rather than wait).
 * Answers false when there was none. A batch that throws is rolled back and
 * counted as an attempt, unless the database went away (that is an
 * interruption, not the job's fault).
 */
export async function runJobBatch(
  db: Kysely<Database>,
  kinds: JobKinds,
  now: Date,
  only?: number,
): Promise<boolean> {
  let afterCommit: JobStep["afterCommit"];
  // The progress writes, in order; never awaited inside the batch (on PGlite they wait for its end).
  let progressing = Promise.resolve();
  try {
    const ran = await db
      .transaction()
      .execute(async (tx) => {
        let next = tx
          .selectFrom("jobs")
          .select(["id", "kind", "company_id", "actor_user_id", "done", "total", "payload"])
          .where("state", "in", ["queued", "running"]);
        if (only !== undefined) next = next.where("id", "=", only);
        const row = await next
          .orderBy("updated_at")
          .orderBy("id")
          .limit(1)
          .forNoKeyUpdate()
          .skipLocked()
          .executeTakeFirst();
        if (!row) return false;
        const progress: JobProgress = (done) => {
          progressing = progressing
            .then(() =>
              db
                .insertInto("job_progress")
                .values({ job_id: row.id, done, updated_at: now })
                .onConflict((oc) => oc.column("job_id").doUpdateSet({ done, updated_at: now }))
                .execute(),
            )
            // Progress is only shown: a write that fails loses nothing of the job's work.
            .then(
              () => undefined,
              (err: Error) => console.error(`job ${row.id} progress:`, err.message),
            );
        };
        const kind = kinds[row.kind];
        let step: JobStep;
        try {
          if (!kind) throw new Error(`No job kind "${row.kind}"`);
          step = await kind(
            tx,
            {
              id: row.id,
              kind: row.kind,
              companyId: row.company_id,
              actorUserId: row.actor_user_id,
              done: row.done,
              total: row.total,
              payload: row.payload,
            },
            now,
            progress,
          );
        } catch (error) {
          throw isConnectionError(error) ? error : new BatchFailed(row.id, error);
        }
        const finished = step.result !== undefined;
        await tx
          .updateTable("jobs")
          .set({
            state: finished ? "done" : "running",
            done: step.done,
            total: step.total,
            result: finished ? JSON.stringify(step.result) : null,
            attempts: 0,
            error: null,
            started_at: sql`coalesce(started_at, ${now}::timestamptz)`,
            updated_at: now,
            finished_at: finished ? now : null,
          })
          .where("id", "=", row.id)
          .execute();
        afterCommit = step.afterCommit;
        return true;
      })
      .finally(() => progressing);
    await afterCommit?.(db);
    return ran;
  } catch (error) {
    if (!(error instanceof BatchFailed)) throw error;
    // The batch's work rolled back with it; the failure is recorded on its own.
    await recordFailure(db, error.jobId, error.cause, now);
    return true;
  }
}

class BatchFailed extends Error {
  constructor(
    readonly jobId: number,
    cause: unknown,
  ) {
    super(`job ${jobId} failed`, { cause });
  }
}

async function recordFailure(db: Kysely<Database>, id: number, error: unknown, now: Date): Promise<void> {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`job ${id}:`, message);
  await sql`
    update jobs set
      attempts = attempts + 1,
      error = ${message.slice(0, 1000)},
      state = case when attempts + 1 >= ${MAX_ATTEMPTS} then 'failed' else state end,
      finished_at = case when attempts + 1 >= ${MAX_ATTEMPTS} then ${now}::timestamptz end,
      updated_at = ${now}
    where id = ${id}`.execute(db);
}

/** Runs batches until no job is left that this runner may take, or `limit` batches ran. */
export async function runJobs(
  db: Kysely<Database>,
  kinds: JobKinds,
  now: () => Date,
  limit = Infinity,
): Promise<number> {
  let batches = 0;
  while (batches < limit && (await runJobBatch(db, kinds, now()))) batches++;
  return batches;
}

/** How long a finished job (and what it holds: an import's rows) is kept for its pages. */
export const KEEP_FINISHED_MS = 24 * 3600_000;

/**
 * Deletes jobs finished a day ago or more, with their rows (an import's file
 * names people: it is kept no longer than its pages need it).
 */
export async function sweepJobs(db: Kysely<Database>, now: Date): Promise<number> {
  const swept = await db
    .deleteFrom("jobs")
    .where("finished_at", "<=", new Date(now.getTime() - KEEP_FINISHED_MS))
    .executeTakeFirst();
  return Number(swept.numDeletedRows);
}
