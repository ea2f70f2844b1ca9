/**
 * Transfer users, the bulk action: same country and another country, who is
 * skipped and why, seats running out part-way, a stale review, a constant
 * number of statements whatever the batch size, and races on the server.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Kysely } from "kysely";
import { freshDatabase, statementsOf, type TestDatabase } from "../support/db.ts";
import { actorFor } from "../support/actors.ts";
import { seedDemo } from "../../db/seed/demo.ts";
import { seedScale } from "../../db/seed/scale.ts";
import type { Database, LicenseType } from "../../db/schema.ts";
import type { Actor } from "../../app/auth/actor.server.ts";
import {
  bulkTransferChoices,
  startTransferReview,
  planTransfers,
  transferUsers,
} from "../../app/users/transfer.server.ts";
import { bulkResult } from "../../app/users/bulk.server.ts";
import { acmeOfficeId as officeId } from "../support/demo.ts";
import { expectPoolsConsistent } from "../support/seats.ts";

const now = new Date("2026-11-27T12:00:00Z");
let t: TestDatabase;
let ada: Actor;
beforeAll(async () => {
  t = await freshDatabase();
  await seedDemo(t.db, now);
  ada = await actorFor(t.db, "ada@acme.test", now);
});
afterAll(() => t.close());

const office = (name: string) => officeId(t.db, name);

const idsOf = async (db: Kysely<Database>, ...emails: string[]) => {
  const rows = await db.selectFrom("users").select(["id", "email"]).where("email", "in", emails).execute();
  return emails.map((e) => rows.find((r) => r.email === e)!.id);
};
const ids = (...emails: string[]) => idsOf(t.db, ...emails);

const assigned = async (officeName: string, type: LicenseType) =>
  t.db
    .selectFrom("license_pools")
    .select("assigned")
    .where("office_id", "=", await office(officeName))
    .where("license_type", "=", type)
    .executeTakeFirstOrThrow()
    .then((p) => p.assigned);

/** Next (holding new numbers), the review, then confirm exactly what the review showed (as the confirmation page posts it). */
async function reviewAndConfirm(db: Kysely<Database>, actor: Actor, userIds: number[], to: number) {
  await startTransferReview(db, actor, userIds, to, now);
  const plan = (await planTransfers(db, actor, userIds, to, now))!;
  return { plan, confirm: () => transferUsers(db, actor, confirmation(plan, to), now) };
}
function confirmation(plan: NonNullable<Awaited<ReturnType<typeof planTransfers>>>, to: number) {
  return {
    action: "transfer" as const,
    to,
    id: plan.rows.map((r) => r.id),
    seen: plan.rows.map((r) => r.seen),
  };
}

