/**
 * Import users, the confirmation (docs/domain.md, "Importing users"): a
 * reviewed file applied in one transaction, set-based. Whatever the number of
 * rows it runs the same statements: one insert of the new users from
 * import_rows, their numbers out of the Reserved Pool in one move and from the
 * provider in one call per office, one update of the known users, one insert
 * of invites, one of audit entries (one per user), and one entry for the
 * import. A request's invites are mailed once it has committed.
 *
 * Guarded by the review key (importKey): under the locks the one-user paths
 * take (numbers, then the offices' pools, then the users), the facts the
 * review relied on are read again; if they differ, nothing is written and
 * the file is reviewed again.
 *
 * A file of more than IN_REQUEST_ROWS rows (reviewed by a job already) is
 * applied by a job too: its confirmation checks the key and queues an
 * IMPORT_APPLY job, marked on the review (`applying`) under the review's
 * lock, so a second confirmation is told it is under way. The job runs the
 * same apply in the runner's transaction, the job's completion committing
 * with it: a job interrupted before its commit applies again from the start
 * (nothing of it committed), and one that committed is done and never taken
 * again. It runs in batches of APPLY_BATCH lines, still in that one
 * transaction, and reports its progress after each (job_progress, written
 * outside the transaction). Its invites are left to a mail job it queues
 * (app/users/import-mail.server.ts), so its commit does not wait on them.
 */
import { sql, type Kysely, type Transaction } from "kysely";
import type { Database, UserLicenseType } from "../../db/schema.ts";
import { actingUserId, type Actor } from "../auth/actor.server.ts";
import { recordAudit, type AuditActor, type AuditEntry } from "../audit/record.server.ts";
import { enqueueJob, type Job, type JobProgress, type JobStep } from "../jobs/runner.server.ts";
import { lockPoolsOf } from "../licenses/pools.server.ts";
import { fromPool, provisionNextAndAssign, seatFor } from "../numbers/moves.server.ts";
import { localNumberProvider, type NumberProvider } from "../numbers/provider.server.ts";
import { notHeldForReview } from "../numbers/review-holds.server.ts";
import { refused, Refusal, refusing, type Refused, type Result } from "../refusal.server.ts";
import { refuseIfStale } from "../review-key.server.ts";
import {
  IN_REQUEST_ROWS,
  importKey,
  ownImport,
  resetReview,
  reviewAgain,
  type ImportResult,
} from "./import-review.server.ts";
import { insertInvites } from "./invite.server.ts";
import { IMPORT_MAIL, mailInvites, type MailPayload } from "./import-mail.server.ts";
import { uniquenessRefusal } from "./unique.server.ts";

export const IMPORT_APPLY = "users.import.apply";
export const IMPORT_STALE =
  "Something this review relied on has changed since (users, seats, offices or numbers), so nothing was imported. The file has been checked again: review it below.";
export const IMPORT_NOT_SEEN =
  "This confirmation is not of the review shown below, so nothing was imported. Check the review and confirm again.";
/** Why applyImport refused when its review is out of date (never shown: IMPORT_STALE is). */
const OUTDATED = "outdated";
export const IMPORT_DONE = "This file has already been imported. Upload it again to review it afresh.";
export const IMPORT_UNDER_WAY =
  "This file is being imported already: its progress is shown below. Nothing was done twice.";

/** What a confirmation did: applied the file, or (a large one) queued the job that applies it. */
export type ImportConfirmed = Result<{ added: number; updated: number } | { queued: true }>;

/** What an apply job carries: the review, the key confirmed, and who confirmed (for the audit and the invites). */
interface ApplyPayload {
  review: number;
  seen: string;
  origin: string;
  actor: AuditActor;
}

/** A row that adds a user, as the audit entry and the invite need it. */
interface AddedRow {
  user_id: number;
  office_id: number;
  license_type: UserLicenseType;
  first_name: string;
  last_name: string;
  email: string;
  e164: string | null;
}

export async function confirmImport(
  db: Kysely<Database>,
  actor: Actor,
  jobId: number,
  seen: string | undefined,
  origin: string,
  now: Date,
  provider: NumberProvider = localNumberProvider,
): Promise<ImportConfirmed> {
  const review = await ownImport(db, actor, jobId).select("total").executeTakeFirst();
  if ((review?.total ?? 0) > IN_REQUEST_ROWS)
    return reviewIfStale(
      db,
      jobId,
      now,
      await refusing(() =>
        db.transaction().execute((tx) => enqueueApply(tx, actor, jobId, seen, origin, now)),
      ).catch(staleIfTaken),
    );
  const applied = await reviewIfStale(
    db,
    jobId,
    now,
    await refusing(() =>
      db.transaction().execute((tx) => applyImport(tx, actor, jobId, seen, now, provider)),
    ).catch(staleIfTaken),
  );
  if (!applied.ok) return applied;
  await mailInvites(
    db,
    origin,
    actor.company.name,
    applied.added.map((u) => ({ userId: u.user_id, name: `${u.first_name} ${u.last_name}`, email: u.email })),
    applied.tokens,
  );
  return { ok: true, ...applied.counts };
}

