/**
 * Suspend user and Reactivate user (docs/domain.md, "Suspended users"): the
 * seats freed and taken again, sign-in and invites refused, sessions and proxy
 * sessions ended, who may, the last active Company Admin, and what the list,
 * deletion, restore and bulk admin access make of a suspended user.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, type TestDatabase } from "../support/db.ts";
import { actorFor } from "../support/actors.ts";
import { acmeOfficeId, userIdOf } from "../support/demo.ts";
import { DEMO_PASSWORD, seedDemo } from "../../db/seed/demo.ts";
import type { LicenseType } from "../../db/schema.ts";
import type { Actor } from "../../app/auth/actor.server.ts";
import { signIn, WRONG_CREDENTIALS } from "../../app/auth/login.server.ts";
import { reactivateUser, suspendUser } from "../../app/users/suspend.server.ts";
import { deleteUsers } from "../../app/users/delete.server.ts";
import { restoreUser } from "../../app/users/deleted.server.ts";
import { findInvite, issueInvite } from "../../app/users/invite.server.ts";
import { startProxy } from "../../app/proxy/session.server.ts";
import { listUsers } from "../../app/users/list.server.ts";
import { listParams } from "../../app/users/list-params.ts";
import { applyBulk, planBulk } from "../../app/users/bulk.server.ts";
import { previewTransfer } from "../../app/users/transfer.server.ts";
import { previewLicenseChange } from "../../app/licenses/change-type.server.ts";

const NOW = new Date("2026-11-27T12:00:00Z");
const LATER = new Date("2026-11-27T12:05:00Z");
let t: TestDatabase;
let ada: Actor, oscar: Actor, olive: Actor;
let sf: number;

beforeAll(async () => {
  t = await freshDatabase();
  await seedDemo(t.db, NOW);
  [ada, oscar, olive] = await Promise.all([
    actorFor(t.db, "ada@acme.test", NOW),
    actorFor(t.db, "oscar@acme.test", NOW),
    actorFor(t.db, "olive@acme.test", NOW),
  ]);
  sf = await acmeOfficeId(t.db, "San Francisco");
});
afterAll(() => t.close());

const assigned = (officeId: number, type: LicenseType) =>
  t.db
    .selectFrom("license_pools")
    .select(["assigned", "purchased"])
    .where("office_id", "=", officeId)
    .where("license_type", "=", type)
    .executeTakeFirstOrThrow();
const statusOf = (id: number) =>
  t.db
    .selectFrom("users")
    .select("status")
    .where("id", "=", id)
    .executeTakeFirstOrThrow()
    .then((u) => u.status);
const auditOf = (id: number, action: string) =>
  t.db
    .selectFrom("audit_log")
    .select(["actor_user_id", "before", "after", "created_at"])
    .where("action", "=", action)
    .where("target_id", "=", String(id))
    .orderBy("id")
    .execute();

describe("suspending a user", () => {
  it("frees their license and Meetings seats, keeps their numbers and groups, and is audited", async () => {
    const priya = await userIdOf(t.db, "priya@acme.test");
    const [connect, meetings] = await Promise.all([assigned(sf, "connect"), assigned(sf, "meetings")]);
    const kept = async () => ({
      numbers: await t.db
        .selectFrom("phone_numbers")
        .select(["e164", "addon_license_type"])
        .where("assigned_user_id", "=", priya)
        .execute(),
      groups: await t.db
        .selectFrom("group_members")
        .select("group_id")
        .where("user_id", "=", priya)
        .execute(),
    });
    const before = await kept();
    expect(before.groups.length).toBeGreaterThan(0);

    expect(await suspendUser(t.db, ada, priya, NOW)).toEqual({ ok: true, name: "Priya Raman" });
    expect(await statusOf(priya)).toBe("suspended");
    expect((await assigned(sf, "connect")).assigned).toBe(connect.assigned - 1);
    expect((await assigned(sf, "meetings")).assigned).toBe(meetings.assigned - 1);
    expect(await kept()).toEqual(before);
    expect(await auditOf(priya, "user.suspended")).toEqual([
      {
        actor_user_id: ada.person.id,
        before: { status: "active" },
        after: { status: "suspended" },
        created_at: NOW,
      },
    ]);

    // Reactivated: the same seats taken again, active again.
    expect(await reactivateUser(t.db, ada, priya, LATER)).toEqual({ ok: true, name: "Priya Raman" });
    expect(await statusOf(priya)).toBe("active");
    expect((await assigned(sf, "connect")).assigned).toBe(connect.assigned);
    expect((await assigned(sf, "meetings")).assigned).toBe(meetings.assigned);
    expect(await auditOf(priya, "user.reactivated")).toEqual([
      {
        actor_user_id: ada.person.id,
        before: { status: "suspended" },
        after: { status: "active" },
        created_at: LATER,
      },
    ]);
  });

  it("ends their sessions and every proxy session into them; they cannot sign in, with the wrong password's answer", async () => {
    const uma = await actorFor(t.db, "uma@acme.test", NOW);
    expect(await startProxy(t.db, ada, uma.person.id, null, NOW)).toMatchObject({ ok: true });
    expect(await suspendUser(t.db, oscar, uma.person.id, NOW)).toMatchObject({ ok: true });

    const sessions = await t.db
      .selectFrom("sessions")
      .select("id")
      .where("user_id", "=", uma.person.id)
      .execute();
    expect(sessions).toEqual([]);
    const proxies = await t.db
      .selectFrom("proxy_sessions")
      .select(["ended_at", "end_reason"])
      .where("user_id", "=", uma.person.id)
      .execute();
    expect(proxies).toEqual([{ ended_at: NOW, end_reason: "not_allowed" }]);
    expect(await auditOf(await proxyIdInto(uma.person.id), "proxy.ended")).toMatchObject([
      {
        actor_user_id: oscar.person.id,
        after: { message: "The user was suspended.", end_reason: "not_allowed" },
      },
    ]);

    const right = await signIn(
      t.db,
      new Request("http://x/login"),
      null,
      { email: "uma@acme.test", password: DEMO_PASSWORD },
      LATER,
    );
    const wrong = await signIn(
      t.db,
      new Request("http://x/login"),
      null,
      { email: "uma@acme.test", password: "not-it" },
      LATER,
    );
    expect(right).toEqual({ ok: false, message: WRONG_CREDENTIALS });
    expect(right).toEqual(wrong);
    // Nor can anyone proxy into them.
    expect(await startProxy(t.db, ada, uma.person.id, null, LATER)).toMatchObject({
      ok: false,
      message: "Uma Patel is suspended: only active users can be proxied into.",
    });
    expect(await reactivateUser(t.db, oscar, uma.person.id, LATER)).toMatchObject({ ok: true });
  });

  it("a pending user cannot accept their invite while suspended, and is pending again once reactivated", async () => {
    const jasper = await userIdOf(t.db, "jasper@acme.test");
    const token = await t.db.transaction().execute((tx) => issueInvite(tx, jasper, ada.person.id, NOW));
    expect(await findInvite(t.db, token, NOW)).toBeTruthy();
    expect(await suspendUser(t.db, ada, jasper, NOW)).toMatchObject({ ok: true });
    expect(await findInvite(t.db, token, NOW)).toBeUndefined();
    expect(await reactivateUser(t.db, ada, jasper, NOW)).toMatchObject({ ok: true });
    expect(await statusOf(jasper)).toBe("pending");
    expect(await findInvite(t.db, token, NOW)).toBeTruthy();
  });

  it("refuses yourself, a Company Admin to an Office Admin, users outside the admin's offices, and twice", async () => {
    const ethan = await userIdOf(t.db, "ethan@acme.test");
    expect(await suspendUser(t.db, ada, ada.person.id, NOW)).toEqual({
      ok: false,
      kind: "forbidden",
      message: "You cannot suspend or reactivate yourself.",
    });
    expect(await suspendUser(t.db, oscar, ada.person.id, NOW)).toEqual({
      ok: false,
      kind: "forbidden",
      message: "Only a Company Admin can suspend or reactivate a Company Admin.",
    });
    expect(await suspendUser(t.db, oscar, ethan, NOW)).toEqual({
      ok: false,
      kind: "not_found",
      message: "This user",
    });
    expect(await suspendUser(t.db, olive, ethan, NOW)).toMatchObject({ ok: true });
    expect(await suspendUser(t.db, olive, ethan, NOW)).toEqual({
      ok: false,
      kind: "refused",
      message: "Ethan Brooks is already suspended.",
    });
    expect(await reactivateUser(t.db, olive, ethan, NOW)).toMatchObject({ ok: true });
    expect(await reactivateUser(t.db, olive, ethan, NOW)).toEqual({
      ok: false,
      kind: "refused",
      message: "Ethan Brooks is not suspended.",
    });
    expect(await auditOf(ethan, "user.suspended")).toHaveLength(1);
  });

  it("never leaves the company without an active Company Admin", async () => {
    // Gina and Walter, both Company Admins of Globex: each suspends the other, the second with what they knew before.
    const walter = await userIdOf(t.db, "walter@globex.test");
    await t.db.updateTable("users").set({ is_company_admin: true }).where("id", "=", walter).execute();
    const [gina, walterActor] = await Promise.all([
      actorFor(t.db, "gina@globex.test", NOW),
      actorFor(t.db, "walter@globex.test", NOW),
    ]);
    expect(await suspendUser(t.db, gina, walter, NOW)).toMatchObject({ ok: true });
    expect(await suspendUser(t.db, walterActor, gina.person.id, NOW)).toEqual({
      ok: false,
      kind: "refused",
      message: "Gina Russo cannot be suspended: this would remove the last active Company Admin.",
    });
    expect(await statusOf(gina.person.id)).toBe("active");
    expect(await reactivateUser(t.db, gina, walter, NOW)).toMatchObject({ ok: true });
    await t.db.updateTable("users").set({ is_company_admin: false }).where("id", "=", walter).execute();
  });
});

describe("reactivating", () => {
  it("needs an unassigned seat of their type in their office, and says so", async () => {
    const marcus = await userIdOf(t.db, "marcus@acme.test");
    const license = (
      await t.db.selectFrom("users").select("license_type").where("id", "=", marcus).executeTakeFirstOrThrow()
    ).license_type;
    expect(await suspendUser(t.db, ada, marcus, NOW)).toMatchObject({ ok: true });
    // Someone else takes the freed seat and every spare one: nothing is left for Marcus.
    const pool = await assigned(sf, license);
    await t.db
      .updateTable("license_pools")
      .set({ purchased: pool.assigned })
      .where("office_id", "=", sf)
      .where("license_type", "=", license)
      .execute();
    const refusedNow = await reactivateUser(t.db, ada, marcus, NOW);
    expect(refusedNow).toMatchObject({ ok: false, kind: "refused" });
    expect(!refusedNow.ok && refusedNow.message).toMatch(
      /^Marcus Chen cannot be reactivated: San Francisco has no unassigned (Connect|Sell|Support) license\. /,
    );
    expect(await statusOf(marcus)).toBe("suspended");
    expect(await auditOf(marcus, "user.reactivated")).toEqual([]);

    await t.db
      .updateTable("license_pools")
      .set({ purchased: pool.purchased })
      .where("office_id", "=", sf)
      .where("license_type", "=", license)
      .execute();
    expect(await reactivateUser(t.db, ada, marcus, NOW)).toMatchObject({ ok: true });
  });
});

describe("a suspended user elsewhere", () => {
  it("is found by the status filter and by the word suspended in the list", async () => {
    const ben = await userIdOf(t.db, "ben@acme.test");
    expect(await suspendUser(t.db, ada, ben, NOW)).toMatchObject({ ok: true });
    const byWord = await listUsers(t.db, ada, listParams.parse({ q: "Suspended" }));
    const byFilter = await listUsers(t.db, ada, listParams.parse({ status: "suspended" }));
    expect(byWord.users.map((u) => [u.name, u.status])).toEqual([["Ben Okafor", "suspended"]]);
    expect(byFilter.users.map((u) => u.id)).toEqual([ben]);
    expect(await reactivateUser(t.db, ada, ben, NOW)).toMatchObject({ ok: true });
  });

  it("is skipped by bulk admin access, and deleted as restorable: the restore brings them back active, with a seat", async () => {
    const ben = await userIdOf(t.db, "ben@acme.test");
    expect(await suspendUser(t.db, ada, ben, NOW)).toMatchObject({ ok: true });
    const { outcomes } = await planBulk(t.db, ada, "add_admin", [ben]);
    expect(outcomes).toEqual([
      { id: ben, name: "Ben Okafor", outcome: "skipped", detail: "Suspended: reactivate them first." },
    ]);
    await applyBulk(t.db, ada, "add_admin", [ben], "keep", NOW);
    expect(
      await t.db.selectFrom("office_admins").select("office_id").where("user_id", "=", ben).execute(),
    ).toEqual([]);

    const connect = await assigned(sf, "connect");
    const deleted = await deleteUsers(t.db, ada, [ben], "keep", NOW);
    expect(deleted.outcomes[0]).toMatchObject({
      outcome: "done",
      detail: "Deleted. Can be restored for 72 hours.",
    });
    expect((await assigned(sf, "connect")).assigned).toBe(connect.assigned);
    const held = await t.db
      .selectFrom("phone_numbers")
      .select("held_until")
      .where("last_holder_user_id", "=", ben)
      .execute();
    expect(held.length).toBeGreaterThan(0);
    expect(held.every((n) => n.held_until && n.held_until > NOW)).toBe(true);

    expect(await restoreUser(t.db, ada, ben, LATER)).toMatchObject({ ok: true });
    expect(await statusOf(ben)).toBe("active");
    expect((await assigned(sf, "connect")).assigned).toBe(connect.assigned + 1);
  });
});

describe("a suspended user's seat cannot move", () => {
  it("Transfer user and Change license type refuse them until they are reactivated", async () => {
    const noah = await userIdOf(t.db, "noah@acme.test");
    const ny = await acmeOfficeId(t.db, "New York");
    expect(await suspendUser(t.db, ada, noah, NOW)).toMatchObject({ ok: true });
    expect((await previewTransfer(t.db, ada, noah, ny, NOW))?.refusal).toBe(
      "Suspended: reactivate them first; only active users can be transferred.",
    );
    expect((await previewLicenseChange(t.db, ada, noah, "support"))?.refusal).toBe(
      "Noah Goldberg is suspended: reactivate them first.",
    );
    expect(await reactivateUser(t.db, ada, noah, NOW)).toMatchObject({ ok: true });
    expect((await previewTransfer(t.db, ada, noah, ny, NOW))?.refusal).toBeNull();
  });
});

async function proxyIdInto(userId: number): Promise<number> {
  const p = await t.db
    .selectFrom("proxy_sessions")
    .select("id")
    .where("user_id", "=", userId)
    .executeTakeFirstOrThrow();
  return p.id;
}
