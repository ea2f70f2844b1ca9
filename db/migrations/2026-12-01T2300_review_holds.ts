import { sql, type Kysely } from "kysely";

/**
 * "Hold" means one thing: the 72-hour restore hold of a deleted user's
 * numbers (phone_numbers.held_until). The new local number a transfer
 * review keeps for the user until the admin confirms or leaves is a review
 * hold (app/numbers/review-holds.server.ts): the table, its indexes and
 * constraints take that name. Renames only: rows, keys and checks stay.
 */
const NAMES = [
  ["index", "number_holds_session_idx", "review_holds_session_idx"],
  ["index", "number_holds_user_idx", "review_holds_user_idx"],
  ["index", "number_holds_expires_idx", "review_holds_expires_idx"],
  // The primary key's index is renamed with its constraint.
  ["constraint", "number_holds_pkey", "review_holds_pkey"],
  ["constraint", "number_holds_source_check", "review_holds_source_check"],
  ["constraint", "number_holds_user_id_fkey", "review_holds_user_id_fkey"],
  ["constraint", "number_holds_session_id_fkey", "review_holds_session_id_fkey"],
  ["constraint", "number_holds_office_id_company_id_fkey", "review_holds_office_id_company_id_fkey"],
] as const;

async function renameAll(db: Kysely<unknown>, back: boolean) {
  for (const [kind, before, after] of NAMES) {
    const [from, to] = back ? [after, before] : [before, after];
    if (kind === "index") await sql`alter index ${sql.id(from)} rename to ${sql.id(to)}`.execute(db);
    else await sql`alter table review_holds rename constraint ${sql.id(from)} to ${sql.id(to)}`.execute(db);
  }
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table number_holds rename to review_holds`.execute(db);
  await renameAll(db, false);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await renameAll(db, true);
  await sql`alter table review_holds rename to number_holds`.execute(db);
}