/** A refusal as the admin is told it: a review found out of date is done again, and they see it anew. */
async function reviewIfStale<T extends { ok: true }>(
  db: Kysely<Database>,
  jobId: number,
  now: Date,
  answer: T | Refused,
): Promise<T | Refused> {
  if (answer.ok || answer.message !== OUTDATED) return answer;
  await reviewAgain(db, jobId, now);
  return refused(IMPORT_STALE, "stale");
}

/** An email or extension taken by a one-user path since the key was read: the unique index decides. */
function staleIfTaken(err: unknown) {
  if (uniquenessRefusal(err, null)) return refused(OUTDATED, "stale");
  throw err;
}

/** A large file's confirmation: the key checked as the apply will check it, and the apply job queued. */
async function enqueueApply(
  tx: Transaction<Database>,
  actor: Actor,
  jobId: number,
  seen: string | undefined,
  origin: string,
  now: Date,
) {
  const result = await lockReview(tx, actor, jobId);
  if (result.applying !== undefined) {
    const under = await tx
      .selectFrom("jobs")
      .select("state")
      .where("id", "=", result.applying)
      .executeTakeFirst();
    // A failed apply job left nothing: it may be confirmed again.
    if (under && under.state !== "failed") throw new Refusal(IMPORT_UNDER_WAY);
  }
  const key = await importKey(tx, jobId, actor.company.id, now);
  if (key !== result.key) throw new Refusal(OUTDATED, "stale");
  refuseIfStale([{ name: "import", key, seen }], () => IMPORT_NOT_SEEN);
  const payload: ApplyPayload = {
    review: jobId,
    seen: key,
    origin,
    actor: { company: actor.company, person: actor.person, proxy: actor.proxy, ip: actor.ip },
  };
  const applying = await enqueueJob(
    tx,
    {
      kind: IMPORT_APPLY,
      companyId: actor.company.id,
      actorUserId: actor.person.id,
      total: result.add + result.update,
      payload,
    },
    now,
  );
  await tx
    .updateTable("jobs")
    .set({ result: JSON.stringify({ ...result, applying }), updated_at: now })
    .where("id", "=", jobId)
    .execute();
  return { ok: true as const, queued: true as const };
}

/**
 * The apply job (app/jobs/kinds.server.ts): one batch that applies the whole
 * file in the runner's transaction, which also marks the job done. A review
 * gone stale since the confirmation rolls back to before the apply and is
 * queued to be reviewed again, marked `stale` so that its page says why; the
 * job ends there. An error (a constraint broken) rolls it all back: after
 * MAX_ATTEMPTS the runner marks the job failed, and the page says so.
 */
export async function applyImportBatch(
  tx: Transaction<Database>,
  job: Job,
  now: Date,
  progress: JobProgress,
): Promise<JobStep> {
  const p = job.payload as ApplyPayload;
  await sql`savepoint apply_import`.execute(tx);
  const applied = await refusing(() =>
    applyImport(tx, p.actor, p.review, p.seen, now, localNumberProvider, {
      progress,
      mail: { origin: p.origin, company: p.actor.company.name },
    }),
  ).catch(staleIfTaken);
  if (applied.ok)
    return { done: applied.counts.added + applied.counts.updated, total: job.total, result: applied.counts };
  await sql`rollback to savepoint apply_import`.execute(tx);
  if (applied.message === OUTDATED) {
    await resetReview(tx, p.review, now);
    await sql`update jobs set payload = payload || '{"stale": true}' where id = ${p.review}`.execute(tx);
  }
  return { done: 0, total: job.total, result: { refused: applied.message } };
}

/**
 * The review's row, locked: of two confirmations at once, the second waits
 * here, then finds it imported (or being imported).
 */
async function lockReview(tx: Transaction<Database>, actor: AuditActor, jobId: number) {
  const job = await ownImport(tx, actor, jobId)
    .select("result")
    .where("state", "=", "done")
    .forUpdate()
    .executeTakeFirst();
  if (!job) throw new Refusal("This import", "not_found");
  const result = job.result as ImportResult;
  if (result.imported) throw new Refusal(IMPORT_DONE);
  return result;
}

/** Lines of a file applied per batch: each batch runs the same statements, whatever its size. */
export const APPLY_BATCH = 10_000;

/** How an apply job (not a request) applies: its progress shown while it runs, its invites mailed by a job. */
interface ByJob {
  progress: JobProgress;
  mail: Omit<MailPayload, "review">;
}

