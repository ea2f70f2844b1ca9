/**
 * Proxy login: who may proxy whom (one table), and a proxy session's life —
 * start, acting as the user, audit as the admin on behalf of the user, Back,
 * and the ends a later request finds (rights removed, 30 minutes, the user
 * turned Company Admin) — with the clock moved instead of waited for.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, type TestDatabase } from "../support/db.ts";
import { actorFor } from "../support/actors.ts";
import { seedDemo } from "../../db/seed/demo.ts";
import { loadActor, type Actor } from "../../app/auth/actor.server.ts";
import { HIGHER_TIER_ONLY, mayProxy } from "../../app/auth/policy.server.ts";
import {
  endProxy,
  endRefusedProxy,
  loadProxyTarget,
  recentProxySessions,
  startProxy,
} from "../../app/proxy/session.server.ts";
import { setProxyAccess } from "../../app/proxy/access.server.ts";
import { updateSettings, loadSettings } from "../../app/settings/update.server.ts";
import { deleteUsers } from "../../app/users/delete.server.ts";
import { settingsSchema } from "../../app/settings/schema.ts";

let t: TestDatabase;
const start = new Date();
const IP = "203.0.113.9";
const minutes = (m: number) => new Date(start.getTime() + m * 60_000);

beforeAll(async () => {
  t = await freshDatabase();
  await seedDemo(t.db, start);
});
afterAll(() => t.close());

const idOf = async (email: string) =>
  await t.db
    .selectFrom("users")
    .select(["id", "company_id"])
    .where("email", "=", email)
    .executeTakeFirstOrThrow();

async function decide(actor: Actor, email: string) {
  const u = await idOf(email);
  const target = await loadProxyTarget(t.db, u.company_id, u.id);
  return mayProxy(actor, target!);
}

/** The actor of a session as a later request sees it. */
const reload = async (actor: Actor, at: Date) => (await loadActor(t.db, IP, actor.sessionId, at))!;