describe("choosing the new office", () => {
  it("offices at none of the users' price levels, and everyone's own office, cannot be chosen, and say why", async () => {
    const offices = await bulkTransferChoices(t.db, ada, await ids("marcus@acme.test", "camille@acme.test"));
    const reason = (name: string) => offices.find((o) => o.name === name)!.disabledReason;
    expect(reason("Austin")).toMatch(
      /^At another price level \(USD-2; the selected users' offices are USD-1\)/,
    );
    expect(reason("London")).toMatch(/^At another price level/);
    expect(reason("San Francisco")).toBeNull(); // Camille (Toronto) can move there
    expect(reason("New York")).toBeNull();
    const sfOnly = await bulkTransferChoices(t.db, ada, await ids("marcus@acme.test", "mei@acme.test"));
    expect(sfOnly.find((o) => o.name === "San Francisco")!.disabledReason).toBe(
      "Every selected user works in San Francisco now.",
    );
  });

  it("an office that cannot be chosen is refused at the review", async () => {
    const plan = await planTransfers(
      t.db,
      ada,
      await ids("marcus@acme.test", "mei@acme.test"),
      await office("Austin"),
      now,
    );
    expect(plan!.to.disabledReason).toMatch(/another price level/);
    const globex = await t.db
      .selectFrom("offices")
      .select("id")
      .where("name", "=", "Springfield")
      .executeTakeFirstOrThrow();
    expect(await planTransfers(t.db, ada, await ids("marcus@acme.test"), globex.id, now)).toBeNull();
  });
});

describe("same country", () => {
  it("San Francisco → New York: office, groups and old-office admin rights change; numbers and seats move; the rest is skipped with reasons", async () => {
    const [ny, sf] = [await office("New York"), await office("San Francisco")];
    const [marcus, kwame, jasper, sienna, olive, carlos] = await ids(
      "marcus@acme.test",
      "kwame@acme.test",
      "jasper@acme.test",
      "sienna@acme.test",
      "olive@acme.test",
      "carlos@acme.test",
    );
    await t.db.insertInto("office_admins").values({ user_id: kwame, office_id: sf }).execute();
    const before = {
      sfConnect: await assigned("San Francisco", "connect"),
      nyConnect: await assigned("New York", "connect"),
      sfSupport: await assigned("San Francisco", "support"),
      nySupport: await assigned("New York", "support"),
      sfAddon: await assigned("San Francisco", "local_number"),
      nyAddon: await assigned("New York", "local_number"),
    };
    const numbersBefore = await t.db
      .selectFrom("phone_numbers")
      .select(["id", "e164", "addon_license_type"])
      .where("assigned_user_id", "in", [marcus, kwame])
      .orderBy("id")
      .execute();

    const { plan, confirm } = await reviewAndConfirm(
      t.db,
      ada,
      [marcus, kwame, jasper, sienna, olive, carlos],
      ny,
    );
    const row = (id: number) => plan.rows.find((r) => r.id === id)!;
    expect(row(marcus)).toMatchObject({ outcome: "done", officeName: "San Francisco" });
    expect(row(marcus).changes).toEqual([
      "San Francisco → New York.",
      "The Connect license seat moves to New York.",
      "Leaves Engineering (groups of San Francisco).",
      expect.stringMatching(/^Keeps \+1 415/),
    ]);
    expect(row(kwame).changes).toContain("Office Admin rights over San Francisco end.");
    expect(row(kwame).changes).toContain("Leaves Support Desk (groups of San Francisco).");
    expect(row(jasper)).toMatchObject({
      outcome: "skipped",
      detail: expect.stringMatching(/not accepted the invite/),
    });
    expect(row(sienna)).toMatchObject({ outcome: "skipped", detail: expect.stringMatching(/^Deleted/) });
    expect(row(olive)).toMatchObject({ outcome: "skipped", detail: "Already works in New York." });
    expect(row(carlos)).toMatchObject({
      outcome: "skipped",
      detail: expect.stringMatching(/^At another price level/),
    });

    const r = await confirm();
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.outcomes.map((o) => [o.id, o.outcome])).toEqual(plan.rows.map((p) => [p.id, p.outcome]));
    const users = await t.db
      .selectFrom("users")
      .select(["id", "office_id", "license_type", "status"])
      .where("id", "in", [marcus, kwame, jasper, olive, carlos])
      .execute();
    expect(
      users
        .filter((u) => u.office_id === ny)
        .map((u) => u.id)
        .sort(),
    ).toEqual([marcus, kwame, olive].sort());
    expect(users.find((u) => u.id === jasper)!.office_id).toBe(sf);
    const numbersAfter = await t.db
      .selectFrom("phone_numbers")
      .select(["id", "e164", "addon_license_type", "office_id"])
      .where("assigned_user_id", "in", [marcus, kwame])
      .orderBy("id")
      .execute();
    expect(numbersAfter).toEqual(numbersBefore.map((n) => ({ ...n, office_id: ny })));
    expect(
      await t.db
        .selectFrom("group_members")
        .select("group_id")
        .where("user_id", "in", [marcus, kwame])
        .execute(),
    ).toEqual([]);
    expect(
      await t.db.selectFrom("office_admins").select("office_id").where("user_id", "=", kwame).execute(),
    ).toEqual([]);
    expect(await assigned("San Francisco", "connect")).toBe(before.sfConnect - 1);
    expect(await assigned("New York", "connect")).toBe(before.nyConnect + 1);
    expect(await assigned("San Francisco", "support")).toBe(before.sfSupport - 1);
    expect(await assigned("New York", "support")).toBe(before.nySupport + 1);
    expect(await assigned("San Francisco", "local_number")).toBe(before.sfAddon - 1);
    expect(await assigned("New York", "local_number")).toBe(before.nyAddon + 1);
    await expectPoolsConsistent(t.db);

    // One audit entry per user moved, and the outcome for the result page, in the same transaction.
    const entries = await t.db
      .selectFrom("audit_log")
      .select(["action", "target_id"])
      .where("action", "=", "user.transferred")
      .where("target_id", "in", [String(marcus), String(kwame)])
      .execute();
    expect(entries).toHaveLength(2);
    const result = (await bulkResult(t.db, ada, r.auditId))!;
    expect(result.action).toBe("transfer");
    expect(result.outcomes.find((o) => o.id === marcus)).toMatchObject({
      outcome: "done",
      detail: expect.stringMatching(/^Now works in New York\. Removed from Engineering\./),
    });
    expect(result.outcomes.find((o) => o.id === carlos)).toMatchObject({ outcome: "skipped" });
    // The recorded outcomes name no one: anonymization does not rewrite them.
    const recorded = await t.db
      .selectFrom("audit_log")
      .select("after")
      .where("id", "=", r.auditId)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(recorded.after)).not.toMatch(/Marcus|Chen|Kwame|Jasper|Sienna|Olive|Carlos/);
  });

  it("seats are counted down user by user: those past the last free seat are skipped", async () => {
    const ny = await office("New York");
    const [mei, ben] = await ids("mei@acme.test", "ben@acme.test");
    await t.db
      .updateTable("license_pools")
      .set((eb) => ({ purchased: eb("assigned", "+", 1) }))
      .where("office_id", "=", ny)
      .where("license_type", "in", ["connect", "meetings"])
      .execute();
    const { plan, confirm } = await reviewAndConfirm(t.db, ada, [mei, ben], ny);
    // Ben Okafor sorts first and takes the last Connect seat; Mei Tanaka finds none.
    expect(plan.rows.map((r) => [r.name, r.outcome])).toEqual([
      ["Ben Okafor", "done"],
      ["Mei Tanaka", "skipped"],
    ]);
    expect(plan.rows[1]!.detail).toMatch(/^New York has no unassigned Connect license left for this user/);
    expect(await confirm()).toMatchObject({ ok: true });
    expect(await assigned("New York", "connect")).toBe(
      (
        await t.db
          .selectFrom("license_pools")
          .select("purchased")
          .where("office_id", "=", ny)
          .where("license_type", "=", "connect")
          .executeTakeFirstOrThrow()
      ).purchased,
    );
    await expectPoolsConsistent(t.db);
  });
});