async function applyImport(
  tx: Transaction<Database>,
  actor: AuditActor,
  jobId: number,
  seen: string | undefined,
  now: Date,
  provider: NumberProvider,
  byJob?: ByJob,
) {
  const companyId = actor.company.id;
  const result = await lockReview(tx, actor, jobId);

  // Locks in the one order every change takes (docs/domain.md): the users it updates, the numbers rows may
  // take, then the offices' pools.
  const rows = sql`import_rows where job_id = ${jobId}`;
  const offices = sql`(select distinct office_id from ${rows} and outcome = 'add')`;
  await sql`select 1 from users where id in (select user_id from ${rows} and outcome = 'update')
            order by id for no key update`.execute(tx);
  await sql`select 1 from phone_numbers where company_id = ${companyId} and state = 'reserved'
              and (e164 in (select e164 from ${rows} and outcome = 'add') or office_id in ${offices})
            order by id for update`.execute(tx);
  const officeIds = (await sql<{ office_id: number }>`select office_id from ${offices} o`.execute(tx)).rows;
  await lockPoolsOf(
    tx,
    officeIds.map((o) => o.office_id),
  );
  const key = await importKey(tx, jobId, companyId, now);
  // The facts moved since the review: it is out of date, and is done again once this rolls back.
  if (key !== result.key) throw new Refusal(OUTDATED, "stale");
  // The review is current, but the confirmation is not of it: refused, nothing to review again.
  refuseIfStale([{ name: "import", key, seen }], () => IMPORT_NOT_SEEN);

  // The file in batches of lines, all in this one transaction: all of it is imported or none.
  const { last } = (
    await sql<{ last: number }>`select coalesce(max(line), 1) as last from ${rows}`.execute(tx)
  ).rows[0]!;
  const added: AddedRow[] = [];
  const tokens: string[] = [];
  const counts = { added: 0, updated: 0 };
  for (let from = 2; from <= last; from += APPLY_BATCH) {
    const batch = await applyLines(tx, actor, jobId, [from, from + APPLY_BATCH], now, provider, !!byJob);
    counts.added += batch.added.length;
    counts.updated += batch.updated;
    // A request mails its few invites itself once it has committed; a job's are left to the mail job.
    if (!byJob) {
      added.push(...batch.added);
      tokens.push(...batch.tokens);
    }
    byJob?.progress(counts.added + counts.updated);
  }
  await recordAudit(
    tx,
    actor,
    {
      action: "users.imported",
      targetType: "company",
      targetId: companyId,
      after: { job: jobId, ...counts },
    },
    now,
  );
  const mailing =
    byJob && counts.added > 0
      ? await enqueueJob(
          tx,
          {
            kind: IMPORT_MAIL,
            companyId,
            actorUserId: actor.person.id,
            total: counts.added,
            payload: { review: jobId, ...byJob.mail } satisfies MailPayload,
          },
          now,
        )
      : undefined;
  await tx
    .updateTable("jobs")
    .set({ result: JSON.stringify({ ...result, imported: { ...counts, mailing } }), updated_at: now })
    .where("id", "=", jobId)
    .execute();
  return { ok: true as const, added, tokens, counts };
}

/**
 * One batch of the file, lines `from` to before `to`: its new users with their numbers and invites, its
 * updates, their audit entries. The same statements for any number of rows.
 */
