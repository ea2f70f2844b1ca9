import { sql, type Kysely } from "kysely";

/**
 * Indexes behind the audit log page (app/audit/log.server.ts): every filter
 * leads with the company and ends with the page's sort (newest first, id as
 * the tie-break), so a page of 50 walks one index and stops. Office Admins
 * read through the office index; the actor, on-behalf and action filters
 * through theirs; the target search through a trigram index.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
create index audit_log_office_idx on audit_log (company_id, office_id, created_at desc, id desc);
create index audit_log_company_actor_idx on audit_log (company_id, actor_user_id, created_at desc, id desc);
create index audit_log_company_on_behalf_idx on audit_log (company_id, on_behalf_of_user_id, created_at desc, id desc)
  where on_behalf_of_user_id is not null;
create index audit_log_company_action_idx on audit_log (company_id, action, created_at desc, id desc);
create index audit_log_target_label_trgm_idx on audit_log using gin (lower(target_label) gin_trgm_ops);
-- The actor filter finds an anonymized person by their pseudonym only.
create index users_pseudonym_idx on users (company_id, lower(pseudonym)) where pseudonym is not null;
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
drop index audit_log_office_idx, audit_log_company_actor_idx, audit_log_company_on_behalf_idx,
           audit_log_company_action_idx, audit_log_target_label_trgm_idx, users_pseudonym_idx;
`.execute(db);
}