describe("another country", () => {
  it("San Francisco → Toronto: local and fax numbers to the San Francisco pool, new Canadian numbers from Toronto's pool, then the provider", async () => {
    const [sf, tor] = [await office("San Francisco"), await office("Toronto")];
    const people = await ids("fatima@acme.test", "priya@acme.test", "diego@acme.test");
    await t.db
      .updateTable("license_pools")
      .set((eb) => ({ purchased: eb("purchased", "+", 3) }))
      .where("office_id", "=", tor)
      .execute();
    const freePool = await t.db
      .selectFrom("phone_numbers")
      .select("e164")
      .where("office_id", "=", tor)
      .where("state", "=", "reserved")
      .where("kind", "=", "local")
      .where("held_for_user_id", "is", null)
      .execute();
    // Fewer free pool numbers than users, so both sources are used.
    expect(freePool.length).toBeGreaterThan(0);
    expect(freePool.length).toBeLessThan(3);
    const old = await t.db
      .selectFrom("phone_numbers")
      .select(["id", "e164", "kind", "assigned_user_id"])
      .where("assigned_user_id", "in", people)
      .execute();

    const { plan, confirm } = await reviewAndConfirm(t.db, ada, people, tor);
    expect(plan.rows.map((r) => r.outcome)).toEqual(["done", "done", "done"]);
    const held = await t.db
      .selectFrom("review_holds")
      .select(["user_id", "e164"])
      .where("user_id", "in", people)
      .execute();
    const offered = plan.rows.map((r) => held.find((h) => h.user_id === r.id)!.e164);
    expect(new Set(offered).size).toBe(3);
    for (const n of offered) expect(n).toMatch(/^\+1416/);
    const sources = plan.rows.map(
      (r) => r.changes.find((c) => c.startsWith("New local number"))!.match(/\((.*)\)/)![1],
    );
    expect(sources).toEqual(
      [0, 1, 2].map((i) =>
        i < freePool.length ? "from Toronto's Reserved Pool" : "from the number provider",
      ),
    );
    const fatima = plan.rows.find((r) => r.name === "Fatima Al-Sayed")!;
    expect(fatima.changes.find((c) => c.includes("Reserved Pool") && c.includes("San Francisco"))).toMatch(
      /^\+1 415 .*, \+1 415 .* go to San Francisco's Reserved Pool\.$/,
    );

    expect(await confirm()).toMatchObject({ ok: true });
    const pooled = await t.db
      .selectFrom("phone_numbers")
      .select(["id", "state", "office_id", "last_holder_user_id", "last_office_id", "addon_license_type"])
      .where(
        "id",
        "in",
        old.map((n) => n.id),
      )
      .execute();
    for (const n of pooled) {
      const was = old.find((o) => o.id === n.id)!;
      expect(n).toEqual({
        id: n.id,
        state: "reserved",
        office_id: sf,
        last_holder_user_id: was.assigned_user_id,
        last_office_id: sf,
        addon_license_type: null,
      });
    }
    const holders = await t.db
      .selectFrom("phone_numbers")
      .select("last_holder_name")
      .where(
        "id",
        "in",
        old.map((n) => n.id),
      )
      .execute();
    expect(new Set(holders.map((h) => h.last_holder_name))).toEqual(
      new Set(["Fatima Al-Sayed", "Priya Raman", "Diego Alvarez"]),
    );
    const now_ = await t.db
      .selectFrom("phone_numbers")
      .select(["e164", "country", "office_id", "is_primary", "assigned_user_id", "addon_license_type"])
      .where("assigned_user_id", "in", people)
      .execute();
    expect(now_.map((n) => n.e164).sort()).toEqual([...offered].sort());
    for (const n of now_) expect(n).toMatchObject({ country: "CA", office_id: tor, is_primary: true });
    // Diego sells: his new number holds the Local number add-on his old one did.
    const diego = plan.rows.find((r) => r.name === "Diego Alvarez")!;
    expect(now_.find((n) => n.assigned_user_id === diego.id)!.addon_license_type).toBe("local_number");
    const users = await t.db
      .selectFrom("users")
      .select(["office_id", "license_type"])
      .where("id", "in", people)
      .execute();
    expect(users.every((u) => u.office_id === tor)).toBe(true);
    await expectPoolsConsistent(t.db);
  });
});

