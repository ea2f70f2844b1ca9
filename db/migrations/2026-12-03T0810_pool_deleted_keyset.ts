import { sql, type Kysely } from "kysely";

/**
 * Reserved Numbers and Deleted Users at scale (issue #17): an index behind
 * each list's keyset order, so that a page at any depth starts where its
 * cursor points.
 *
 * - Reserved Numbers sorts by when a number came into the pool: its
 *   unassigned_at, or for a number never assigned its created_at (one key,
 *   no NULLs, so one row comparison in either direction), ties by id; per
 *   company (a Company Admin) and per office (the office filter, an Office
 *   Admin of one office). Its name search ("last assigned to") has a trigram
 *   index, as the number search has on digits, and its "On hold" filter (the
 *   few numbers whose hold has not ended) an index of the holds' ends.
 * - Deleted Users sorts by deleted_at, ties by id: users_deleted_idx gains the
 *   id, and an Office Admin's offices have their own (their count, without
 *   reading the company's).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
create index phone_numbers_pool_company_order_idx on phone_numbers (company_id, coalesce(unassigned_at, created_at), id) where state = 'reserved';
create index phone_numbers_pool_office_order_idx on phone_numbers (office_id, coalesce(unassigned_at, created_at), id) where state = 'reserved';
create index phone_numbers_pool_holder_trgm_idx on phone_numbers using gin (lower(last_holder_name) gin_trgm_ops) where state = 'reserved';
create index phone_numbers_pool_held_idx on phone_numbers (company_id, held_until) where state = 'reserved' and held_until is not null;
drop index users_deleted_idx;
create index users_deleted_idx on users (company_id, deleted_at, id) where status = 'deleted' and anonymized_at is null;
create index users_deleted_office_idx on users (office_id, deleted_at, id) where status = 'deleted' and anonymized_at is null;
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
drop index phone_numbers_pool_company_order_idx, phone_numbers_pool_office_order_idx, phone_numbers_pool_holder_trgm_idx,
  phone_numbers_pool_held_idx;
drop index users_deleted_idx, users_deleted_office_idx;
create index users_deleted_idx on users (company_id, deleted_at) where status = 'deleted' and anonymized_at is null;
`.execute(db);
}
