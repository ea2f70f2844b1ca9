/**
 * A bulk action on everyone a search matches, when they are many
 * (docs/domain.md, "Bulk actions on everyone a search matches"): the
 * confirmation queues a BULK_APPLY job (app/jobs/) with the users it
 * counted, in list order, and the runner applies the action to them a batch
 * at a time. Each batch is one transaction with the job's progress: the
 * action's own function (deleteUsersIn, changeAdminAccessIn) with its rules,
 * its locks, its audit entries and the batch's result entry naming the job.
 * A batch interrupted rolls back whole and is run again; one committed is
 * never taken again, since the job's `done` (where the next batch starts)
 * committed with it.
 *
 * Every batch reads the admin again and runs through the same scoped
 * lookups as a request: a user who left the admin's offices since the
 * confirmation is not touched, nor is anyone who matched the search only
 * after it (the users were counted then). An admin who lost their rights
 * stops the job.
 */
import { sql, type Kysely, type Transaction } from "kysely";
import type { Database } from "../../db/schema.ts";
import {
  actingUserId,
  ADMIN_COLUMNS,
  adminActor,
  adminOfficeIdsOfU,
  type Actor,
} from "../auth/actor.server.ts";
import { mayRunBulk } from "../auth/policy.server.ts";
import { enqueueJob, type Job, type JobStep } from "../jobs/runner.server.ts";
import { BULK_ACTIONS, type OneStepBulkAction } from "./bulk-actions.ts";
import { recordBulkResult, type BulkOutcome } from "./bulk-targets.server.ts";
import { deleteUsersIn, lockCompany, type LicenseChoice } from "./delete.server.ts";
import { changeAdminAccessIn } from "./admin-access.server.ts";
import { vacuumOwed } from "./anonymize.server.ts";

export const BULK_APPLY = "users.bulk.apply";

/** Users one batch changes: a transaction of a few seconds at most. */
const BATCH = 1000;

/**
 * Selections of at most this many users are applied within the confirmation's
 * request; more are a job. SWITCHBOARD_BULK_IN_REQUEST lowers it for the
 * end-to-end tests, whose demo companies are small.
 */
export const inRequestUsers = () => Number(process.env.SWITCHBOARD_BULK_IN_REQUEST) || 1000;

/** What a bulk job carries: the action, its license choice, the users counted at confirmation, and where from. */
interface BulkPayload {
  action: OneStepBulkAction;
  license: LicenseChoice;
  ids: number[];
  batch: number;
  ip: string | null;
}

/** A finished bulk job's result: how many changed and skipped, the first outcomes (skipped first), or why it stopped. */
export interface BulkJobResult {
  changed: number;
  skipped: number;
  /** Counted at confirmation, but no longer in the admin's offices (or gone) when their batch came. */
  untouched: number;
  first: Omit<BulkOutcome, "name">[];
  stopped?: string;
}

/** Outcomes a finished job keeps for its result page; the audit log keeps every one. */
export const RESULT_SHOWS = 100;

/** Queues the job for these users, or answers the same selection's job that is still to finish. */
export async function enqueueBulk(
  db: Kysely<Database>,
  actor: Actor,
  action: OneStepBulkAction,
  ids: number[],
  license: LicenseChoice,
  now: Date,
  batch = BATCH,
): Promise<number> {
  const payload: BulkPayload = { action, license, ids, batch, ip: actor.ip };
  return db.transaction().execute(async (tx) => {
    // The same selection confirmed again while its job is still to finish (a double click, or Back and
    // Confirm) joins that job: a second would work through the same users again, and delete once more
    // someone restored in between. The company's lock makes two confirmations at once see each other.
    await lockCompany(tx, actor.company.id);
    const same = await tx
      .selectFrom("jobs")
      .select("id")
      .where("kind", "=", BULK_APPLY)
      .where("company_id", "=", actor.company.id)
      .where("state", "in", ["queued", "running"])
      .where(sql<boolean>`payload->>'action' = ${action} and payload->'ids' = ${JSON.stringify(ids)}::jsonb`)
      .executeTakeFirst();
    if (same) return same.id;
    return enqueueJob(
      tx,
      {
        kind: BULK_APPLY,
        companyId: actor.company.id,
        actorUserId: actingUserId(actor),
        total: ids.length,
        payload,
      },
      now,
    );
  });
}

