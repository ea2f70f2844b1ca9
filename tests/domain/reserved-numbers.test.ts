/**
 * The Reserved Pool through its domain modules, with real actors and an
 * injected clock: the list and its scope, the hold ending by the clock,
 * reassigning (each target, each seat rule, each refusal), deleting, and
 * removing a number from a user.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, statementsOf, type TestDatabase } from "../support/db.ts";
import { actorFor } from "../support/actors.ts";
import { acmeOfficeId } from "../support/demo.ts";
import { seedDemo } from "../../db/seed/demo.ts";
import type { Actor } from "../../app/auth/actor.server.ts";
import { listPool } from "../../app/numbers/pool.server.ts";
import { readPoolParams } from "../../app/numbers/pool-params.ts";
import { loadReassignForm, reassignNumber } from "../../app/numbers/reassign.server.ts";
import { releaseNumber } from "../../app/numbers/release.server.ts";
import { previewRemoval, removeNumber } from "../../app/numbers/remove.server.ts";
import { deleteUsers } from "../../app/users/delete.server.ts";
import { deletedCursorOf, listDeleted } from "../../app/users/deleted.server.ts";
import { seedScale } from "../../db/seed/scale.ts";
import type { LicenseType } from "../../db/schema.ts";

const NOW = new Date("2026-11-27T12:00:00Z");
const HOUR = 3600_000;
const later = (hours: number) => new Date(NOW.getTime() + hours * HOUR);

let t: TestDatabase;
let ada: Actor, olive: Actor, carlos: Actor, gina: Actor;
beforeAll(async () => {
  t = await freshDatabase();
  await seedDemo(t.db, NOW);
  [ada, olive, carlos, gina] = await Promise.all(
    ["ada@acme.test", "olive@acme.test", "carlos@acme.test", "gina@globex.test"].map((e) =>
      actorFor(t.db, e, NOW),
    ),
  );
});
afterAll(() => t.close());

const pool = (actor: Actor, query = "", now = NOW) =>
  listPool(t.db, actor, readPoolParams(new URL(`http://x/?${query}`)).params, now);
const holders = async (actor: Actor, query = "", now = NOW) =>
  (await pool(actor, query, now)).numbers.map((n) => n.lastHolderName);

/** The reserved number last held by this person. */
async function reservedOf(name: string) {
  return t.db
    .selectFrom("phone_numbers")
    .selectAll()
    .where("last_holder_name", "=", name)
    .where("state", "=", "reserved")
    .executeTakeFirstOrThrow();
}
const numberById = (id: number) =>
  t.db.selectFrom("phone_numbers").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
const person = (email: string) =>
  t.db.selectFrom("users").selectAll().where("email", "=", email).executeTakeFirstOrThrow();
const numbersOf = (userId: number) =>
  t.db
    .selectFrom("phone_numbers")
    .selectAll()
    .where("assigned_user_id", "=", userId)
    .orderBy("e164")
    .execute();
const office = (name: string) => acmeOfficeId(t.db, name);
async function seats(officeName: string, type: LicenseType) {
  const o = await office(officeName);
  return t.db
    .selectFrom("license_pools")
    .select(["purchased", "assigned"])
    .where("office_id", "=", o)
    .where("license_type", "=", type)
    .executeTakeFirstOrThrow();
}
async function group(officeName: string, name: string) {
  const o = await office(officeName);
  return t.db
    .selectFrom("groups")
    .select("id")
    .where("office_id", "=", o)
    .where("name", "=", name)
    .executeTakeFirstOrThrow();
}
const auditFor = (numberId: number) =>
  t.db
    .selectFrom("audit_log")
    .selectAll()
    .where("target_type", "=", "phone_number")
    .where("target_id", "=", String(numberId))
    .execute();

/**
 * Every page of a keyset list, walked with Next from the first and with
 * Previous from the last: each page's ids (Previous from the last ends on the
 * first page, shown full, so its pages may overlap).
 */
async function walkPages<
  P extends { prev: string | null; next: string | null; atStart: boolean; atEnd: boolean },
>(open: (cursor?: string) => Promise<P>, ids: (page: P) => number[]) {
  const forward: number[][] = [];
  let page = await open();
  expect(page.atStart).toBe(true);
  for (;;) {
    forward.push(ids(page));
    if (!page.next) break;
    page = await open(page.next);
  }
  expect(page.atEnd).toBe(true);
  const backward: number[][] = [];
  page = await open("last");
  expect(page.atEnd).toBe(true);
  for (;;) {
    backward.unshift(ids(page));
    if (!page.prev) break;
    page = await open(page.prev);
  }
  expect(page.atStart).toBe(true);
  for (const p of [...forward.slice(0, -1), ...backward]) expect(p.length).toBeLessThanOrEqual(50);
  expect(forward.slice(0, -1).every((p) => p.length === 50)).toBe(true);
  return { forward, backward };
}

