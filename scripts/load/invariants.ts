/**
 * What must hold after any mix of concurrent changes, checked with SQL on the
 * database the load ran against. Each check returns the rows that break it.
 */
import pg from "pg";

export interface Invariant {
  name: string;
  broken: unknown[];
}

/**
 * The list's counters (user_counts, kept by triggers) against a recount of
 * the live users: each row where they differ. Also run by the domain tests
 * after every kind of change (tests/domain/user-counts.test.ts).
 */
export const USER_COUNTS_DRIFT = `
  with recount as (
    select company_id, office_id, status, license_type, count(*)::int as n from users
     where status <> 'deleted' group by 1, 2, 3, 4)
  select coalesce(c.office_id, r.office_id) as office_id, coalesce(c.status, r.status) as status,
         coalesce(c.license_type, r.license_type) as license_type, c.company_id, r.company_id as users_company_id,
         c.n as counted, coalesce(r.n, 0) as recount
    from user_counts c full join recount r
      on (r.office_id, r.status, r.license_type) = (c.office_id, c.status, c.license_type)
   where coalesce(c.n, 0) <> coalesce(r.n, 0) or c.company_id <> r.company_id`;

/** `since`: when the load began; `changes`: POSTs the server accepted (answered with a redirect). */
export async function checkInvariants(client: pg.Client, since: Date, changes: number): Promise<Invariant[]> {
  const rows = async (sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows;
  const [{ entries }] = await rows("select count(*)::int as entries from audit_log where created_at >= $1", [
    since,
  ]);
  return [
    {
      name: "no number held twice by one company",
      broken: await rows(`
        select company_id, e164, count(*)::int from phone_numbers where state <> 'released'
         group by 1, 2 having count(*) > 1`),
    },
    {
      // A held number is offered to no one else and refused to every claim; confirming spends the hold.
      name: "no number both held for a transfer review and someone's",
      broken: await rows(`
        select h.e164, h.user_id, n.assigned_user_id from review_holds h
          join phone_numbers n on n.e164 = h.e164 and n.state = 'assigned'
         where h.expires_at > now()`),
    },
    {
      name: "no user with two primary numbers",
      broken: await rows(`
        select assigned_user_id, count(*)::int from phone_numbers where is_primary group by 1 having count(*) > 1`),
    },
    {
      name: "no pool negative or overspent",
      broken: await rows(`
        select office_id, license_type, purchased, assigned from license_pools
         where purchased < 0 or assigned < 0 or assigned > purchased`),
    },
    {
      // Every pending or active user holds one seat of their type (and one Meetings seat if they have it; a
      // suspended user holds neither), every add-on number one seat of its add-on (a suspended user's too): recounted from the rows, against what the pools say.
      name: "every pool's assigned seats match a recount of users and numbers",
      broken: await rows(`
        with seats as (
          select office_id, license_type as type from users where status in ('pending', 'active')
          union all select office_id, 'meetings' from users where status in ('pending', 'active') and has_meetings_seat
          union all select office_id, addon_license_type from phone_numbers where addon_license_type is not null
        ), recount as (select office_id, type, count(*)::int as n from seats group by 1, 2)
        select coalesce(p.office_id, r.office_id) as office_id, coalesce(p.license_type, r.type) as type,
               p.assigned, coalesce(r.n, 0) as recount
          from license_pools p full join recount r on r.office_id = p.office_id and r.type = p.license_type
         where coalesce(p.assigned, -1) <> coalesce(r.n, 0)`),
    },
    {
      name: "the list's user counters match a recount of users",
      broken: await rows(USER_COUNTS_DRIFT),
    },
    {
      name: "every user deleted during the load has its delete in the audit log",
      broken: await rows(
        `select u.id from users u
          where u.status = 'deleted' and u.deleted_at >= $1
            and not exists (select 1 from audit_log a where a.action = 'user.deleted' and a.target_type = 'user'
                                                        and a.target_id = u.id::text and a.created_at = u.deleted_at)`,
        [since],
      ),
    },
    {
      // Each accepted change writes at least one entry in its own transaction (a bulk one, one per user and its result).
      name: "at least one audit entry for every accepted change",
      broken: entries >= changes ? [] : [{ changes, entries }],
    },
  ];
}