/** The admin who confirmed, as they are now: null once they are gone or no longer an active admin. */
async function jobActor(tx: Transaction<Database>, job: Job, ip: string | null): Promise<Actor | null> {
  if (job.actorUserId === null) return null;
  const row = await tx
    .selectFrom("users as u")
    .innerJoin("companies as c", "c.id", "u.company_id")
    .select([...ADMIN_COLUMNS, adminOfficeIdsOfU().as("admin_office_ids")])
    .where("u.id", "=", job.actorUserId)
    .where("u.company_id", "=", job.companyId)
    .where("u.status", "=", "active")
    .executeTakeFirst();
  return row ? adminActor(row, "", ip) : null;
}

/** One batch of a bulk job (app/jobs/kinds.server.ts), in the runner's transaction. */
export async function applyBulkBatch(tx: Transaction<Database>, job: Job, now: Date): Promise<JobStep> {
  const p = job.payload as BulkPayload;
  // Pending users deleted are anonymized at once: their old row versions go too, once the job ends (a
  // VACUUM after each batch went through the whole audit log's indexes each time), if any VACUUM is owed
  // (deleted active users stay restorable, and leave nothing to erase). A job that fails for good leaves
  // its VACUUM owed to a purge.
  const vacuumAtEnd =
    p.action === "delete"
      ? async (db: Kysely<Database>) => {
          await vacuumOwed(db);
        }
      : undefined;
  const actor = await jobActor(tx, job, p.ip);
  const may = actor ? mayRunBulk(actor, p.action) : null;
  if (!actor || !may?.ok) {
    const stopped = `Stopped after ${job.done.toLocaleString("en-US")} users: the admin who confirmed may no longer do this.`;
    return {
      done: job.done,
      total: job.total,
      result: await summary(tx, job, p.action, stopped),
      afterCommit: vacuumAtEnd,
    };
  }
  const ids = p.ids.slice(job.done, job.done + p.batch);
  const tag = { job: job.id };
  const applied =
    p.action === "delete"
      ? await deleteUsersIn(tx, actor, ids, p.license, now, tag)
      : await changeAdminAccessIn(tx, actor, ids, p.action === "add_admin" ? "add" : "remove", now, tag);
  // A batch that changed nobody records its skips all the same: the result counts every batch's entry.
  if (applied.auditId === null && applied.outcomes.length > 0)
    await recordBulkResult(tx, actor, p.action, applied.outcomes, now, tag);
  const done = job.done + ids.length;
  const finished = done >= job.total;
  return {
    done,
    total: job.total,
    result: finished ? await summary(tx, job, p.action) : undefined,
    afterCommit: finished ? vacuumAtEnd : undefined,
  };
}

/** The job's outcome, read from its batches' result entries in the audit log. */
async function summary(
  tx: Transaction<Database>,
  job: Job,
  action: OneStepBulkAction,
  stopped?: string,
): Promise<BulkJobResult> {
  // The batches' entries: the company's of this action (its index), tagged with this job.
  const outcomes = sql`audit_log a
    cross join lateral jsonb_array_elements(a.after->'outcomes') with ordinality as x(o, n)
    where a.company_id = ${job.companyId} and a.action = ${BULK_ACTIONS[action].audit}
      and a.after->>'job' = ${String(job.id)}`;
  const { rows: counts } = await sql<{ changed: string; skipped: string }>`
    select count(*) filter (where o->>'outcome' = 'done') as changed,
           count(*) filter (where o->>'outcome' = 'skipped') as skipped
      from ${outcomes}`.execute(tx);
  const { rows: first } = await sql<Omit<BulkOutcome, "name">>`
    select (o->>'id')::int as id, o->>'outcome' as outcome, o->>'detail' as detail
      from ${outcomes}
     order by o->>'outcome' = 'done', a.id, n
     limit ${RESULT_SHOWS}`.execute(tx);
  const changed = Number(counts[0]?.changed ?? 0);
  const skipped = Number(counts[0]?.skipped ?? 0);
  return {
    changed,
    skipped,
    untouched: (stopped ? job.done : job.total) - changed - skipped,
    first,
    ...(stopped && { stopped }),
  };
}

/** A bulk job of this admin's, as its page shows it: under way, or finished with its result. */
export async function bulkJob(db: Kysely<Database>, actor: Actor, jobId: number) {
  const job = await db
    .selectFrom("jobs")
    // The action alone, not the payload's ids: this is read every second while the job runs.
    .select(["state", "done", "total", "result", sql<OneStepBulkAction>`payload->>'action'`.as("action")])
    .where("id", "=", jobId)
    .where("kind", "=", BULK_APPLY)
    .where("company_id", "=", actor.company.id)
    .where("actor_user_id", "=", actingUserId(actor))
    .executeTakeFirst();
  if (!job) return null;
  return {
    state: job.state,
    action: job.action,
    done: job.done,
    total: job.total,
    result: job.result as BulkJobResult | null,
  };
}