describe("Reserved Numbers pages", () => {
  let h: TestDatabase;
  let me: Actor;
  let sf: number;
  beforeAll(async () => {
    h = await freshDatabase();
    await seedDemo(h.db, NOW);
    me = await actorFor(h.db, "ada@acme.test", NOW);
    sf = await acmeOfficeId(h.db, "San Francisco");
    // 1,100 more in San Francisco, at three instants (ties of hundreds), every tenth a fax, every fiftieth
    // never assigned (in the pool since it was bought).
    await sql`insert into phone_numbers (company_id, office_id, e164, country, kind, state, last_holder_name, unassigned_at)
      select ${me.company.id}::int, ${sf}::int, '+1415999' || lpad(i::text, 4, '0'), 'US',
             case when i % 10 = 0 then 'fax' else 'local' end, 'reserved', 'Pager ' || i,
             case when i % 50 = 0 then null else ${NOW}::timestamptz - (i % 3) * interval '1 hour' end
        from generate_series(1, 1100) i`.execute(h.db);
  });
  afterAll(() => h.close());

  const open = (query: string) => (cursor?: string) =>
    listPool(
      h.db,
      me,
      readPoolParams(new URL(`http://x/?${query}${cursor ? `&cursor=${cursor}` : ""}`)).params,
      NOW,
    );
  const ids = (p: Awaited<ReturnType<ReturnType<typeof open>>>) => p.numbers.map((n) => n.id);
  /** The pool's order, as SQL reads it whole. */
  const expected = async (
    dir: "asc" | "desc",
    where: (qb: ReturnType<typeof reserved>) => ReturnType<typeof reserved>,
  ) =>
    (
      await where(reserved())
        .orderBy(sql`coalesce(unassigned_at, created_at) ${sql.raw(dir)}`)
        .orderBy(sql`id ${sql.raw(dir)}`)
        .execute()
    ).map((r) => r.id);
  const reserved = () =>
    h.db
      .selectFrom("phone_numbers")
      .select("id")
      .where("company_id", "=", me.company.id)
      .where("state", "=", "reserved");

  for (const dir of ["desc", "asc"] as const) {
    it(`walks every page forward and back, ${dir}, ties by id`, async () => {
      const { forward, backward } = await walkPages(open(dir === "asc" ? "dir=asc" : ""), ids);
      const all = await expected(dir, (qb) => qb);
      expect(forward.flat()).toEqual(all);
      expect([...new Set(backward.flat())]).toEqual(all);
    });
  }

  it("pages a filtered pool, and counts it exactly while it is small", async () => {
    const query = `office=${sf}&kind=fax`;
    const { forward } = await walkPages(open(query), ids);
    const all = await expected("desc", (qb) => qb.where("office_id", "=", sf).where("kind", "=", "fax"));
    expect(all.length).toBeGreaterThan(100);
    expect(forward.flat()).toEqual(all);
    expect((await open(query)()).total).toEqual({ n: all.length, is: "exact" });
    // The name search, through its trigram index: every match, a number last held by one of them.
    const searched = await open("q=pager")();
    expect(searched.numbers.map((n) => n.lastHolderName!.slice(0, 6))).toEqual(Array(50).fill("Pager "));
  });

  it("says about how many past the exact bound, without counting them all", async () => {
    const { total } = await open("")();
    expect(total.is).not.toBe("exact");
    expect(total.n).toBeGreaterThanOrEqual(1000);
  });

  it("shows the first page for a cursor it did not write, and the last for one past the end", async () => {
    const first = ids(await open("")());
    for (const bad of [
      "next.garbage",
      "prev.WyJ4IiwxXQ",
      `next.${Buffer.from('["1", "2", 3]').toString("base64url")}`,
    ])
      expect(ids(await open("")(bad))).toEqual(first);
    // A hand-made query string with a malformed cursor: the params fall back too.
    expect(ids(await open("cursor=next.%00")())).toEqual(first);
    const pastEnd = `next.${Buffer.from(JSON.stringify(["0", 1])).toString("base64url")}`;
    const last = await open("")(pastEnd);
    expect(last.atEnd).toBe(true);
    expect(ids(last)).toEqual(ids(await open("")("last")));
  });
});