describe("who may proxy whom", () => {
  const OK = "ok";
  // [actor, target, "ok" or the start of the refusal]
  const table: [string, string, string][] = [
    // Company Admin on Advanced: anyone active in the company, but never themselves
    ["ada@acme.test", "mei@acme.test", OK],
    ["ada@acme.test", "ethan@acme.test", OK],
    ["ada@acme.test", "oscar@acme.test", OK],
    ["ada@acme.test", "ada@acme.test", "You cannot proxy into your own account."],
    ["ada@acme.test", "jasper@acme.test", "Jasper Quinn has not signed in yet"],
    ["ada@acme.test", "sienna@acme.test", "Sienna Walsh is deleted"],
    ["ada@acme.test", "walter@globex.test", "Walter Price is not in your offices."],
    // Company Admin on Standard: no proxy login at all
    ["gina@globex.test", "walter@globex.test", HIGHER_TIER_ONLY],
    ["gina@globex.test", "gina@globex.test", HIGHER_TIER_ONLY],
    // Office Admin with proxy access (San Francisco): their office only, never a Company Admin
    ["oscar@acme.test", "mei@acme.test", OK],
    ["oscar@acme.test", "ethan@acme.test", "Ethan Brooks is not in your offices."],
    ["oscar@acme.test", "carlos@acme.test", "Carlos Ramírez is not in your offices."],
    [
      "oscar@acme.test",
      "ada@acme.test",
      "Ada Lovelace is a Company Admin: an Office Admin cannot proxy into a Company Admin.",
    ],
    ["oscar@acme.test", "oscar@acme.test", "You cannot proxy into your own account."],
    ["oscar@acme.test", "rosa@acme.test", "Rosa Delgado has not signed in yet"],
    ["oscar@acme.test", "victor@acme.test", "Victor Huang is deleted"],
    // Office Admins without proxy access (New York; Austin and London)
    ["olive@acme.test", "ethan@acme.test", "You do not have proxy access."],
    ["olive@acme.test", "mei@acme.test", "You do not have proxy access."],
    ["carlos@acme.test", "kevin@acme.test", "You do not have proxy access."],
    // A regular user with no admin rights
    ["uma@acme.test", "mei@acme.test", "You do not have proxy access."],
  ];
  it.each(table)("%s into %s: %s", async (actorEmail, targetEmail, expected) => {
    const decision = await decide(await actorFor(t.db, actorEmail, start), targetEmail);
    if (expected === OK) expect(decision).toEqual({ ok: true });
    else
      expect(decision.ok ? "ok" : decision.reason).toMatch(
        new RegExp(`^${expected.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`),
      );
  });

  it("an Office Admin cannot proxy into an admin of an office they do not administer", async () => {
    // carlos, given proxy access, into an Office Admin of Austin who also administers New York
    const kevin = await idOf("kevin@acme.test");
    const ny = await t.db
      .selectFrom("offices")
      .select("id")
      .where("name", "=", "New York")
      .executeTakeFirstOrThrow();
    await t.db.insertInto("office_admins").values({ user_id: kevin.id, office_id: ny.id }).execute();
    await t.db
      .updateTable("users")
      .set({ has_proxy_access: true })
      .where("email", "=", "carlos@acme.test")
      .execute();
    try {
      const carlos = await actorFor(t.db, "carlos@acme.test", start);
      expect(await decide(carlos, "kevin@acme.test")).toEqual({
        ok: false,
        reason:
          "Kevin Park administers offices you do not: you cannot proxy into someone with more privileges.",
      });
      expect(await decide(carlos, "jessica@acme.test")).toEqual({ ok: true });
    } finally {
      await t.db.deleteFrom("office_admins").where("user_id", "=", kevin.id).execute();
      await t.db
        .updateTable("users")
        .set({ has_proxy_access: false })
        .where("email", "=", "carlos@acme.test")
        .execute();
    }
  });

  it("refuses a proxy from inside another proxy", async () => {
    const ada = await actorFor(t.db, "ada@acme.test", start);
    const mei = await idOf("mei@acme.test");
    expect(await startProxy(t.db, ada, mei.id, null, start)).toMatchObject({ ok: true });
    const proxying = await reload(ada, start);
    expect(proxying.proxy).not.toBeNull();
    const ethan = await idOf("ethan@acme.test");
    expect(await decide(proxying, "ethan@acme.test")).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^You are already proxying/),
    });
    expect(await startProxy(t.db, proxying, ethan.id, null, start)).toMatchObject({ ok: false });
    // …nor a second one on the same session by an actor read before the first began
    expect(await startProxy(t.db, ada, ethan.id, null, start)).toEqual({
      ok: false,
      kind: "refused",
      message: "You are already proxying. Select Back to return to your own account first.",
    });
    await endProxy(t.db, proxying, "back", start);
  });
});