describe("refusals", () => {
  it("a stale review changes nothing and names who changed", async () => {
    const ny = await office("New York");
    const [lucia, tom] = await ids("lucia@acme.test", "tom@acme.test");
    const { confirm } = await reviewAndConfirm(t.db, ada, [lucia, tom], ny);
    await t.db.deleteFrom("group_members").where("user_id", "=", lucia).execute();
    expect(await confirm()).toEqual({
      ok: false,
      kind: "stale",
      message: expect.stringMatching(
        /^Something changed for Lucía Fernández since this review was shown.*nothing was changed/,
      ),
    });
    const users = await t.db
      .selectFrom("users")
      .select("office_id")
      .where("id", "in", [lucia, tom])
      .execute();
    expect(users.map((u) => u.office_id)).toEqual([
      await office("San Francisco"),
      await office("San Francisco"),
    ]);
  });

  it("a review confirmed twice: the second finds everyone moved, and is refused as stale", async () => {
    const ny = await office("New York");
    const [hannah] = await ids("hannah@acme.test");
    const { confirm } = await reviewAndConfirm(t.db, ada, [hannah], ny);
    expect(await confirm()).toMatchObject({ ok: true });
    expect(await confirm()).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^Something changed for Hannah Schmidt/),
    });
  });

  it("Office Admins and the Standard plan may not", async () => {
    const oscar = await actorFor(t.db, "oscar@acme.test", now);
    const [uma] = await ids("uma@acme.test");
    const input = { action: "transfer" as const, to: await office("New York"), id: [uma], seen: [] };
    expect(await transferUsers(t.db, oscar, input, now)).toEqual({
      ok: false,
      kind: "refused",
      message: "Only Company Admins transfer users between offices.",
    });
    const gina = await actorFor(t.db, "gina@globex.test", now);
    expect(await transferUsers(t.db, gina, input, now)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/Advanced and Premium plans/),
    });
  });
});