describe("the Reserved Numbers list", () => {
  it("shows each admin the reserved numbers of their offices only", async () => {
    const all = await holders(ada);
    expect(all).toEqual(
      expect.arrayContaining([
        "Patrick Doyle",
        "Helen Park",
        "Tara Nolan",
        "Sienna Walsh",
        "Daniel Kim",
        "Victor Huang",
      ]),
    );
    expect(new Set((await pool(olive)).numbers.map((n) => n.officeName))).toEqual(new Set(["New York"]));
    expect(new Set((await pool(carlos)).numbers.map((n) => n.officeName))).toEqual(
      new Set(["Austin", "London"]),
    );
    expect((await pool(gina)).total).toEqual({ n: 0, is: "exact" });
    const sf = await office("San Francisco");
    expect((await pool(olive, `office=${sf}`)).total).toEqual({ n: 0, is: "exact" });
  });

  it("holds a deleted user's number for 72 hours by the clock, whether or not a job ran", async () => {
    const state = async (name: string, now: Date) =>
      (await pool(ada, "", now)).numbers.find((n) => n.lastHolderName === name)!.heldUntil;
    expect(await state("Sienna Walsh", NOW)).not.toBeNull(); // deleted 2 h ago
    expect(await state("Daniel Kim", NOW)).not.toBeNull(); // 70 h ago
    expect(await state("Victor Huang", NOW)).toBeNull(); // 80 h ago: Reserved
    expect(await state("Daniel Kim", later(3))).toBeNull();
    expect(await state("Sienna Walsh", later(69))).not.toBeNull();
    expect(await state("Sienna Walsh", later(71))).toBeNull();

    expect((await holders(ada, "state=on_hold")).sort()).toEqual(["Daniel Kim", "Sienna Walsh"]);
    expect(await holders(ada, "state=on_hold", later(3))).toEqual(["Sienna Walsh"]);
    expect(await holders(ada, "state=reserved")).toContain("Victor Huang");
    expect(await holders(ada, "state=reserved")).not.toContain("Sienna Walsh");
  });

  it("names, for a number on hold, the deleted user who can be restored and until when", async () => {
    const rows = (await pool(ada, "state=on_hold")).numbers;
    const users = await t.db
      .selectFrom("users")
      .select(["id", "first_name", "deleted_at"])
      .where("first_name", "in", ["Sienna", "Daniel"])
      .where("status", "=", "deleted")
      .execute();
    expect(
      rows
        .map((r) => ({ heldFor: r.heldFor, heldUntil: r.heldUntil }))
        .sort((a, b) => a.heldFor!.id - b.heldFor!.id),
    ).toEqual(
      users
        .map((u) => ({
          heldFor: { id: u.id, name: u.first_name === "Sienna" ? "Sienna Walsh" : "Daniel Kim" },
          heldUntil: new Date(u.deleted_at!.getTime() + 72 * HOUR),
        }))
        .sort((a, b) => a.heldFor.id - b.heldFor.id),
    );
    // Once the hold ends by the clock, nobody is named.
    const victor = (await pool(ada, "q=victor")).numbers[0]!;
    expect([victor.heldUntil, victor.heldFor]).toEqual([null, null]);
    expect((await pool(ada, "q=daniel", later(3))).numbers[0]!.heldFor).toBeNull();
  });

  it("reads whom numbers are held for in the list's own statements, however many are on hold", async () => {
    const count = (extraDeleted: number) =>
      statementsOf(
        async (db) => {
          await seedDemo(db, NOW);
          const me = await actorFor(db, "ada@acme.test", NOW);
          const ids = await db
            .selectFrom("users")
            .select("id")
            .where("status", "=", "active")
            .where("is_company_admin", "=", false)
            .where(
              "office_id",
              "=",
              (
                await db
                  .selectFrom("offices")
                  .select("id")
                  .where("name", "=", "Toronto")
                  .executeTakeFirstOrThrow()
              ).id,
            )
            .limit(extraDeleted)
            .execute();
          await deleteUsers(
            db,
            me,
            ids.map((r) => r.id),
            "keep",
            NOW,
          );
          return me;
        },
        async (db, me) => {
          const listed = await listPool(
            db,
            me,
            readPoolParams(new URL("http://x/?state=on_hold")).params,
            NOW,
          );
          expect(listed.numbers.filter((n) => n.heldFor)).toHaveLength(listed.numbers.length);
        },
      );
    expect(await count(5)).toBe(await count(0));
  });

  it("pages Deleted Users by keyset, ties by id, and opens a held number's user's page at their row", async () => {
    const h = await freshDatabase();
    try {
      await seedDemo(h.db, NOW);
      await seedScale(h.db, 60, () => undefined);
      const me = await actorFor(h.db, "ada@acme.test", NOW);
      const scale = await h.db
        .selectFrom("users")
        .select("id")
        .where("email", "like", "%.%@acme.test")
        .where("status", "=", "active")
        .limit(55)
        .execute();
      // 55 deleted at one instant (one tie across the page boundary), newer than Sienna (2 hours ago).
      await deleteUsers(
        h.db,
        me,
        scale.map((r) => r.id),
        "keep",
        NOW,
      );
      const open = (cursor?: string) => listDeleted(h.db, me, NOW, cursor);
      const { forward, backward } = await walkPages(open, (p) => p.users.map((u) => u.id));
      const expected = await h.db
        .selectFrom("users")
        .select("id")
        .where("status", "=", "deleted")
        .where("anonymized_at", "is", null)
        .where("deleted_at", ">", later(-72))
        .where("company_id", "=", me.company.id)
        .orderBy("deleted_at", "desc")
        .orderBy("id", "desc")
        .execute();
      expect(expected.length).toBeGreaterThan(55);
      expect(forward.flat()).toEqual(expected.map((r) => r.id));
      expect([...new Set(backward.flat())]).toEqual(expected.map((r) => r.id));
      expect((await open()).total).toEqual({ n: expected.length, is: "exact" });

      const sienna = (
        await h.db
          .selectFrom("users")
          .select("id")
          .where("email", "=", "sienna@acme.test")
          .executeTakeFirstOrThrow()
      ).id;
      // A held number's link: the page that starts with them, whose Previous goes back.
      const fromSienna = await open((await deletedCursorOf(h.db, me, NOW, sienna))!);
      expect(fromSienna.users[0]!.id).toBe(sienna);
      expect(fromSienna.prev).not.toBeNull();
      const tied = expected[20]!.id;
      expect((await open((await deletedCursorOf(h.db, me, NOW, tied))!)).users[0]!.id).toBe(tied);
      // Not listed: out of scope, or past the 72 hours.
      const olive2 = await actorFor(h.db, "olive@acme.test", NOW);
      expect(await deletedCursorOf(h.db, olive2, NOW, sienna)).toBeNull();
      expect(await deletedCursorOf(h.db, me, later(73), sienna)).toBeNull();

      // A cursor it did not write, or of another list, is the first page; one past the end, the last.
      const first = forward[0];
      for (const bad of [
        "next.garbage",
        "prev.WyJ4IiwxXQ",
        `next.${Buffer.from("[1]").toString("base64url")}`,
      ])
        expect((await open(bad)).users.map((u) => u.id)).toEqual(first);
      const beyondEnd = `next.${Buffer.from(JSON.stringify(["0", 1])).toString("base64url")}`;
      expect((await open(beyondEnd)).users.map((u) => u.id)).toEqual(backward.at(-1));
    } finally {
      await h.close();
    }
  });

  it("finds numbers by digits in any format and by the last holder's name", async () => {
    const helen = await reservedOf("Helen Park");
    const national = helen.e164.slice(2); // 212555xxxx
    for (const typed of [
      helen.e164,
      `+1 (${national.slice(0, 3)}) ${national.slice(3, 6)}-${national.slice(6)}`,
      national,
    ]) {
      expect(await holders(ada, `q=${encodeURIComponent(typed)}`)).toEqual(["Helen Park"]);
    }
    expect(await holders(ada, "q=HELEN")).toEqual(["Helen Park"]);
    expect(await holders(ada, "q=park+helen")).toEqual(["Helen Park"]);
    expect(await holders(ada, "q=%25")).toEqual([]);
  });

  it("filters by office and kind, and sorts by date unassigned both ways", async () => {
    const tor = await office("Toronto");
    expect((await holders(ada, `office=${tor}`)).sort()).toEqual(["Claire Fontaine", "Joel Martin"]);
    expect((await pool(ada, "kind=fax")).numbers.every((n) => n.kind === "fax")).toBe(true);
    const desc = (await pool(ada)).numbers.map((n) => n.unassignedAt!.getTime());
    expect(desc).toEqual([...desc].sort((a, b) => b - a));
    const asc = (await pool(ada, "dir=asc")).numbers.map((n) => n.unassignedAt!.getTime());
    expect(asc).toEqual([...asc].sort((a, b) => a - b));
  });
});