describe("a proxy session", () => {
  it("is one at a time per session, even when two start at once", async () => {
    const ada = await actorFor(t.db, "ada@acme.test", start);
    const [arjun, sofia] = await Promise.all([idOf("arjun@acme.test"), idOf("sofia@acme.test")]);
    const results = await Promise.all([
      startProxy(t.db, ada, arjun.id, null, start),
      startProxy(t.db, ada, sofia.id, null, start),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.find((r) => !r.ok)).toEqual({
      ok: false,
      kind: "refused",
      message: "You are already proxying. Select Back to return to your own account first.",
    });
    const open = await t.db
      .selectFrom("proxy_sessions")
      .select("id")
      .where("session_id", "=", ada.sessionId)
      .where("ended_at", "is", null)
      .execute();
    expect(open).toHaveLength(1);
  });

  it("acts as the user, audits every change as the admin on behalf of the user, and ends with Back", async () => {
    const ada = { ...(await actorFor(t.db, "ada@acme.test", start)), ip: "203.0.113.9" };
    const tom = await idOf("tom@acme.test");
    const started = await startProxy(t.db, ada, tom.id, "Ticket 4521: voicemail", start);
    expect(started.ok).toBe(true);

    const actor = await reload(ada, minutes(1));
    expect(actor.person).toMatchObject({ id: tom.id, firstName: "Tom", email: "tom@acme.test" });
    expect(actor.proxy).toMatchObject({ admin: { id: ada.person.id, name: "Ada Lovelace" } });
    expect(actor.proxy!.expiresAt).toEqual(minutes(30));
    expect(actor.isAdmin).toBe(false);

    const settings = await loadSettings(t.db, actor);
    const input = settingsSchema.parse({ ...settings.values, jobTitle: "Support Lead", doNotDisturb: true });
    await updateSettings(t.db, actor, input, minutes(2));
    const tomRow = await t.db
      .selectFrom("users")
      .select(["job_title", "do_not_disturb"])
      .where("id", "=", tom.id)
      .executeTakeFirstOrThrow();
    expect(tomRow).toEqual({ job_title: "Support Lead", do_not_disturb: true });
    const adaRow = await t.db
      .selectFrom("users")
      .select("job_title")
      .where("id", "=", ada.person.id)
      .executeTakeFirstOrThrow();
    expect(adaRow.job_title).toBe("VP of Engineering");

    const ended = await endProxy(t.db, actor, "back", minutes(3));
    expect(ended).toEqual({ userId: tom.id, name: "Tom Becker" });
    expect((await reload(ada, minutes(4))).proxy).toBeNull();

    const audit = await t.db
      .selectFrom("audit_log")
      .select(["action", "target_type", "actor_user_id", "on_behalf_of_user_id", "ip", "after", "created_at"])
      .where("actor_user_id", "=", ada.person.id)
      .where((eb) =>
        eb.or([
          eb("target_id", "=", String(tom.id)),
          eb("target_id", "=", String((started as { proxySessionId: number }).proxySessionId)),
        ]),
      )
      .orderBy("id")
      .execute();
    expect(audit.map((a) => [a.action, a.target_type, a.on_behalf_of_user_id])).toEqual([
      ["proxy.started", "proxy_session", null],
      ["user.settings_updated", "user", tom.id],
      ["proxy.ended", "proxy_session", tom.id],
    ]);
    expect(audit[0]!.after).toMatchObject({
      admin_user_id: ada.person.id,
      user_id: tom.id,
      reason: "Ticket 4521: voicemail",
      ip: "203.0.113.9",
    });
    expect(audit[1]!.after).toEqual({ job_title: "Support Lead", do_not_disturb: true });
    expect(audit[2]!.after).toMatchObject({ end_reason: "back" });
    expect(audit.every((a) => a.ip === "203.0.113.9")).toBe(true);

    const recent = await recentProxySessions(t.db, ada.company.id, tom.id, minutes(5));
    expect(recent).toEqual([
      expect.objectContaining({
        adminName: "Ada Lovelace",
        reason: "Ticket 4521: voicemail",
        ending: "The admin went back",
        endedAt: minutes(3),
      }),
    ]);
  });

  it("ends on the next request once the admin's proxy access is removed", async () => {
    const oscar = await actorFor(t.db, "oscar@acme.test", start);
    const ada = await actorFor(t.db, "ada@acme.test", start);
    const lucia = await idOf("lucia@acme.test");
    expect(await startProxy(t.db, oscar, lucia.id, null, start)).toMatchObject({ ok: true });
    expect((await reload(oscar, minutes(1))).proxy).not.toBeNull();

    expect(await setProxyAccess(t.db, ada, oscar.person.id, false, minutes(2))).toEqual({
      ok: true,
      message: "Oscar Martínez no longer has proxy access.",
    });
    const next = await reload(oscar, minutes(3));
    expect(next.person.id).toBe(oscar.person.id);
    expect(next.proxy).toBeNull();
    expect(next.endedProxy).toMatchObject({
      endReason: "not_allowed",
      message: expect.stringContaining("You do not have proxy access."),
    });
    await endRefusedProxy(t.db, next, next.endedProxy!, minutes(3));

    const row = await t.db
      .selectFrom("proxy_sessions")
      .select(["ended_at", "end_reason"])
      .where("admin_user_id", "=", oscar.person.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ ended_at: minutes(3), end_reason: "not_allowed" });
    expect((await reload(oscar, minutes(4))).endedProxy).toBeUndefined();
    expect(await setProxyAccess(t.db, ada, oscar.person.id, true, minutes(5))).toMatchObject({ ok: true });
  });

  it("ends after 30 minutes", async () => {
    const oscar = await actorFor(t.db, "oscar@acme.test", start);
    const kwame = await idOf("kwame@acme.test");
    expect(await startProxy(t.db, oscar, kwame.id, null, minutes(10))).toMatchObject({ ok: true });
    expect((await reload(oscar, minutes(39.9))).proxy).not.toBeNull();
    const late = await reload(oscar, minutes(40));
    expect(late.proxy).toBeNull();
    expect(late.endedProxy).toMatchObject({
      endReason: "expired",
      message: "Your proxy login as Kwame Mensah ended after 30 minutes. You are back in your own account.",
    });
  });

  it("ends when the user is made a Company Admin or deleted", async () => {
    for (const [email, change] of [
      ["hannah@acme.test", { is_company_admin: true }],
      ["noah@acme.test", { status: "deleted" as const, deleted_at: start }],
    ] as const) {
      const oscar = await actorFor(t.db, "oscar@acme.test", start);
      const u = await idOf(email);
      expect(await startProxy(t.db, oscar, u.id, null, start)).toMatchObject({ ok: true });
      await t.db.updateTable("users").set(change).where("id", "=", u.id).execute();
      expect((await reload(oscar, minutes(1))).endedProxy).toMatchObject({ endReason: "not_allowed" });
    }
  });
});

