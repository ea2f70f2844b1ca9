import { sql, type Kysely } from "kysely";

/**
 * The VACUUMs owed: a row per company whose anonymization committed and whose
 * old row versions (names, emails, addresses) no VACUUM has removed since
 * (app/users/anonymize.server.ts, vacuumOwed). The anonymizing transaction
 * writes it, so a VACUUM that never ran after the commit (a server stopped in
 * between, a bulk job that failed for good before its end) is still owed and
 * the next purge pays it. Each anonymization gives its company's row a new
 * `version` from a sequence, never one seen before (a row cleared and written
 * again does not start over), so a VACUUM clears only what it saw committed
 * before it began. `since` is when it was last owed: the purge pays only
 * what has been owed a while, so that a bulk job still anonymizing batch after
 * batch (each one owing it again) is not vacuumed under, and pays at its end.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create sequence erasure_vacuum_owed_version`.execute(db);
  await sql`
    create table erasure_vacuum_owed (
      company_id int primary key,
      version bigint not null default nextval('erasure_vacuum_owed_version'),
      since timestamptz not null
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table erasure_vacuum_owed`.execute(db);
  await sql`drop sequence erasure_vacuum_owed_version`.execute(db);
}
