/**
 * Transfer user: same country (numbers and license move with the user),
 * another country (numbers to the old office's pool, a new local number),
 * the refusals, and a race on the PostgreSQL server.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, type TestDatabase } from "../support/db.ts";
import { actorFor } from "../support/actors.ts";
import { seedDemo } from "../../db/seed/demo.ts";
import { startTransferReview, previewTransfer, transferUser } from "../../app/users/transfer.server.ts";
import type { Actor } from "../../app/auth/actor.server.ts";
import type { LicenseType } from "../../db/schema.ts";
import { acmeOfficeId, userIdOf } from "../support/demo.ts";
import { expectPoolsConsistent } from "../support/seats.ts";

let t: TestDatabase;
let ada: Actor;
const now = new Date("2026-11-27T12:00:00Z");
beforeAll(async () => {
  t = await freshDatabase();
  await seedDemo(t.db, now);
  ada = await actorFor(t.db, "ada@acme.test", now);
});
afterAll(() => t.close());

const office = (name: string) => acmeOfficeId(t.db, name);
const userId = (email: string) => userIdOf(t.db, email);

const assigned = async (officeName: string, type: LicenseType) =>
  t.db
    .selectFrom("license_pools")
    .select("assigned")
    .where("office_id", "=", await office(officeName))
    .where("license_type", "=", type)
    .executeTakeFirstOrThrow()
    .then((p) => p.assigned);

/** Next (which holds a new number for another country), the review, Confirm transfer. */
async function confirm(actor: Actor, id: number, officeName: string) {
  const to = await office(officeName);
  await startTransferReview(t.db, actor, [id], to, now);
  const p = (await previewTransfer(t.db, actor, id, to, now))!;
  return transferUser(t.db, actor, id, { office: p.to.id, seen: p.key }, now);
}

describe("same country", () => {
  it("San Francisco → New York: only the office, groups and old-office admin rights change", async () => {
    const noah = await userId("noah@acme.test");
    const sf = await office("San Francisco");
    const ny = await office("New York");
    await t.db.insertInto("office_admins").values({ user_id: noah, office_id: sf }).execute();
    await t.db
      .insertInto("office_admins")
      .values({ user_id: noah, office_id: await office("Toronto") })
      .execute();
    const before = await t.db
      .selectFrom("users")
      .selectAll()
      .where("id", "=", noah)
      .executeTakeFirstOrThrow();
    const numbersBefore = await t.db
      .selectFrom("phone_numbers")
      .select(["e164", "kind", "addon_license_type"])
      .where("assigned_user_id", "=", noah)
      .orderBy("e164")
      .execute();
    const counts = {
      sfConnect: await assigned("San Francisco", "connect"),
      nyConnect: await assigned("New York", "connect"),
      sfFax: await assigned("San Francisco", "fax_line"),
      nyFax: await assigned("New York", "fax_line"),
    };

    const p = (await previewTransfer(t.db, ada, noah, ny, now))!;
    expect(p.refusal).toBeNull();
    expect(p.international).toBe(false);
    expect(p.groupsEnding.map((g) => g.name)).toEqual(["Sales"]);
    expect(p.adminRightsEnding).toBe(true);
    expect(p.numbersMoving).toHaveLength(2);
    expect(p.newNumber).toBeNull();

    const r = await transferUser(t.db, ada, noah, { office: ny, seen: p.key }, now);
    expect(r).toMatchObject({ ok: true });
    const after = await t.db.selectFrom("users").selectAll().where("id", "=", noah).executeTakeFirstOrThrow();
    expect(after).toEqual({ ...before, office_id: ny });
    const numbersAfter = await t.db
      .selectFrom("phone_numbers")
      .select(["e164", "kind", "addon_license_type", "office_id"])
      .where("assigned_user_id", "=", noah)
      .orderBy("e164")
      .execute();
    expect(numbersAfter).toEqual(numbersBefore.map((n) => ({ ...n, office_id: ny })));
    const groups = await t.db
      .selectFrom("group_members")
      .select("group_id")
      .where("user_id", "=", noah)
      .execute();
    expect(groups).toEqual([]);
    const admin = await t.db
      .selectFrom("office_admins")
      .select("office_id")
      .where("user_id", "=", noah)
      .execute();
    expect(admin.map((a) => a.office_id)).toEqual([await office("Toronto")]);
    expect(await assigned("San Francisco", "connect")).toBe(counts.sfConnect - 1);
    expect(await assigned("New York", "connect")).toBe(counts.nyConnect + 1);
    expect(await assigned("San Francisco", "fax_line")).toBe(counts.sfFax - 1);
    expect(await assigned("New York", "fax_line")).toBe(counts.nyFax + 1);
    const audit = await t.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "user.transferred")
      .where("target_id", "=", String(noah))
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.target_type).toBe("user");
  });
});