it("a bulk transfer of 1,000 users runs as many statements as one of 100", async () => {
  const counted = (n: number) =>
    statementsOf(
      async (db) => {
        await seedDemo(db, now);
        await seedScale(db, n, () => undefined);
        const me = await actorFor(db, "ada@acme.test", now);
        const ny = await officeId(db, "New York");
        await db
          .updateTable("license_pools")
          .set((eb) => ({ purchased: eb("assigned", "+", 5000) }))
          .where("office_id", "=", ny)
          .execute();
        // Everyone but Toronto's (another country: a provider number each) — San Francisco's move, the rest are skipped.
        const ids = (
          await db
            .selectFrom("users as u")
            .innerJoin("offices as o", "o.id", "u.office_id")
            .select("u.id")
            .where("u.email", "like", "%.%@acme.test")
            .where("o.name", "<>", "Toronto")
            .execute()
        ).map((r) => r.id);
        const plan = (await planTransfers(db, me, ids, ny, now))!;
        const moving = plan.rows.filter((r) => r.outcome === "done").length;
        expect(moving).toBeGreaterThan(n / 10);
        return { me, ny, plan, moving };
      },
      async (db, { me, ny, plan, moving }) => {
        const r = await transferUsers(db, me, confirmation(plan, ny), now);
        expect(r).toMatchObject({ ok: true });
        if (r.ok) expect(r.outcomes.filter((o) => o.outcome === "done")).toHaveLength(moving);
      },
    );
  const small = await counted(100);
  const large = await counted(1000);
  expect(large).toBe(small);
  expect(small).toBeLessThan(20);
});

describe.runIf(!!process.env.DATABASE_URL)("on the PostgreSQL server", () => {
  let s: TestDatabase;
  let a1: Actor, a2: Actor;
  beforeAll(async () => {
    s = await freshDatabase({ poolSize: 6 });
    await seedDemo(s.db, now);
    a1 = await actorFor(s.db, "ada@acme.test", now);
    // A second Company Admin for the test.
    await s.db
      .updateTable("users")
      .set({ is_company_admin: true })
      .where("email", "=", "ben@acme.test")
      .execute();
    a2 = await actorFor(s.db, "ben@acme.test", now);
    await s.db
      .updateTable("license_pools")
      .set((eb) => ({ purchased: eb("purchased", "+", 5) }))
      .execute();
  });
  afterAll(() => s?.close());

  it("overlapping sets confirmed by two admins at the same instant: each user ends in one office, pools consistent", async () => {
    const [ny, tor] = [await officeId(s.db, "New York"), await officeId(s.db, "Toronto")];
    const [uma, marcus, mei] = await idsOf(s.db, "uma@acme.test", "marcus@acme.test", "mei@acme.test");
    const first = await reviewAndConfirm(s.db, a1, [uma, marcus], ny);
    const second = await reviewAndConfirm(s.db, a2, [marcus, mei], tor);
    const results = await Promise.all([first.confirm(), second.confirm()]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.find((r) => !r.ok)).toMatchObject({
      message: expect.stringMatching(/^Something changed for Marcus Chen/),
    });
    const offices = await s.db
      .selectFrom("users")
      .select(["id", "office_id"])
      .where("id", "in", [uma, marcus, mei])
      .execute();
    const won = results[0]!.ok ? { ids: [uma, marcus], office: ny } : { ids: [marcus, mei], office: tor };
    for (const u of offices) expect(u.office_id === won.office).toBe(won.ids.includes(u.id));
    await expectPoolsConsistent(s.db);
  });

  it("two reviews at the same instant hold different new numbers, and both confirms get theirs", async () => {
    const tor = await officeId(s.db, "Toronto");
    const [noah, fatima] = await idsOf(s.db, "noah@acme.test", "fatima@acme.test");
    const [first, second] = await Promise.all([
      reviewAndConfirm(s.db, a1, [noah], tor),
      reviewAndConfirm(s.db, a2, [fatima], tor),
    ]);
    const offered = (plan: typeof first.plan) =>
      plan.rows[0]!.changes.find((c) => c.startsWith("New local number"));
    expect(offered(first.plan)).toBeTruthy();
    expect(offered(second.plan)).not.toBe(offered(first.plan));
    const results = await Promise.all([first.confirm(), second.confirm()]);
    expect(results.filter((r) => r.ok)).toHaveLength(2);
    const numbers = await s.db
      .selectFrom("phone_numbers")
      .select(["e164", "assigned_user_id"])
      .where("country", "=", "CA")
      .where("state", "=", "assigned")
      .execute();
    expect(new Set(numbers.map((n) => n.e164)).size).toBe(numbers.length);
    const primaries = await s.db
      .selectFrom("phone_numbers")
      .select("assigned_user_id")
      .where("assigned_user_id", "in", [noah, fatima])
      .where("is_primary", "=", true)
      .execute();
    expect(primaries).toHaveLength(2);
    await expectPoolsConsistent(s.db);
  });
});
