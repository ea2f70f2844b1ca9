import { sql, type Kysely } from "kysely";

/**
 * Office > Users at scale (issue #17): an index behind each of the list's
 * sorts, and the list's totals kept as counters.
 *
 * - License and status sort within their value by name (ties by id), so each
 *   has an index leading with the company; the office sort walks
 *   users_office_name_idx office by office, in the order of offices_company_name_idx.
 * - user_counts holds, per office, status and license type, how many live
 *   (not deleted) users there are. A statement trigger keeps it from the
 *   statement's transition tables, so every path that adds, deletes, restores,
 *   suspends, reactivates, transfers or changes the license of users (the app,
 *   SCIM, a set-based import of 100,000 rows) keeps it right without calling
 *   anything, at one upsert per key the statement touched rather than one per row.
 *   The seat triggers (license_pools.assigned) are the precedent; like them,
 *   this works the same on PGlite.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
create index users_company_license_name_idx on users (company_id, license_type, sort_name, id) where status <> 'deleted';
create index users_company_status_name_idx on users (company_id, status, sort_name, id) where status <> 'deleted';
create index offices_company_name_idx on offices (company_id, name, id);

create table user_counts (
  company_id int not null references companies,
  office_id int not null references offices,
  status text not null,
  license_type text not null,
  n int not null,
  primary key (office_id, status, license_type)
);
create index user_counts_company_idx on user_counts (company_id);

insert into user_counts (company_id, office_id, status, license_type, n)
select company_id, office_id, status, license_type, count(*) from users
 where status <> 'deleted' group by 1, 2, 3, 4;

-- Each trigger upserts the statement's net change per key, in key order (so
-- two statements touching the same keys lock them in one order).
create function user_counts_after_insert() returns trigger
language plpgsql as $$
begin
  insert into user_counts as c (company_id, office_id, status, license_type, n)
  select company_id, office_id, status, license_type, count(*) from new_rows
   where status <> 'deleted' group by 1, 2, 3, 4 order by 2, 3, 4
  on conflict (office_id, status, license_type) do update set n = c.n + excluded.n;
  return null;
end $$;

create function user_counts_after_delete() returns trigger
language plpgsql as $$
begin
  update user_counts c set n = c.n - d.n
    from (select office_id, status, license_type, count(*) as n from old_rows
           where status <> 'deleted' group by 1, 2, 3 order by 1, 2, 3) d
   where (c.office_id, c.status, c.license_type) = (d.office_id, d.status, d.license_type);
  return null;
end $$;

create function user_counts_after_update() returns trigger
language plpgsql as $$
begin
  insert into user_counts as c (company_id, office_id, status, license_type, n)
  select company_id, office_id, status, license_type, sum(delta) from (
    select company_id, office_id, status, license_type, -1 as delta from old_rows where status <> 'deleted'
    union all
    select company_id, office_id, status, license_type, 1 from new_rows where status <> 'deleted') d
   group by 1, 2, 3, 4 having sum(delta) <> 0 order by 2, 3, 4
  -- A negative change always finds its row: the user it counts was counted there.
  on conflict (office_id, status, license_type) do update set n = c.n + excluded.n;
  return null;
end $$;

create trigger user_counts_insert after insert on users
  referencing new table as new_rows for each statement execute function user_counts_after_insert();
create trigger user_counts_delete after delete on users
  referencing old table as old_rows for each statement execute function user_counts_after_delete();
create trigger user_counts_update after update on users
  referencing old table as old_rows new table as new_rows for each statement execute function user_counts_after_update();
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
drop trigger user_counts_insert on users;
drop trigger user_counts_delete on users;
drop trigger user_counts_update on users;
drop function user_counts_after_insert(), user_counts_after_delete(), user_counts_after_update();
drop table user_counts;
drop index users_company_license_name_idx, users_company_status_name_idx, offices_company_name_idx;
`.execute(db);
}
