import { sql, type Kysely } from "kysely";

/**
 * The company's active Company Admins, counted from an index of them alone:
 * the rules that keep the last one (delete, suspend, admin access) count them
 * in every such change, each batch of a bulk job included, and read all of a
 * million users' rows to do it (0.1 s a batch). Its active users come from
 * the counters (user_counts), as the list's totals do.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index users_active_company_admins_idx on users (company_id) where is_company_admin and status = 'active'`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index users_active_company_admins_idx`.execute(db);
}
