import { sql, type Kysely } from "kysely";

/**
 * invites.mail_pending: an invite a job is to mail (a large import's,
 * app/users/import-mail.server.ts), cleared in the transaction that hands it
 * to the mailer, so a job resumed after a restart mails nobody twice. Every
 * other invite is mailed by its request once it commits, and is never pending.
 *
 * job_progress: how far a job's batch has got while its transaction is still
 * open (a large import's apply, one transaction for the whole file), written
 * on another connection. It is not on the job's row: the runner holds that
 * row locked for the batch's whole transaction.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
alter table invites add column mail_pending boolean not null default false;
-- The mail job's next batch: its import's pending invites, by user.
create index invites_mail_pending_idx on invites (user_id) where mail_pending;

create table job_progress (
  job_id int primary key references jobs on delete cascade,
  done int not null check (done >= 0),
  updated_at timestamptz not null
);
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table job_progress; drop index invites_mail_pending_idx; alter table invites drop column mail_pending`.execute(
    db,
  );
}