describe("giving and removing proxy access", () => {
  it("is for Company Admins on a higher-tier plan, for users who have signed in", async () => {
    const [ada, oscar, gina] = await Promise.all(
      ["ada@acme.test", "oscar@acme.test", "gina@globex.test"].map((e) => actorFor(t.db, e, start)),
    );
    const carlos = await idOf("carlos@acme.test");
    const marcus = await idOf("marcus@acme.test");
    expect(await setProxyAccess(t.db, oscar, marcus.id, true, start)).toEqual({
      ok: false,
      kind: "refused",
      message: "Only a Company Admin can give or remove proxy access.",
    });
    // Outside Oscar's office the answer is the one for an id that does not exist: no refusal that tells him Carlos is there.
    expect(await setProxyAccess(t.db, oscar, carlos.id, true, start)).toMatchObject({
      ok: false,
      kind: "not_found",
    });
    const walter = await idOf("walter@globex.test");
    expect(await setProxyAccess(t.db, gina, walter.id, true, start)).toEqual({
      ok: false,
      kind: "refused",
      message: HIGHER_TIER_ONLY,
    });
    expect(await setProxyAccess(t.db, ada, walter.id, true, start)).toMatchObject({
      ok: false,
      kind: "not_found",
    });
    const jasper = await idOf("jasper@acme.test");
    expect(await setProxyAccess(t.db, ada, jasper.id, true, start)).toMatchObject({
      ok: false,
      kind: "refused",
      message: expect.stringContaining("has not signed in yet"),
    });

    expect(await setProxyAccess(t.db, ada, carlos.id, true, start)).toEqual({
      ok: true,
      message: "Carlos Ramírez now has proxy access.",
    });
    const entry = await t.db
      .selectFrom("audit_log")
      .select(["action", "actor_user_id", "before", "after"])
      .where("target_id", "=", String(carlos.id))
      .executeTakeFirstOrThrow();
    expect(entry).toEqual({
      action: "user.proxy_access_granted",
      actor_user_id: ada.person.id,
      before: { has_proxy_access: false },
      after: { has_proxy_access: true },
    });
    expect(await decide(await actorFor(t.db, "carlos@acme.test", start), "kevin@acme.test")).toEqual({
      ok: true,
    });
  });
});

describe("when the admin is deleted", () => {
  it("their open proxy session ends with them, with its audit entry", async () => {
    const oscar = await actorFor(t.db, "oscar@acme.test", start);
    const fatima = await idOf("fatima@acme.test");
    const started = await startProxy(t.db, oscar, fatima.id, null, start);
    expect(started).toMatchObject({ ok: true });

    const ada = await actorFor(t.db, "ada@acme.test", start);
    await deleteUsers(t.db, ada, [oscar.person.id], "keep", minutes(1));

    const session = await t.db
      .selectFrom("proxy_sessions")
      .select(["id", "ended_at", "end_reason"])
      .where("admin_user_id", "=", oscar.person.id)
      .where("user_id", "=", fatima.id)
      .executeTakeFirstOrThrow();
    expect(session).toMatchObject({ ended_at: minutes(1), end_reason: "not_allowed" });
    const ended = await t.db
      .selectFrom("audit_log")
      .select(["target_id", "target_label"])
      .where("action", "=", "proxy.ended")
      .where("target_id", "=", String(session.id))
      .execute();
    expect(ended).toEqual([{ target_id: String(session.id), target_label: "Fatima Al-Sayed" }]);
  });
});
