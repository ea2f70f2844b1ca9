import { sql, type Kysely } from "kysely";

/**
 * The Suspended status (docs/domain.md, "Suspended users"): a suspended
 * user keeps their row, numbers, memberships and settings but holds no
 * license seat: neither their license type's nor their Meetings seat (a
 * suspended person cannot sign in, so cannot host a meeting either). The
 * seat trigger counts pending and active users only; add-on numbers still
 * count through phone_numbers' trigger, since a suspended user keeps them.
 */
const countSeats = (counted: string) => `
create or replace function users_count_seats() returns trigger
language plpgsql as $$
begin
  if tg_op in ('UPDATE', 'DELETE') and old.status in (${counted}) then
    perform license_pools_add(old.office_id, old.license_type, -1);
    if old.has_meetings_seat then perform license_pools_add(old.office_id, 'meetings', -1); end if;
  end if;
  if tg_op in ('INSERT', 'UPDATE') and new.status in (${counted}) then
    perform license_pools_add(new.office_id, new.license_type, 1);
    if new.has_meetings_seat then perform license_pools_add(new.office_id, 'meetings', 1); end if;
  end if;
  return null;
end $$;`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table users drop constraint users_status_check`.execute(db);
  await sql`alter table users add constraint users_status_check
              check (status in ('pending', 'active', 'suspended', 'deleted'))`.execute(db);
  await sql.raw(countSeats("'pending', 'active'")).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // Suspended users take their seats again (the trigger counts them once they are active).
  await sql`update users set status = case when first_signed_in_at is null then 'pending' else 'active' end
             where status = 'suspended'`.execute(db);
  await sql.raw(countSeats("'pending', 'active', 'suspended'")).execute(db);
  await sql`alter table users drop constraint users_status_check`.execute(db);
  await sql`alter table users add constraint users_status_check
              check (status in ('pending', 'active', 'deleted'))`.execute(db);
}