describe("another country", () => {
  it("San Francisco → Toronto: local and fax numbers to the San Francisco pool, a Canadian number, license kept", async () => {
    const fatima = await userId("fatima@acme.test");
    const sf = await office("San Francisco");
    const tor = await office("Toronto");
    const old = await t.db
      .selectFrom("phone_numbers")
      .select(["id", "e164", "kind"])
      .where("assigned_user_id", "=", fatima)
      .orderBy("e164")
      .execute();
    expect(old.map((n) => n.kind).sort()).toEqual(["fax", "local"]);
    const sfFax = await assigned("San Francisco", "fax_line");
    const torConnect = await assigned("Toronto", "connect");

    await startTransferReview(t.db, ada, [fatima], tor, now);
    const p = (await previewTransfer(t.db, ada, fatima, tor, now))!;
    expect(p.refusal).toBeNull();
    expect(p.international).toBe(true);
    expect(p.numbersRemoved.map((n) => n.e164).sort()).toEqual(old.map((n) => n.e164).sort());
    expect(p.newNumber?.e164).toMatch(/^\+1416/);

    const r = await transferUser(t.db, ada, fatima, { office: tor, seen: p.key }, now);
    expect(r).toMatchObject({ ok: true });
    const u = await t.db
      .selectFrom("users")
      .select(["office_id", "license_type", "status"])
      .where("id", "=", fatima)
      .executeTakeFirstOrThrow();
    expect(u).toEqual({ office_id: tor, license_type: "connect", status: "active" });
    const pooled = await t.db
      .selectFrom("phone_numbers")
      .select([
        "state",
        "office_id",
        "last_holder_user_id",
        "last_holder_name",
        "last_office_id",
        "addon_license_type",
      ])
      .where(
        "id",
        "in",
        old.map((n) => n.id),
      )
      .execute();
    for (const n of pooled) {
      expect(n).toEqual({
        state: "reserved",
        office_id: sf,
        last_holder_user_id: fatima,
        last_holder_name: "Fatima Al-Sayed",
        last_office_id: sf,
        addon_license_type: null,
      });
    }
    const now_ = await t.db
      .selectFrom("phone_numbers")
      .select(["e164", "country", "office_id", "is_primary", "kind"])
      .where("assigned_user_id", "=", fatima)
      .execute();
    expect(now_).toEqual([
      { e164: p.newNumber!.e164, country: "CA", office_id: tor, is_primary: true, kind: "local" },
    ]);
    expect(await assigned("San Francisco", "fax_line")).toBe(sfFax - 1);
    expect(await assigned("Toronto", "connect")).toBe(torConnect + 1);
  });
});

