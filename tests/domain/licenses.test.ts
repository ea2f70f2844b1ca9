/**
 * Licenses: the pools an admin sees, Transfer Licenses and the change of a
 * user's license type, with the counts asserted in the database.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, type TestDatabase } from "../support/db.ts";
import { actorFor } from "../support/actors.ts";
import { acmeOfficeId } from "../support/demo.ts";
import { seedDemo } from "../../db/seed/demo.ts";
import { listPools } from "../../app/licenses/pools.server.ts";
import {
  resolveTransferStep,
  transferLicenses,
  transferReviewKey,
} from "../../app/licenses/transfer.server.ts";
import { changeLicenseType, previewLicenseChange } from "../../app/licenses/change-type.server.ts";
import type { Actor } from "../../app/auth/actor.server.ts";
import type { LicenseType } from "../../db/schema.ts";

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

async function pool(officeName: string, type: LicenseType) {
  const id = await office(officeName);
  const p = await t.db
    .selectFrom("license_pools")
    .select(["purchased", "assigned"])
    .where("office_id", "=", id)
    .where("license_type", "=", type)
    .executeTakeFirst();
  return p ? { ...p, unassigned: p.purchased - p.assigned } : undefined;
}

async function person(email: string) {
  return t.db.selectFrom("users").selectAll().where("email", "=", email).executeTakeFirstOrThrow();
}

async function groupsOf(email: string) {
  const u = await person(email);
  return t.db
    .selectFrom("group_members as gm")
    .innerJoin("groups as g", "g.id", "gm.group_id")
    .select("g.name")
    .where("gm.user_id", "=", u.id)
    .orderBy("g.name")
    .execute()
    .then((rows) => rows.map((r) => r.name));
}

async function primaryOf(email: string) {
  const u = await person(email);
  return t.db
    .selectFrom("phone_numbers")
    .selectAll()
    .where("assigned_user_id", "=", u.id)
    .where("is_primary", "=", true)
    .executeTakeFirst();
}

describe("Company Settings > Licenses", () => {
  it("shows a Company Admin every office's pools, with price levels by name", async () => {
    const rows = await listPools(t.db, ada);
    expect(new Set(rows.map((r) => r.officeName))).toEqual(
      new Set(["San Francisco", "New York", "Toronto", "Austin", "London"]),
    );
    expect(rows).toHaveLength(5 * 7);
    const sf = rows.find((r) => r.officeName === "San Francisco" && r.type === "connect")!;
    const db = (await pool("San Francisco", "connect"))!;
    expect(sf).toMatchObject({
      purchased: db.purchased,
      assigned: db.assigned,
      unassigned: db.unassigned,
      priceLevelName: "US Dollar, standard",
      category: "dialpad",
    });
  });

  it("shows an Office Admin only their offices", async () => {
    const olive = await actorFor(t.db, "olive@acme.test", now);
    expect(new Set((await listPools(t.db, olive)).map((r) => r.officeName))).toEqual(new Set(["New York"]));
    const carlos = await actorFor(t.db, "carlos@acme.test", now);
    expect(new Set((await listPools(t.db, carlos)).map((r) => r.officeName))).toEqual(
      new Set(["Austin", "London"]),
    );
  });
});

describe("Transfer Licenses", () => {
  it("moves unassigned seats between offices at the same price level, with audit entries", async () => {
    const [sf, ny] = [await office("San Francisco"), await office("New York")];
    const before = { sf: (await pool("San Francisco", "sell"))!, ny: (await pool("New York", "sell"))! };
    const result = await transferLicenses(t.db, ada, { from: sf, to: ny, type: "sell", quantity: 2 }, now);
    expect(result).toEqual({
      ok: true,
      message: "Transferred 2 Sell licenses from San Francisco to New York.",
    });
    expect(await pool("San Francisco", "sell")).toMatchObject({
      purchased: before.sf.purchased - 2,
      assigned: before.sf.assigned,
    });
    expect(await pool("New York", "sell")).toMatchObject({
      purchased: before.ny.purchased + 2,
      assigned: before.ny.assigned,
    });
    const audit = await t.db
      .selectFrom("audit_log")
      .selectAll()
      .where("target_type", "=", "license_pool")
      .orderBy("id")
      .execute();
    expect(audit.map((a) => [a.action, a.office_id, a.actor_user_id])).toEqual([
      ["license.transferred_out", sf, ada.person.id],
      ["license.transferred_in", ny, ada.person.id],
    ]);
    expect(audit[0]!.after).toMatchObject({ purchased: before.sf.purchased - 2, quantity: 2 });
  });

  it("creates the destination's pool when it never bought the type", async () => {
    const [sf, tor] = [await office("San Francisco"), await office("Toronto")];
    await t.db
      .deleteFrom("license_pools")
      .where("office_id", "=", tor)
      .where("license_type", "=", "toll_free_number")
      .execute();
    const result = await transferLicenses(
      t.db,
      ada,
      { from: sf, to: tor, type: "toll_free_number", quantity: 1 },
      now,
    );
    expect(result.ok).toBe(true);
    expect(await pool("Toronto", "toll_free_number")).toEqual({ purchased: 1, assigned: 0, unassigned: 1 });
  });

  it("refuses more than the unassigned count, another price level, and changes nothing", async () => {
    const [sf, aus, lon, ny] = [
      await office("San Francisco"),
      await office("Austin"),
      await office("London"),
      await office("New York"),
    ];
    const before = (await pool("San Francisco", "connect"))!;
    const tooMany = await transferLicenses(
      t.db,
      ada,
      { from: sf, to: ny, type: "connect", quantity: before.unassigned + 1 },
      now,
    );
    expect(tooMany).toMatchObject({
      ok: false,
      message: `San Francisco has ${before.unassigned} unassigned Connect licenses: you cannot transfer ${before.unassigned + 1}. Only unassigned licenses can be transferred.`,
    });
    for (const to of [aus, lon]) {
      const r = await transferLicenses(t.db, ada, { from: sf, to, type: "connect", quantity: 1 }, now);
      expect(r.ok).toBe(false);
      expect(r.message).toMatch(/another price level/);
    }
    expect(await pool("San Francisco", "connect")).toEqual(before);
  });

  it("refuses a word every object has as a license type, changing nothing", async () => {
    const [sf, ny] = [await office("San Francisco"), await office("New York")];
    const before = await pool("San Francisco", "connect");
    for (const type of ["__proto__", "constructor", "toString"]) {
      const r = await transferLicenses(t.db, ada, { from: sf, to: ny, type, quantity: 1 }, now);
      expect
        .soft(r, type)
        .toEqual({ ok: false, kind: "refused", message: "Choose the type of license to transfer." });
    }
    expect(await pool("San Francisco", "connect")).toEqual(before);
  });

  it("refuses Office Admins and companies below the higher tier", async () => {
    const olive = await actorFor(t.db, "olive@acme.test", now);
    const [sf, ny] = [await office("San Francisco"), await office("New York")];
    expect(
      (await transferLicenses(t.db, olive, { from: ny, to: sf, type: "connect", quantity: 1 }, now)).ok,
    ).toBe(false);
    const gina = await actorFor(t.db, "gina@globex.test", now);
    expect(
      (await transferLicenses(t.db, gina, { from: sf, to: ny, type: "connect", quantity: 1 }, now)).ok,
    ).toBe(false);
  });

  it("refuses a stale review with the new numbers", async () => {
    const [sf, ny] = [await office("San Francisco"), await office("New York")];
    const seenFrom = (await pool("San Francisco", "meetings"))!;
    const seenTo = (await pool("New York", "meetings"))!;
    const seen = transferReviewKey(seenFrom, seenTo);
    // Meanwhile another admin transfers one seat.
    expect(
      (await transferLicenses(t.db, ada, { from: sf, to: ny, type: "meetings", quantity: 1 }, now)).ok,
    ).toBe(true);
    const stale = await transferLicenses(
      t.db,
      ada,
      { from: sf, to: ny, type: "meetings", quantity: 1, seen },
      now,
    );
    expect(stale).toMatchObject({ ok: false, kind: "stale" });
    expect(stale.message).toContain(
      `San Francisco: ${seenFrom.purchased - 1} purchased, ${seenFrom.assigned} assigned`,
    );
    expect(await pool("San Francisco", "meetings")).toMatchObject({ purchased: seenFrom.purchased - 1 });
  });

  it("resolves the steps of the flow, sending the admin back to the first wrong value", async () => {
    const pools = await listPools(t.db, ada);
    const [sf, aus, ny] = [await office("San Francisco"), await office("Austin"), await office("New York")];
    expect(resolveTransferStep(pools, { step: "from" }).step).toBe("category");
    const wrongPrice = resolveTransferStep(pools, { step: "type", category: "dialpad", from: sf, to: aus });
    expect(wrongPrice.step).toBe("to");
    expect(wrongPrice.errors.to).toMatch(
      /^Austin cannot be chosen\. At another price level \(US Dollar, reduced\)/,
    );
    const sfConnect = pools.find((p) => p.officeId === sf && p.type === "connect")!;
    const tooMany = resolveTransferStep(pools, {
      step: "review",
      category: "dialpad",
      from: sf,
      to: ny,
      type: "connect",
      quantity: String(sfConnect.unassigned + 1),
    });
    expect(tooMany).toMatchObject({
      step: "type",
      errors: { quantity: expect.stringContaining(`transfer at most ${sfConnect.unassigned}`) },
    });
    const ok = resolveTransferStep(pools, {
      step: "review",
      category: "dialpad",
      from: sf,
      to: ny,
      type: "connect",
      quantity: "1",
    });
    expect(ok).toMatchObject({ step: "review", errors: {}, quantity: 1 });
  });
});

describe("Change license type", () => {
  async function change(email: string, to: "connect" | "sell" | "support", keepNumber = true) {
    const u = await person(email);
    const p = (await previewLicenseChange(t.db, ada, u.id, to))!;
    const result = await changeLicenseType(t.db, ada, u.id, { to, keepNumber, seen: p.key }, now);
    return { preview: p, result: result! };
  }

  it("Connect → Sell keeps the number with a Local number add-on; departments stay", async () => {
    const before = {
      connect: (await pool("Toronto", "connect"))!,
      sell: (await pool("Toronto", "sell"))!,
      addon: (await pool("Toronto", "local_number"))!,
    };
    const { preview, result } = await change("arjun@acme.test", "sell");
    expect(preview.groupsRemoved).toEqual([]);
    expect(preview.number).toMatchObject({ outcome: "can_keep", freeAddons: before.addon.unassigned });
    expect(result.ok).toBe(true);
    expect((await person("arjun@acme.test")).license_type).toBe("sell");
    expect(await pool("Toronto", "connect")).toMatchObject({ assigned: before.connect.assigned - 1 });
    expect(await pool("Toronto", "sell")).toMatchObject({ assigned: before.sell.assigned + 1 });
    expect(await pool("Toronto", "local_number")).toMatchObject({ assigned: before.addon.assigned + 1 });
    expect(await primaryOf("arjun@acme.test")).toMatchObject({
      addon_license_type: "local_number",
      state: "assigned",
    });
    expect(await groupsOf("arjun@acme.test")).toEqual(["Engineering"]);
    const audit = await t.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "user.license_changed")
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({
      target_id: String((await person("arjun@acme.test")).id),
      before: { license_type: "connect" },
      after: { license_type: "sell" },
    });
  });

  it("Connect → Support leaves departments, and sends the number to the Reserved Pool when the admin does not keep it", async () => {
    const number = (await primaryOf("emily@acme.test"))!;
    const addons = (await pool("Toronto", "local_number"))!;
    const { preview, result } = await change("emily@acme.test", "support", false);
    expect(preview.groupsRemoved.map((g) => g.name)).toEqual(["Engineering"]);
    expect(result).toMatchObject({ ok: true, message: expect.stringContaining("Removed from Engineering.") });
    expect(await groupsOf("emily@acme.test")).toEqual([]);
    const after = await t.db
      .selectFrom("phone_numbers")
      .selectAll()
      .where("id", "=", number.id)
      .executeTakeFirstOrThrow();
    expect(after).toMatchObject({
      state: "reserved",
      assigned_user_id: null,
      is_primary: false,
      last_holder_name: "Emily Wong",
      addon_license_type: null,
    });
    expect(after.unassigned_at).toEqual(now);
    expect(await pool("Toronto", "local_number")).toEqual(addons);
  });

  it("Connect → Sell with no Local number add-on free: the number goes to the Reserved Pool", async () => {
    const tor = await office("Toronto");
    const addons = (await pool("Toronto", "local_number"))!;
    await t.db
      .updateTable("license_pools")
      .set({ purchased: addons.assigned })
      .where("office_id", "=", tor)
      .where("license_type", "=", "local_number")
      .execute();
    const { preview, result } = await change("yuki@acme.test", "sell", true);
    expect(preview.number).toMatchObject({ outcome: "to_pool", freeAddons: 0 });
    expect(result.ok).toBe(true);
    expect(await primaryOf("yuki@acme.test")).toBeUndefined();
    expect((await person("yuki@acme.test")).license_type).toBe("sell");
  });

  it("Sell → Connect frees the add-on and leaves call centers", async () => {
    const addons = (await pool("Austin", "local_number"))!;
    const { preview, result } = await change("brittany@acme.test", "connect");
    expect(preview.groupsRemoved.map((g) => g.name)).toEqual(["Renewals Desk"]);
    expect(preview.number?.outcome).toBe("becomes_included");
    expect(result.ok).toBe(true);
    expect(await groupsOf("brittany@acme.test")).toEqual(["Sales"]);
    expect(await primaryOf("brittany@acme.test")).toMatchObject({
      addon_license_type: null,
      state: "assigned",
    });
    expect(await pool("Austin", "local_number")).toMatchObject({ assigned: addons.assigned - 1 });
  });

  it("refuses when the office has no unassigned seat of the new type, changing nothing", async () => {
    const aus = await office("Austin");
    const support = (await pool("Austin", "support"))!;
    await t.db
      .updateTable("license_pools")
      .set({ purchased: support.assigned })
      .where("office_id", "=", aus)
      .where("license_type", "=", "support")
      .execute();
    const kevin = await person("kevin@acme.test");
    const p = (await previewLicenseChange(t.db, ada, kevin.id, "support"))!;
    expect(p.refusal).toMatch(/^Austin has no unassigned Support license/);
    const result = await changeLicenseType(
      t.db,
      ada,
      kevin.id,
      { to: "support", keepNumber: true, seen: p.key },
      now,
    );
    expect(result).toMatchObject({ ok: false, message: p.refusal });
    expect((await person("kevin@acme.test")).license_type).toBe("connect");
  });

  it("refuses a stale confirmation (the groups changed), changing nothing", async () => {
    const anika = await person("anika@acme.test");
    const p = (await previewLicenseChange(t.db, ada, anika.id, "support"))!;
    expect(p.groupsRemoved.map((g) => g.name)).toEqual(["Sales"]);
    const support = (await pool("London", "support"))!;
    // Meanwhile another admin takes Anika out of Sales: the confirmation no longer says what would happen.
    await t.db.deleteFrom("group_members").where("user_id", "=", anika.id).execute();
    const result = await changeLicenseType(
      t.db,
      ada,
      anika.id,
      { to: "support", keepNumber: true, seen: p.key },
      now,
    );
    expect(result).toMatchObject({ ok: false, message: expect.stringContaining("Something changed") });
    expect((await person("anika@acme.test")).license_type).toBe("connect");
    expect(await pool("London", "support")).toEqual(support);
  });

  it("refuses a stale confirmation (the last add-on went meanwhile), keeping the number", async () => {
    const lon = await office("London");
    const harry = await person("harry@acme.test");
    const p = (await previewLicenseChange(t.db, ada, harry.id, "sell"))!;
    expect(p.number?.outcome).toBe("can_keep");
    const addons = (await pool("London", "local_number"))!;
    await t.db
      .updateTable("license_pools")
      .set({ purchased: addons.assigned })
      .where("office_id", "=", lon)
      .where("license_type", "=", "local_number")
      .execute();
    const result = await changeLicenseType(
      t.db,
      ada,
      harry.id,
      { to: "sell", keepNumber: true, seen: p.key },
      now,
    );
    expect(result).toMatchObject({ ok: false, message: expect.stringContaining("Something changed") });
    expect(await primaryOf("harry@acme.test")).toMatchObject({ state: "assigned", addon_license_type: null });
  });

  it("is out of reach of an Office Admin of another office", async () => {
    const olive = await actorFor(t.db, "olive@acme.test", now);
    const george = await person("george@acme.test");
    expect(await previewLicenseChange(t.db, olive, george.id, "sell")).toBeNull();
    expect(
      await changeLicenseType(t.db, olive, george.id, { to: "sell", keepNumber: true, seen: "x" }, now),
    ).toMatchObject({ ok: false, kind: "not_found" });
  });
});