async function applyLines(
  tx: Transaction<Database>,
  actor: AuditActor,
  jobId: number,
  [from, to]: [number, number],
  now: Date,
  provider: NumberProvider,
  mailLater: boolean,
) {
  const companyId = actor.company.id;
  const rows = sql`import_rows where job_id = ${jobId} and line >= ${from} and line < ${to}`;
  const rowsThat = (outcome: "add" | "update") => sql`(select * from ${rows} and outcome = ${outcome})`;
  const offices = sql`(select distinct office_id from ${rows} and outcome = 'add')`;

  // The new users, pending as Add User adds them; the seat triggers count their seats.
  await sql`
    insert into users (company_id, office_id, first_name, last_name, email, license_type, status, extension,
                       job_title, created_at)
    select ${companyId}, office_id, cells->>'firstName', cells->>'lastName', cells->>'email', license_type,
           'pending', extension, nullif(cells->>'jobTitle', ''), ${now}::timestamptz
      from ${rows} and outcome = 'add' order by line`.execute(tx);
  // Each row's new user, found by email through its unique index (a join on the insert's output has no
  // statistics, and the planner scanned the rows once per user).
  await sql`
    update import_rows r set user_id = u.id from users u
     where r.job_id = ${jobId} and r.line >= ${from} and r.line < ${to} and r.outcome = 'add'
       and lower(u.email) = r.email_key`.execute(tx);

  // Their numbers: the one each row names, else the office's next Reserved Number (as offerablePoolNumbers
  // orders them), else a new one from the provider. A number named anywhere in the file is kept for its row
  // (its batch may come later); earlier batches' numbers are no longer reserved.
  const { rows: claims } = await sql<{
    id: number | null;
    user_id: number;
    license_type: UserLicenseType;
    office_id: number;
    country: string;
  }>`
    with named as (
      select n.id, r.user_id, r.license_type, r.office_id from ${rowsThat("add")} r
        join phone_numbers n on n.company_id = ${companyId} and n.e164 = r.e164),
    wanting as (
      select user_id, license_type, office_id, row_number() over (partition by office_id order by line) as nth
        from ${rows} and outcome = 'add' and e164 is null),
    free as (
      select n.id, n.office_id, row_number() over (partition by n.office_id order by n.unassigned_at desc nulls last, n.id desc) as nth
        from phone_numbers n
       where n.company_id = ${companyId} and n.office_id in ${offices} and n.state = 'reserved' and n.kind = 'local'
         and (n.held_until is null or n.held_until <= ${now}) and ${notHeldForReview("n.e164", now)}
         and n.e164 not in (select e164 from import_rows where job_id = ${jobId} and e164 is not null))
    select id, user_id, license_type, office_id, null as country from named
    union all
    select f.id, w.user_id, w.license_type, w.office_id, o.country
      from wanting w join offices o on o.id = w.office_id
      left join free f on f.office_id = w.office_id and f.nth = w.nth`.execute(tx);
  const addon = (c: { license_type: UserLicenseType }) =>
    seatFor("local", { licenseType: c.license_type, primary: true });
  await fromPool(
    tx,
    claims
      .filter((c) => c.id !== null)
      .map((c) => ({ id: c.id!, userId: c.user_id, primary: true, addon: addon(c) })),
  );
  const fresh = new Map<
    number,
    { officeId: number; country: string; users: { userId: number; addon: ReturnType<typeof addon> }[] }
  >();
  for (const c of claims.filter((c) => c.id === null)) {
    const o = fresh.get(c.office_id) ?? { officeId: c.office_id, country: c.country, users: [] };
    o.users.push({ userId: c.user_id, addon: addon(c) });
    fresh.set(c.office_id, o);
  }
  // The provider had fewer than the review counted: reviewed again, the rows past them are errors.
  if (await provisionNextAndAssign(tx, provider, companyId, [...fresh.values()], now))
    throw new Refusal(OUTDATED, "stale");

  // Known users: what the file changes of names, extension and job title; the columns it lacks stay.
  await sql`
    update users u set
      first_name = coalesce(r.cells->>'firstName', u.first_name),
      last_name = coalesce(r.cells->>'lastName', u.last_name),
      extension = case when r.cells ? 'extension' then nullif(r.cells->>'extension', '') else u.extension end,
      job_title = case when r.cells ? 'jobTitle' then nullif(r.cells->>'jobTitle', '') else u.job_title end
      from ${rowsThat("update")} r
     where u.id = r.user_id`.execute(tx);

  const { rows: added } = await sql<AddedRow>`
    select r.user_id, r.office_id, r.license_type, u.first_name, u.last_name, u.email, n.e164
      from ${rowsThat("add")} r
      join users u on u.id = r.user_id
      left join phone_numbers n on n.assigned_user_id = u.id and n.is_primary
     order by r.line`.execute(tx);
  const { rows: updated } = await sql<{
    user_id: number;
    office_id: number;
    name: string;
    changes: Change[];
  }>`
    select r.user_id, r.office_id, u.first_name || ' ' || u.last_name as name, r.changes
      from ${rowsThat("update")} r join users u on u.id = r.user_id
     order by r.line`.execute(tx);
  const tokens = await insertInvites(
    tx,
    added.map((u) => u.user_id),
    actingUserId(actor),
    now,
    mailLater,
  );
  await recordAudit(
    tx,
    actor,
    [
      ...added.map((u): AuditEntry => ({
        action: "user.added",
        targetType: "user",
        targetId: u.user_id,
        targetLabel: `${u.first_name} ${u.last_name}`,
        officeId: u.office_id,
        after: { status: "pending", office_id: u.office_id, license_type: u.license_type, number: u.e164 },
      })),
      ...updated.map((u): AuditEntry => ({
        action: "user.edited",
        targetType: "user",
        targetId: u.user_id,
        targetLabel: u.name,
        officeId: u.office_id,
        before: Object.fromEntries(u.changes.map((c) => [c.column, c.from])),
        after: Object.fromEntries(u.changes.map((c) => [c.column, c.to])),
      })),
    ],
    now,
  );
  return { added, tokens, updated: updated.length };
}

type Change = { column: string; from: string; to: string };