describe("refusals", () => {
  it("another price level: Austin (USD-2) and London (GBP-1)", async () => {
    const hannah = await userId("hannah@acme.test");
    for (const name of ["Austin", "London"]) {
      const r = await confirm(ada, hannah, name);
      expect(r).toMatchObject({ ok: false, message: expect.stringMatching(/another price level/) });
    }
    const u = await t.db
      .selectFrom("users")
      .select("office_id")
      .where("id", "=", hannah)
      .executeTakeFirstOrThrow();
    expect(u.office_id).toBe(await office("San Francisco"));
  });

  it("an Office Admin, and Globex on the Standard plan", async () => {
    const oscar = await actorFor(t.db, "oscar@acme.test", now);
    const hannah = await userId("hannah@acme.test");
    const r = await transferUser(t.db, oscar, hannah, { office: await office("New York"), seen: "x" }, now);
    expect(r).toMatchObject({ ok: false, message: "Only Company Admins transfer users between offices." });
    const gina = await actorFor(t.db, "gina@globex.test", now);
    const globexUser = await t.db
      .selectFrom("users")
      .select(["id", "office_id"])
      .where("company_id", "=", gina.company.id)
      .where("id", "<>", gina.person.id)
      .executeTakeFirstOrThrow();
    const g = await transferUser(t.db, gina, globexUser.id, { office: globexUser.office_id, seen: "x" }, now);
    expect(g).toMatchObject({ ok: false, message: expect.stringMatching(/Advanced and Premium plans/) });
  });

  it("a deleted or pending user", async () => {
    const ny = await office("New York");
    const jasper = await userId("jasper@acme.test");
    expect(await confirm(ada, jasper, "New York")).toMatchObject({
      ok: false,
      message: expect.stringMatching(/not accepted the invite/),
    });
    const sienna = await userId("sienna@acme.test");
    expect(await transferUser(t.db, ada, sienna, { office: ny, seen: "x" }, now)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/deleted/),
    });
  });

  it("a stale review changes nothing", async () => {
    const lucia = await userId("lucia@acme.test");
    const ny = await office("New York");
    const p = (await previewTransfer(t.db, ada, lucia, ny, now))!;
    expect(p.refusal).toBeNull();
    await t.db.deleteFrom("group_members").where("user_id", "=", lucia).execute();
    const r = await transferUser(t.db, ada, lucia, { office: ny, seen: p.key }, now);
    expect(r).toMatchObject({ ok: false, message: expect.stringMatching(/Something changed/) });
    const u = await t.db
      .selectFrom("users")
      .select("office_id")
      .where("id", "=", lucia)
      .executeTakeFirstOrThrow();
    expect(u.office_id).toBe(await office("San Francisco"));
  });

  it("no unassigned seat of the user's license type in the new office", async () => {
    const ny = await office("New York");
    await t.db
      .updateTable("license_pools")
      .set((eb) => ({ purchased: eb.ref("assigned") }))
      .where("office_id", "=", ny)
      .where("license_type", "=", "support")
      .execute();
    const tom = await userId("tom@acme.test");
    const p = (await previewTransfer(t.db, ada, tom, ny, now))!;
    expect(p.refusal).toMatch(/New York has no unassigned Support license/);
  });
});

describe("on the PostgreSQL server", () => {
  let s: TestDatabase | undefined;
  const onServer = !!process.env.DATABASE_URL;
  afterAll(() => s?.close());

  it.runIf(onServer)(
    "the same user transferred by two admins at the same instant ends in one office, pools consistent",
    async () => {
      s = await freshDatabase({ poolSize: 6 });
      await seedDemo(s.db, now);
      const db = s.db;
      const a1 = await actorFor(db, "ada@acme.test", now);
      // A second Company Admin for the test.
      await db
        .updateTable("users")
        .set({ is_company_admin: true })
        .where("email", "=", "ben@acme.test")
        .execute();
      const a2 = await actorFor(db, "ben@acme.test", now);
      const offices = await db
        .selectFrom("offices")
        .select(["id", "name"])
        .where("company_id", "=", a1.company.id)
        .execute();
      const ny = offices.find((o) => o.name === "New York")!.id;
      const tor = offices.find((o) => o.name === "Toronto")!.id;
      const priya = await db
        .selectFrom("users")
        .select("id")
        .where("email", "=", "priya@acme.test")
        .executeTakeFirstOrThrow();
      await Promise.all([
        startTransferReview(db, a1, [priya.id], ny, now),
        startTransferReview(db, a2, [priya.id], tor, now),
      ]);
      const [p1, p2] = await Promise.all([
        previewTransfer(db, a1, priya.id, ny, now),
        previewTransfer(db, a2, priya.id, tor, now),
      ]);
      expect(p2!.newNumber).not.toBeNull();
      const results = await Promise.all([
        transferUser(db, a1, priya.id, { office: ny, seen: p1!.key }, now),
        transferUser(db, a2, priya.id, { office: tor, seen: p2!.key }, now),
      ]);
      expect(results.filter((r) => r?.ok)).toHaveLength(1);
      const u = await db
        .selectFrom("users")
        .select("office_id")
        .where("id", "=", priya.id)
        .executeTakeFirstOrThrow();
      expect([ny, tor]).toContain(u.office_id);
      await expectPoolsConsistent(db);
      const primaries = await db
        .selectFrom("phone_numbers")
        .select("e164")
        .where("assigned_user_id", "=", priya.id)
        .where("is_primary", "=", true)
        .execute();
      expect(primaries).toHaveLength(1);
    },
  );
});
