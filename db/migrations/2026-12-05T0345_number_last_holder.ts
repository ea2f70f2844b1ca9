import { sql, type Kysely } from "kysely";

/**
 * The numbers a person held last, found through an index: deleting a
 * pending user, and the purge, lock and relabel the numbers their people held
 * last or that are held for them (app/numbers/moves.server.ts, lockHolders
 * and eraseHolders), and the anonymization reads their labels. Without it,
 * each of those read every number of every company (0.1 s a batch at a
 * million users), whether any of them was pending or not.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index phone_numbers_last_holder_idx on phone_numbers (last_holder_user_id) where last_holder_user_id is not null`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index phone_numbers_last_holder_idx`.execute(db);
}
