/**
 * The list's totals come from counters (user_counts), kept by statement
 * triggers on users. After every kind of change — through the app's own
 * functions (Add User, Delete, Restore, Suspend, Reactivate), and as bare statements for what a
 * trigger sees of the rest (a transfer's and a license change's updates, a
 * set-based import's insert, a hard delete) — the counters equal a recount,
 * and the list's total equals a count of what it lists.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { freshDatabase, type TestDatabase } from "../support/db.ts";
import { planNodes, planOf, recording } from "../support/plans.ts";
import { actorFor } from "../support/actors.ts";
import { seedDemo } from "../../db/seed/demo.ts";
import { seedScale } from "../../db/seed/scale.ts";
import { USER_COUNTS_DRIFT } from "../../scripts/load/invariants.ts";
import { countUsers } from "../../app/users/list.server.ts";
import { readListParams } from "../../app/users/list-params.ts";
import { addUser } from "../../app/users/add.server.ts";
import { companyCounts, deleteUsers } from "../../app/users/delete.server.ts";
import { restoreUser } from "../../app/users/deleted.server.ts";
import { reactivateUser, suspendUser } from "../../app/users/suspend.server.ts";
import type { Actor } from "../../app/auth/actor.server.ts";

const NOW = new Date("2026-12-02T10:00:00Z");
let t: TestDatabase;
let ada: Actor, carlos: Actor;
beforeAll(async () => {
  t = await freshDatabase();
  await seedDemo(t.db, NOW);
  await seedScale(t.db, 100, () => undefined);
  // Seats to spare: these tests are about counting users, not about running out of licenses.
  await sql`update license_pools set purchased = purchased + 10000`.execute(t.db);
  [ada, carlos] = await Promise.all([
    actorFor(t.db, "ada@acme.test", NOW),
    actorFor(t.db, "carlos@acme.test", NOW),
  ]);
}, 120_000);
afterAll(() => t.close());

const drift = async () => (await sql.raw(USER_COUNTS_DRIFT).execute(t.db)).rows;
const idOf = async (email: string) =>
  (await t.db.selectFrom("users").select("id").where("email", "=", email).executeTakeFirstOrThrow()).id;
const officeId = async (name: string) =>
  (await t.db.selectFrom("offices").select("id").where("name", "=", name).executeTakeFirstOrThrow()).id;

/** The list's total for a query, and a count of the same users in SQL. */
async function totalAndRecount(actor: Actor, query: string, where: ReturnType<typeof sql<boolean>>) {
  const total = await countUsers(t.db, actor, readListParams(new URL(`http://x/users?${query}`)).params);
  const offices = actor.person.isCompanyAdmin ? null : actor.adminOfficeIds;
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from users u
     where u.company_id = ${actor.company.id} and u.status <> 'deleted' and ${where}
       and (${offices === null} or u.office_id = any(${offices ?? []}::int[]))`.execute(t.db);
  return { total, recount: { n: Number(rows[0]!.n), is: "exact" } };
}

describe("the counters", () => {
  it("start equal to a recount (the migration fills them)", async () => {
    expect(await drift()).toEqual([]);
  });

  it("follow Add User, Delete, Restore, Suspend and Reactivate", async () => {
    const sf = await officeId("San Francisco");
    const added = await addUser(
      t.db,
      ada,
      {
        officeId: sf,
        firstName: "Cora",
        lastName: "Count",
        email: "cora@acme.test",
        licenseType: "connect",
        number: "",
      },
      "",
      NOW,
    );
    expect(added).toEqual({ ok: true, userId: expect.any(Number), name: "Cora Count", mailed: true });
    expect(await drift()).toEqual([]);
    const [cora, mei, uma] = await Promise.all(
      ["cora@acme.test", "mei@acme.test", "uma@acme.test"].map(idOf),
    );
    await deleteUsers(t.db, ada, [cora, mei], "keep", NOW);
    expect(await drift()).toEqual([]);
    expect(await restoreUser(t.db, ada, mei, NOW)).toMatchObject({ ok: true });
    expect(await drift()).toEqual([]);
    expect(await suspendUser(t.db, ada, uma, NOW)).toMatchObject({ ok: true });
    expect(await drift()).toEqual([]);
    expect(await reactivateUser(t.db, ada, uma, NOW)).toMatchObject({ ok: true });
    expect(await drift()).toEqual([]);
  });

  it("follow a transfer's and a license change's updates, a set-based insert of many, and a hard delete", async () => {
    const [sf, ny] = await Promise.all([officeId("San Francisco"), officeId("New York")]);
    // What transfer-apply does to many users at once: a new office, some changing license too.
    await sql`update users set office_id = ${ny}, license_type = case when id % 2 = 0 then 'connect' else license_type end
               where office_id = ${sf} and status <> 'deleted' and email like '%.%@acme.test'`.execute(t.db);
    expect(await drift()).toEqual([]);
    // A set-based import: many users in one statement, across offices and licenses.
    await sql`insert into users (company_id, office_id, first_name, last_name, email, license_type)
      select o.company_id, o.id, 'Imp', 'Orted ' || g, 'imported' || g || '.' || o.id || '@acme.test', 'support'
        from generate_series(1, 5) g, offices o where o.id in (${sf}, ${ny})`.execute(t.db);
    expect(await drift()).toEqual([]);
    // Rows gone for good (the scale seed's cleanup, a test's teardown).
    await sql`delete from users where email like 'imported%@acme.test' and office_id = ${ny}`.execute(t.db);
    expect(await drift()).toEqual([]);
  });
});

describe("the deletion rules' counts", () => {
  it("equal a recount of the company's active Company Admins, active users and offices, after a change", async () => {
    const recount = async (companyId: number) => {
      const { rows } = await sql<{ admins: number; users: number; offices: number }>`
        select count(*) filter (where is_company_admin and status = 'active')::int as admins,
               count(*) filter (where status = 'active')::int as users,
               (select count(*)::int from offices where company_id = ${companyId}) as offices
          from users where company_id = ${companyId}`.execute(t.db);
      const r = rows[0]!;
      return { activeCompanyAdmins: r.admins, activeUsers: r.users, offices: r.offices };
    };
    expect(await companyCounts(t.db, ada.company.id)).toEqual(await recount(ada.company.id));
    // A second Company Admin, then one suspended: both counts move.
    const uma = await idOf("uma@acme.test");
    await sql`update users set is_company_admin = true where id = ${uma}`.execute(t.db);
    const before = await companyCounts(t.db, ada.company.id);
    expect(before).toEqual(await recount(ada.company.id));
    await sql`update users set status = 'suspended' where id = ${uma}`.execute(t.db);
    const after = await companyCounts(t.db, ada.company.id);
    expect(after).toEqual(await recount(ada.company.id));
    expect([
      before.activeCompanyAdmins - after.activeCompanyAdmins,
      before.activeUsers - after.activeUsers,
    ]).toEqual([1, 1]);
    await sql`update users set status = 'active', is_company_admin = false where id = ${uma}`.execute(t.db);
  });
});

describe("the list's total", () => {
  it("equals a count of the listed users for each filter the counters answer, and says it is exact", async () => {
    const ny = await officeId("New York");
    const cases: [Actor, string, ReturnType<typeof sql<boolean>>][] = [
      [ada, "", sql`true`],
      [ada, `office=${ny}`, sql`u.office_id = ${ny}`],
      [ada, "license=sell&status=active", sql`u.license_type = 'sell' and u.status = 'active'`],
      [ada, "q=support", sql`u.license_type = 'support'`],
      [carlos, "", sql`true`],
      [carlos, "status=pending", sql`u.status = 'pending'`],
    ];
    for (const [actor, query, where] of cases) {
      const { total, recount } = await totalAndRecount(actor, query, where);
      expect.soft(total, `${actor.person.email} ${query}`).toEqual(recount);
    }
  });

  it("is counted exactly up to a thousand matches for a search or a permission, and estimated past that", async () => {
    const admins = await totalAndRecount(
      ada,
      "permission=admin",
      sql`(u.is_company_admin or exists
      (select 1 from office_admins oa where oa.user_id = u.id))`,
    );
    expect(admins.total).toEqual(admins.recount);
    const name = await totalAndRecount(ada, "q=tia", sql`u.search_text like '%tia%'`);
    expect(name.total).toEqual(name.recount);
    // Past a thousand: not counted. Every live user matches "acme", and there are more than 1,000 of them.
    await seedScale(t.db, 1000, () => undefined);
    const many = await countUsers(t.db, ada, readListParams(new URL("http://x/users?q=acme")).params);
    expect(many.is).not.toBe("exact");
    expect(many.n).toBeGreaterThanOrEqual(1000);
    expect(await drift()).toEqual([]);
  });

  it("counts a name search's tiers in one statement, which stops at the tier that reaches the bound", async () => {
    // Every live user of Acme's first name now begins with "zed" (the test above made them over a thousand):
    // the first name's tier alone reaches the bound, so the last name's, the email's and "any part"'s
    // (the trigram index, the costly one) must never be read.
    await sql`update users set first_name = 'Zed' || first_name
               where company_id = ${ada.company.id} and status <> 'deleted'`.execute(t.db);
    const watched = recording(t.db);
    const total = await countUsers(watched.db, ada, readListParams(new URL("http://x/users?q=zed")).params);
    expect(total.is).not.toBe("exact");

    const counts = watched.sent().filter((q) => q.sql.startsWith("select count(*)"));
    expect(counts).toHaveLength(1);
    const plan = await planOf(t.db, counts[0]!, { analyze: true });
    const append = planNodes(plan).find((n) => n["Node Type"] === "Append");
    const loops = append!.Plans!.map((tier) => tier["Actual Loops"]);
    expect(loops).toEqual([1, 0, 0, 0]);
  });
});
