import { sql, type Kysely } from "kysely";

/**
 * The audit log's index of actors alone goes. An entry is made in its actor's
 * company (app/audit/record.server.ts: a person acts in their own, an admin
 * proxies only within theirs, a job acts as its admin in the job's company),
 * so every lookup by actor (the audit page's "who" filter, the anonymization
 * of the people it erases) uses the index that begins with the company,
 * audit_log_company_actor_idx. Each entry written or anonymized then updates
 * one index fewer of the eleven: an anonymization rewrites its people's
 * entries, and each index entry a row update adds is a page of a ten-million
 * entry index to write, and to log whole after a checkpoint.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`drop index audit_log_actor_idx`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`create index audit_log_actor_idx on audit_log (actor_user_id)`.execute(db);
}
