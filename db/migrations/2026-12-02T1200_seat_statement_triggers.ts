import { sql, type Kysely } from "kysely";

/**
 * Seats counted per statement, not per row. The row triggers (initial,
 * 2026-12-02T0810_suspended_users) moved license_pools.assigned by one for
 * each user or number a statement touched: an import of 100,000 users into
 * one office updated that pool's row 100,000 times in one transaction, each
 * update walking the row's ever longer chain of versions (none of which can
 * be pruned while the transaction runs), so the time grew with the square of
 * the rows. These statement triggers read the statement's transition tables,
 * sum the change per pool, and apply each pool's sum once, in pool order (so
 * two statements lock pools in one order), through license_pools_add: the
 * same refusals (license_pools_no_overspend when a pool runs out or does not
 * exist), now judged on the statement's net change. What counts is unchanged:
 * a pending or active user takes a seat of their type in their office (and a
 * Meetings seat if they hold one); a number holding an add-on takes a seat
 * of that add-on.
 *
 * Transition tables cannot name columns (`update of …`), so the update
 * triggers fire on any update; a statement that changes none of the counted
 * columns sums to nothing and touches no pool.
 */
const seatsPerStatement = (name: string, seats: (rows: string, sign: string) => string) => `
create function ${name}() returns trigger
language plpgsql as $$
declare
  parts text[] := '{}';
  pool record;
begin
  -- Only the transition tables this trigger has can be named, hence the query built per operation.
  if tg_op in ('UPDATE', 'DELETE') then parts := parts || (${seats("old_rows", "-1")})::text; end if;
  if tg_op in ('INSERT', 'UPDATE') then parts := parts || (${seats("new_rows", "1")})::text; end if;
  for pool in execute format(
    'select office_id, license_type, sum(delta)::int as delta from (%s) d
      group by 1, 2 having sum(delta) <> 0 order by 1, 2',
    array_to_string(parts, ' union all ')) loop
    perform license_pools_add(pool.office_id, pool.license_type, pool.delta);
  end loop;
  return null;
end $$;`;

const usersSeats = seatsPerStatement(
  "users_count_seats_per_statement",
  (rows, sign) => `$q$
    select office_id, license_type, ${sign} as delta from ${rows} where status in ('pending', 'active')
    union all
    select office_id, 'meetings', ${sign} from ${rows} where status in ('pending', 'active') and has_meetings_seat$q$`,
);

const numbersSeats = seatsPerStatement(
  "phone_numbers_count_seats_per_statement",
  (rows, sign) => `$q$
    select office_id, addon_license_type as license_type, ${sign} as delta from ${rows} where addon_license_type is not null$q$`,
);

const triggers = (table: string, fn: string) => `
create trigger ${table}_seats_insert after insert on ${table}
  referencing new table as new_rows for each statement execute function ${fn}();
create trigger ${table}_seats_delete after delete on ${table}
  referencing old table as old_rows for each statement execute function ${fn}();
create trigger ${table}_seats_update after update on ${table}
  referencing old table as old_rows new table as new_rows for each statement execute function ${fn}();`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(usersSeats).execute(db);
  await sql.raw(numbersSeats).execute(db);
  await sql`drop trigger users_count_seats on users; drop trigger phone_numbers_count_seats on phone_numbers`.execute(
    db,
  );
  await sql.raw(triggers("users", "users_count_seats_per_statement")).execute(db);
  await sql.raw(triggers("phone_numbers", "phone_numbers_count_seats_per_statement")).execute(db);
}

/** Back to the row triggers, whose functions this migration left in place. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      ["users", "phone_numbers"]
        .flatMap((t) => ["insert", "delete", "update"].map((op) => `drop trigger ${t}_seats_${op} on ${t};`))
        .join("\n"),
    )
    .execute(db);
  await sql`drop function users_count_seats_per_statement(), phone_numbers_count_seats_per_statement()`.execute(
    db,
  );
  await sql`
create trigger users_count_seats after insert or delete or update of status, office_id, license_type, has_meetings_seat
  on users for each row execute function users_count_seats();
create trigger phone_numbers_count_seats after insert or delete or update of addon_license_type, office_id
  on phone_numbers for each row execute function phone_numbers_count_seats();`.execute(db);
}
