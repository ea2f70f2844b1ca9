/**
 * Import users, the invites of a large file (docs/domain.md, "Importing
 * users"): the apply job leaves its new users' invites `mail_pending` and
 * queues this job, which mails them MAIL_BATCH at a time, so the import's
 * commit does not wait on 100,000 mails and its page shows "Invites: 40,000
 * of 100,000 sent".
 *
 * At most once. A batch's transaction gives each of its invites a new token
 * (the apply's was never sent: only its hash was stored) and clears
 * `mail_pending`; the mails go out once that has committed (the runner's
 * afterCommit). A server that stops between the commit and the mailer loses
 * that batch's mails (the admin resends those invites from each user's
 * Options), but a job resumed after a restart takes only invites still
 * pending: nobody is mailed twice. The other way round (mail, then commit)
 * would mail a batch twice after such a stop, the first link already void.
 */
import { sql, type Kysely, type Transaction } from "kysely";
import type { Database } from "../../db/schema.ts";
import type { Job, JobStep } from "../jobs/runner.server.ts";
import { hashToken } from "../auth/session.server.ts";
import { mailInvite, newInviteTokens, type InviteMail } from "./invite.server.ts";

export const IMPORT_MAIL = "users.import.mail";

/** Invites handed to the mailer per batch (one transaction each). */
export const MAIL_BATCH = 500;
/** Invites mailed at once within a batch. */
const MAIL_AT_ONCE = 20;

/** What a mail job carries: the import's review (its rows name the new users), where links point, the company's name. */
export interface MailPayload {
  review: number;
  /** The last line of the file mailed so far: each batch starts after it. */
  after?: number;
  origin: string;
  company: string;
}

/** One batch: the next invites of the import still pending, given new tokens and marked mailed; mailed after the commit. */
export async function mailImportBatch(tx: Transaction<Database>, job: Job): Promise<JobStep> {
  const p = job.payload as MailPayload;
  // Pending invites of users the import added and who are still pending (not deleted, not yet active), in
  // the file's order from where the last batch stopped (from the start, each batch would pass all before it).
  const { rows } = await sql<{ id: number; line: number; user_id: number; name: string; email: string }>`
    select i.id, r.line, i.user_id, u.first_name || ' ' || u.last_name as name, u.email
      from import_rows r
      join invites i on i.user_id = r.user_id and i.mail_pending
      join users u on u.id = r.user_id and u.status = 'pending'
     where r.job_id = ${p.review} and r.outcome = 'add' and r.line > ${p.after ?? 1}
       and i.used_at is null and i.voided_at is null
     order by r.line
     limit ${MAIL_BATCH}`.execute(tx);
  const tokens = newInviteTokens(rows.length);
  if (rows.length > 0) {
    await sql`
      update invites i set token_hash = x.token_hash, mail_pending = false
        from unnest(${rows.map((r) => r.id)}::int[], ${tokens.map(hashToken)}::text[]) as x(id, token_hash)
       where i.id = x.id`.execute(tx);
    await tx
      .updateTable("jobs")
      .set({ payload: JSON.stringify({ ...p, after: rows.at(-1)!.line }) })
      .where("id", "=", job.id)
      .execute();
  }
  const done = job.done + rows.length;
  const afterCommit = (db: Kysely<Database>) =>
    mailInvites(
      db,
      p.origin,
      p.company,
      rows.map((r) => ({ userId: r.user_id, name: r.name, email: r.email })),
      tokens,
    );
  // A short batch was the last: what is not pending any more (voided, used, its user deleted) is not mailed.
  return rows.length < MAIL_BATCH
    ? { done, total: job.total, result: { mailed: done }, afterCommit }
    : { done, total: job.total, afterCommit };
}

/**
 * Invites mailed a few at a time, once what issued them has committed; the
 * ones the mailer refused (an SMTP outage) are marked still to mail
 * (`mail_pending`) rather than counted as sent, so the import's page can say
 * how many were not and that Resend invite sends them. The others go on.
 */
export async function mailInvites(
  db: Kysely<Database>,
  origin: string,
  company: string,
  to: InviteMail[],
  tokens: string[],
) {
  const unsent: number[] = [];
  for (let i = 0; i < to.length; i += MAIL_AT_ONCE) {
    const chunk = to.slice(i, i + MAIL_AT_ONCE);
    const sent = await Promise.allSettled(
      chunk.map((u, j) => mailInvite(origin, { ...u, company }, tokens[i + j]!)),
    );
    sent.forEach((s, j) => s.status === "rejected" && unsent.push(chunk[j]!.userId));
  }
  if (unsent.length === 0) return;
  // The user ids only: an address is personal data, and an invite's link a password.
  console.error(`Invites to ${unsent.length} users not mailed: the mailer refused them.`);
  await db
    .updateTable("invites")
    .set({ mail_pending: true })
    .where("user_id", "in", unsent)
    .where("used_at", "is", null)
    .where("voided_at", "is", null)
    .execute();
}

/** How many of an import's new users' invites are still to mail: once its mailing is over, those the mailer refused. */
export async function unmailedInvites(db: Kysely<Database>, review: number): Promise<number> {
  const { n } = await db
    .selectFrom("import_rows as r")
    .innerJoin("invites as i", "i.user_id", "r.user_id")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("r.job_id", "=", review)
    .where("r.outcome", "=", "add")
    .where("i.mail_pending", "=", true)
    .where("i.used_at", "is", null)
    .where("i.voided_at", "is", null)
    .executeTakeFirstOrThrow();
  return Number(n);
}
