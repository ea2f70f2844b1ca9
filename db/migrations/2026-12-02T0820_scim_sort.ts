import { sql, type Kysely } from "kysely";

/**
 * Indexes behind SCIM's sortBy on /Users (app/scim/users.server.ts,
 * `SORT_KEYS`). A sorted page is two index-ordered streams merged: the
 * users SCIM knows by an identity (ordered on scim_identities) and those
 * it does not (ordered on users); each key leads with the company and ends
 * with the id, the tie-break (users.id, or scim_identities.user_id, which
 * is the same). lower(email) and meta.created already have theirs.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
create index users_company_given_name_idx on users (company_id, lower(first_name), id) where status <> 'deleted';
create index users_company_family_name_idx on users (company_id, lower(last_name), id) where status <> 'deleted';
create index users_company_id_idx on users (company_id, id) where status <> 'deleted';
create index scim_identities_user_name_sort_idx on scim_identities (company_id, lower(user_name), user_id);
create index scim_identities_external_sort_idx on scim_identities (company_id, external_id, user_id);
create index scim_identities_updated_idx on scim_identities (company_id, updated_at, user_id);
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
drop index users_company_given_name_idx, users_company_family_name_idx, users_company_id_idx,
           scim_identities_user_name_sort_idx, scim_identities_external_sort_idx, scim_identities_updated_idx;
`.execute(db);
}
