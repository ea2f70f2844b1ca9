import { sql, type Kysely } from "kysely";

/**
 * Number holds: the new local number a transfer review shows is held for
 * the user being transferred until the admin confirms, leaves (Back,
 * Cancel, signing out) or the hold runs out (app/numbers/holds.server.ts).
 * One row per number whoever holds it (the primary key), so two reviews
 * can never hold one number; a hold that ran out is taken over in place.
 * Pool numbers and the number provider's alike, so the hold is by e164.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
create table number_holds (
  e164 text primary key,
  company_id int not null,
  -- the review: who moves, where to, and whose sign-in shows it (signing out leaves it)
  user_id int not null references users on delete cascade,
  office_id int not null,
  session_id text not null references sessions on delete cascade,
  source text not null check (source in ('pool', 'provider')),
  expires_at timestamptz not null,
  created_at timestamptz not null,
  foreign key (office_id, company_id) references offices (id, company_id)
);
create index number_holds_session_idx on number_holds (session_id, user_id);
create index number_holds_user_idx on number_holds (user_id);
create index number_holds_expires_idx on number_holds (expires_at);
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table number_holds`.execute(db);
}