describe("reassigning", () => {
  it("to a group: the number leaves the pool, with its audit entry", async () => {
    const n = await reservedOf("Raj Malhotra");
    const sales = await group("New York", "Sales");
    const result = await reassignNumber(
      t.db,
      olive,
      n.id,
      { target: `group:${sales.id}`, as: "primary" },
      NOW,
    );
    expect(result).toMatchObject({ ok: true, message: expect.stringContaining("is now assigned to Sales") });
    expect(await numberById(n.id)).toMatchObject({
      state: "assigned",
      assigned_group_id: sales.id,
      assigned_user_id: null,
      addon_license_type: null,
      last_holder_name: null,
      unassigned_at: null,
    });
    const [entry] = await auditFor(n.id);
    expect(entry).toMatchObject({
      action: "phone_number.reassigned",
      office_id: n.office_id,
      company_id: olive.company.id,
    });
  });

  it("as a Connect user's primary: their old primary goes to the pool with the last-holder snapshot", async () => {
    const n = await reservedOf("Megan Ellis");
    const ruth = await person("ruth@acme.test");
    const [old] = await numbersOf(ruth.id);
    const localBefore = await seats("New York", "local_number");
    const result = await reassignNumber(t.db, ada, n.id, { target: `user:${ruth.id}`, as: "primary" }, NOW);
    expect(result.ok).toBe(true);
    expect(await numberById(n.id)).toMatchObject({
      state: "assigned",
      assigned_user_id: ruth.id,
      is_primary: true,
      addon_license_type: null,
    });
    expect(await numberById(old!.id)).toMatchObject({
      state: "reserved",
      assigned_user_id: null,
      last_holder_user_id: ruth.id,
      last_holder_name: "Ruth Abebe",
      last_office_id: old!.office_id,
      unassigned_at: NOW,
    });
    expect(await seats("New York", "local_number")).toEqual(localBefore);
    expect((await auditFor(old!.id)).map((e) => e.action)).toEqual(["phone_number.removed"]);
  });

  it("as a Sell user's primary: uses a Local number add-on, the old one's is freed", async () => {
    const diego = await person("diego@acme.test");
    const [old] = await numbersOf(diego.id);
    expect(old!.addon_license_type).toBe("local_number");
    const n = await reservedOf("Wendy Li");
    const before = await seats("San Francisco", "local_number");
    expect(
      (await reassignNumber(t.db, ada, n.id, { target: `user:${diego.id}`, as: "primary" }, NOW)).ok,
    ).toBe(true);
    expect(await numberById(n.id)).toMatchObject({ is_primary: true, addon_license_type: "local_number" });
    expect(await numberById(old!.id)).toMatchObject({
      state: "reserved",
      addon_license_type: null,
      last_holder_name: "Diego Alvarez",
    });
    expect(await seats("San Francisco", "local_number")).toEqual(before);
  });

  it("as an additional number: assigns a Local number add-on, and refuses when none is free", async () => {
    const chloe = await person("chloe@acme.test");
    const helen = await reservedOf("Helen Park");
    const before = await seats("New York", "local_number");
    expect(
      (await reassignNumber(t.db, olive, helen.id, { target: `user:${chloe.id}`, as: "additional" }, NOW)).ok,
    ).toBe(true);
    expect(await numberById(helen.id)).toMatchObject({
      assigned_user_id: chloe.id,
      is_primary: false,
      addon_license_type: "local_number",
    });
    expect((await seats("New York", "local_number")).assigned).toBe(before.assigned + 1);

    // No add-on left in New York: a clear refusal that names the license, and nothing changes.
    const ny = await office("New York");
    await t.db
      .updateTable("license_pools")
      .set({ purchased: before.assigned + 1 })
      .where("office_id", "=", ny)
      .where("license_type", "=", "local_number")
      .execute();
    const ruthsOld = await reservedOf("Ruth Abebe");
    const refused = await reassignNumber(
      t.db,
      olive,
      ruthsOld.id,
      { target: `user:${chloe.id}`, as: "additional" },
      NOW,
    );
    expect(refused).toEqual({
      ok: false,
      kind: "refused",
      message: expect.stringContaining("No Local number add-on is free in New York"),
    });
    expect(await numberById(ruthsOld.id)).toMatchObject({
      state: "reserved",
      last_holder_name: "Ruth Abebe",
    });
    expect(await auditFor(ruthsOld.id)).toHaveLength(1); // only its removal from Ruth
    await t.db
      .updateTable("license_pools")
      .set({ purchased: before.purchased })
      .where("office_id", "=", ny)
      .where("license_type", "=", "local_number")
      .execute();
  });

  it("refuses a number on hold, until the hold ends by the clock", async () => {
    const n = await reservedOf("Daniel Kim");
    const isaac = await person("isaac@acme.test");
    const refused = await reassignNumber(
      t.db,
      olive,
      n.id,
      { target: `user:${isaac.id}`, as: "additional" },
      NOW,
    );
    expect(refused).toMatchObject({ ok: false, message: expect.stringContaining("is on hold until") });
    expect(refused).toMatchObject({ message: expect.stringContaining("Daniel Kim can still be restored") });
    expect((await loadReassignForm(t.db, olive, n.id, "", NOW))!.unavailable?.message).toContain("on hold");
    expect((await releaseNumber(t.db, olive, n.id, NOW)).ok).toBe(false);
    expect(await numberById(n.id)).toMatchObject({ state: "reserved", held_for_user_id: expect.any(Number) });

    // 3 hours later the 72 hours are over, though no job cleared the hold.
    const result = await reassignNumber(
      t.db,
      olive,
      n.id,
      { target: `user:${isaac.id}`, as: "additional" },
      later(3),
    );
    expect(result.ok).toBe(true);
    expect(await numberById(n.id)).toMatchObject({
      state: "assigned",
      held_for_user_id: null,
      held_until: null,
    });
  });

  it("never gives a toll-free number to a user; on a group it holds a Toll-free number add-on", async () => {
    // The San Francisco main line's toll-free number, put back in the pool.
    const tf = await t.db
      .selectFrom("phone_numbers")
      .selectAll()
      .where("kind", "=", "toll_free")
      .where("state", "=", "assigned")
      .executeTakeFirstOrThrow();
    await t.db
      .updateTable("phone_numbers")
      .set({
        state: "reserved",
        assigned_group_id: null,
        addon_license_type: null,
        last_holder_name: "San Francisco Main Line",
        unassigned_at: NOW,
      })
      .where("id", "=", tf.id)
      .execute();
    const form = (await loadReassignForm(t.db, ada, tf.id, "", NOW))!;
    expect(form.users).toEqual([]);
    expect(form.notToUsers).toContain("Toll-free numbers are never assigned to users");
    const uma = await person("uma@acme.test");
    const refused = await reassignNumber(
      t.db,
      ada,
      tf.id,
      { target: `user:${uma.id}`, as: "additional" },
      NOW,
    );
    expect(refused).toMatchObject({
      ok: false,
      message: expect.stringContaining("Toll-free numbers are never assigned to users"),
    });
    const desk = await group("San Francisco", "Support Desk");
    expect(
      (await reassignNumber(t.db, ada, tf.id, { target: `group:${desk.id}`, as: "primary" }, NOW)).ok,
    ).toBe(true);
    expect(await numberById(tf.id)).toMatchObject({
      assigned_group_id: desk.id,
      addon_license_type: "toll_free_number",
    });
  });

  it("gives a number of another country than its office to groups only", async () => {
    const sf = await t.db
      .selectFrom("offices")
      .select(["id", "company_id"])
      .where("name", "=", "San Francisco")
      .executeTakeFirstOrThrow();
    const london = await t.db
      .insertInto("phone_numbers")
      .values({
        company_id: sf.company_id,
        office_id: sf.id,
        e164: "+442079460123",
        country: "GB",
        kind: "local",
        state: "reserved",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const form = (await loadReassignForm(t.db, ada, london.id, "", NOW))!;
    expect(form.users).toEqual([]);
    expect(form.notToUsers).toBe(
      "This number is in GB and San Francisco is in US: it can go to a group only, as users take numbers of their own country.",
    );
    const uma = await person("uma@acme.test");
    expect(
      await reassignNumber(t.db, ada, london.id, { target: `user:${uma.id}`, as: "additional" }, NOW),
    ).toMatchObject({ ok: false, message: expect.stringContaining("it can go to a group only") });
    expect(await numberById(london.id)).toMatchObject({ state: "reserved", assigned_user_id: null });
    const sales = await group("San Francisco", "Sales");
    expect(
      (await reassignNumber(t.db, ada, london.id, { target: `group:${sales.id}`, as: "additional" }, NOW)).ok,
    ).toBe(true);
    expect(await numberById(london.id)).toMatchObject({ state: "assigned", assigned_group_id: sales.id });
  });

  it("gives a fax number to a user as a fax line, never as their primary", async () => {
    const fatima = await person("fatima@acme.test");
    const fax = (await numbersOf(fatima.id)).find((n) => n.kind === "fax")!;
    expect((await removeNumber(t.db, ada, fatima.id, fax.id, NOW)).ok).toBe(true);
    const mei = await person("mei@acme.test");
    const result = await reassignNumber(t.db, ada, fax.id, { target: `user:${mei.id}`, as: "primary" }, NOW);
    expect(result).toMatchObject({ ok: true, message: expect.stringContaining("as a fax line") });
    expect(await numberById(fax.id)).toMatchObject({
      assigned_user_id: mei.id,
      is_primary: false,
      addon_license_type: "fax_line",
    });
  });

  it("only to users and groups of the number's office, and only within the admin's offices", async () => {
    const n = await reservedOf("Patrick Doyle"); // San Francisco
    const ethan = await person("ethan@acme.test"); // New York
    expect(
      await reassignNumber(t.db, ada, n.id, { target: `user:${ethan.id}`, as: "additional" }, NOW),
    ).toMatchObject({
      ok: false,
      message: expect.stringContaining("Only users of San Francisco"),
    });
    const nySales = await group("New York", "Sales");
    expect(
      (await reassignNumber(t.db, ada, n.id, { target: `group:${nySales.id}`, as: "primary" }, NOW)).ok,
    ).toBe(false);
    const form = (await loadReassignForm(t.db, ada, n.id, "", NOW))!;
    expect(form.users.map((u) => u.name)).not.toContain("Ethan Brooks");
    expect(form.users.map((u) => u.name)).toContain("Uma Patel");
    expect(form.users.map((u) => u.name)).not.toContain("Sienna Walsh"); // deleted

    // Another office's or company's number: not found, as if it did not exist.
    expect(await loadReassignForm(t.db, olive, n.id, "", NOW)).toBeNull();
    expect(await loadReassignForm(t.db, gina, n.id, "", NOW)).toBeNull();
    const uma = await person("uma@acme.test");
    expect(
      await reassignNumber(t.db, olive, n.id, { target: `user:${uma.id}`, as: "additional" }, NOW),
    ).toMatchObject({ ok: false, kind: "not_found" });
    expect(await releaseNumber(t.db, gina, n.id, NOW)).toMatchObject({ ok: false, kind: "not_found" });
    expect(await numberById(n.id)).toMatchObject({ state: "reserved" });
  });

  it("finds the users to choose by any part of their name or email, with their total (searchTextHolds)", async () => {
    const n = await reservedOf("Patrick Doyle"); // San Francisco
    const choices = async (q: string) => {
      const form = (await loadReassignForm(t.db, ada, n.id, q, NOW))!;
      return { names: form.users.map((u) => u.name), total: form.userTotal };
    };
    const uma = { names: ["Uma Patel"], total: 1 };
    expect(await choices("uma@acme.test")).toEqual(uma);
    // Too short before the "@" for the index: the whole word, found within fatima@ too.
    expect(await choices("ma@acme.test")).toEqual({ names: ["Fatima Al-Sayed", "Uma Patel"], total: 2 });
    expect(await choices("PATEL uma")).toEqual(uma);
    expect(await choices("uma@globex.test")).toEqual({ names: [], total: 0 });
    expect(await choices("ethan@acme.test")).toEqual({ names: [], total: 0 }); // New York's
  });

  it("a stale form (the number already taken) gets a clear message", async () => {
    const n = await reservedOf("Claire Fontaine");
    const [arjun, emily] = await Promise.all([person("arjun@acme.test"), person("emily@acme.test")]);
    expect(
      (await reassignNumber(t.db, ada, n.id, { target: `user:${arjun.id}`, as: "additional" }, NOW)).ok,
    ).toBe(true);
    expect(
      await reassignNumber(t.db, ada, n.id, { target: `user:${emily.id}`, as: "additional" }, NOW),
    ).toEqual({
      ok: false,
      kind: "refused",
      message: expect.stringContaining("no longer in the Reserved Pool"),
    });
    expect(await numberById(n.id)).toMatchObject({ assigned_user_id: arjun.id });
    expect((await loadReassignForm(t.db, ada, n.id, "", NOW))!.unavailable?.message).toContain(
      "no longer in the Reserved Pool",
    );
  });
});

describe("deleting a reserved number", () => {
  it("releases it for good and gives it back to the provider", async () => {
    const n = await reservedOf("Stuart Bell");
    const result = await releaseNumber(t.db, carlos, n.id, NOW);
    expect(result).toMatchObject({ ok: true, message: expect.stringContaining("was deleted") });
    expect(await numberById(n.id)).toMatchObject({ state: "released", released_at: NOW });
    const provider = await t.db
      .selectFrom("provider_numbers")
      .selectAll()
      .where("e164", "=", n.e164)
      .executeTakeFirstOrThrow();
    expect(provider.provisioned_to_company_id).toBeNull();
    expect((await auditFor(n.id)).map((e) => [e.action, e.office_id])).toEqual([
      ["phone_number.released", n.office_id],
    ]);
    expect(await holders(ada)).not.toContain("Stuart Bell");
    expect(await releaseNumber(t.db, carlos, n.id, NOW)).toMatchObject({ ok: false, kind: "not_found" });
  });
});

describe("removing a number from a user", () => {
  it("a Connect user's only number: to the pool with the snapshot, and the user has no number", async () => {
    const kevin = await person("kevin@acme.test");
    const [n] = await numbersOf(kevin.id);
    const preview = (await previewRemoval(t.db, carlos, kevin.id, n!.id))!;
    expect(preview).toMatchObject({ leavesNoNumber: true, losesIncludedNumber: true, newPrimary: null });
    const result = await removeNumber(t.db, carlos, kevin.id, n!.id, NOW);
    expect(result).toMatchObject({
      ok: true,
      message: expect.stringContaining("Kevin Park has no number now"),
    });
    expect(await numberById(n!.id)).toMatchObject({
      state: "reserved",
      assigned_user_id: null,
      is_primary: false,
      last_holder_user_id: kevin.id,
      last_holder_name: "Kevin Park",
      last_office_id: kevin.office_id,
      unassigned_at: NOW,
    });
    expect((await auditFor(n!.id)).map((e) => [e.action, e.office_id])).toEqual([
      ["phone_number.removed", kevin.office_id],
    ]);
    expect(await holders(carlos, "q=kevin")).toEqual(["Kevin Park"]);
    // Removing it again (a stale page) changes nothing.
    expect(await removeNumber(t.db, carlos, kevin.id, n!.id, NOW)).toMatchObject({
      ok: false,
      kind: "refused",
    });
    expect(await previewRemoval(t.db, carlos, kevin.id, n!.id)).toMatchObject({ number: null });
  });

  it("frees the add-on seat the number held", async () => {
    const brittany = await person("brittany@acme.test");
    const [n] = await numbersOf(brittany.id);
    const before = await seats("Austin", "local_number");
    expect((await removeNumber(t.db, carlos, brittany.id, n!.id, NOW)).ok).toBe(true);
    expect((await seats("Austin", "local_number")).assigned).toBe(before.assigned - 1);
  });

  it("when the primary goes and another local number stays, that one becomes primary (included for Connect)", async () => {
    const harry = await person("harry@acme.test");
    const [primary] = await numbersOf(harry.id);
    const extra = await reservedOf("Tara Nolan");
    expect(
      (await reassignNumber(t.db, carlos, extra.id, { target: `user:${harry.id}`, as: "additional" }, NOW))
        .ok,
    ).toBe(true);
    const before = await seats("London", "local_number");
    expect((await previewRemoval(t.db, carlos, harry.id, primary!.id))!.newPrimary).toBeTruthy();
    const result = await removeNumber(t.db, carlos, harry.id, primary!.id, NOW);
    expect(result).toMatchObject({
      ok: true,
      message: expect.stringContaining("is now their primary number"),
    });
    expect(await numberById(extra.id)).toMatchObject({
      assigned_user_id: harry.id,
      is_primary: true,
      addon_license_type: null,
    });
    expect((await seats("London", "local_number")).assigned).toBe(before.assigned - 1);
  });

  it("is scoped: another office's user is not found", async () => {
    const uma = await person("uma@acme.test");
    const [n] = await numbersOf(uma.id);
    expect(await previewRemoval(t.db, olive, uma.id, n!.id)).toBeNull();
    expect(await previewRemoval(t.db, gina, uma.id, n!.id)).toBeNull();
    expect(await removeNumber(t.db, gina, uma.id, n!.id, NOW)).toMatchObject({
      ok: false,
      kind: "not_found",
    });
    expect(await numberById(n!.id)).toMatchObject({ state: "assigned", assigned_user_id: uma.id });
  });
});
