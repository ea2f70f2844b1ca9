/**
 * Company Settings › Security: who may change it, the audited save, a
 * required reason for Proxy Login (5 to 200 characters, checked again in
 * startProxy's transaction), and the email that tells a person someone
 * proxied into their account: sent after the session commits, naming who,
 * when and why, logged by user id only, and erased from the outbox with
 * either person. The user's page shows the reasons, and loses them with an
 * anonymized person.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { rmSync } from "node:fs";
import { freshDatabase, type TestDatabase } from "../support/db.ts";
import { actorFor } from "../support/actors.ts";
import { outboxIn } from "../support/outbox.ts";
import { seedDemo } from "../../db/seed/demo.ts";
import { loadActor, type Actor } from "../../app/auth/actor.server.ts";
import { mayManageSecurity } from "../../app/auth/policy.server.ts";
import { readProxySecurity, saveProxySecurity } from "../../app/proxy/security.server.ts";
import { proxyLoginSchema, proxySecuritySchema } from "../../app/proxy/schema.ts";
import { endProxy, recentProxySessions, startProxy } from "../../app/proxy/session.server.ts";
import { deleteUsers } from "../../app/users/delete.server.ts";
import { purgeExpired, RESTORE_WINDOW_MS } from "../../app/users/anonymize.server.ts";

const NOW = new Date("2026-06-01T16:00:00Z");
const OUTBOX_DIR = `.tmp/proxy-security-test-${process.pid}`;
const minutes = (m: number) => new Date(NOW.getTime() + m * 60_000);
let t: TestDatabase;
let ada: Actor, oscar: Actor, gina: Actor;

beforeAll(async () => {
  process.env.DATA_DIR = OUTBOX_DIR;
  t = await freshDatabase();
  await seedDemo(t.db, NOW);
  [ada, oscar, gina] = await Promise.all(
    ["ada@acme.test", "oscar@acme.test", "gina@globex.test"].map((e) => actorFor(t.db, e, NOW)),
  );
});
afterAll(async () => {
  await t.close();
  rmSync(OUTBOX_DIR, { recursive: true, force: true });
});

const idOf = async (email: string) =>
  (await t.db.selectFrom("users").select("id").where("email", "=", email).executeTakeFirstOrThrow()).id;
const sessionsInto = async (userId: number) =>
  (await t.db.selectFrom("proxy_sessions").select("id").where("user_id", "=", userId).execute()).length;

/** Starts and ends (Back) a proxy session, so the actor can start the next one. */
async function proxyAndBack(actor: Actor, userId: number, reason: string | null, at: Date) {
  const started = await startProxy(t.db, actor, userId, reason, at);
  if (started.ok) await endProxy(t.db, (await loadActor(t.db, null, actor.sessionId, at))!, "back", at);
  return started;
}

describe("Company Settings › Security", () => {
  it("is for Company Admins on any plan, acting as themselves", () => {
    expect(mayManageSecurity(ada)).toEqual({ ok: true });
    expect(mayManageSecurity(gina)).toEqual({ ok: true });
    expect(mayManageSecurity(oscar)).toEqual({
      ok: false,
      reason: "Company Settings › Security is for Company Admins, signed in as themselves.",
    });
    expect(mayManageSecurity({ ...ada, proxy: {} as Actor["proxy"] })).toMatchObject({ ok: false });
  });

  it("saves both settings per company in one audited change, before and after; saving them again records nothing", async () => {
    expect(await readProxySecurity(t.db, ada.company.id)).toEqual({ reasonRequired: false, notice: false });
    const form = proxySecuritySchema.parse({ reasonRequired: true, notice: true });
    expect(await saveProxySecurity(t.db, ada, form, NOW)).toBe("The security settings are saved.");
    expect(await saveProxySecurity(t.db, ada, form, minutes(1))).toBe(
      "Nothing changed: the security settings are as they were.",
    );
    expect(await readProxySecurity(t.db, ada.company.id)).toEqual({ reasonRequired: true, notice: true });
    // Globex's stay as they were.
    expect(await readProxySecurity(t.db, gina.company.id)).toEqual({ reasonRequired: false, notice: false });
    const audit = await t.db
      .selectFrom("audit_log")
      .select(["actor_user_id", "target_type", "target_label", "office_id", "before", "after", "created_at"])
      .where("action", "=", "company.security_changed")
      .execute();
    expect(audit).toEqual([
      {
        actor_user_id: ada.person.id,
        target_type: "company",
        target_label: "Company Settings › Security",
        office_id: null,
        before: { proxy_reason_required: false, proxy_notice: false },
        after: { proxy_reason_required: true, proxy_notice: true },
        created_at: NOW,
      },
    ]);
    // An unticked box is not sent: off.
    expect(proxySecuritySchema.parse({})).toEqual({ reasonRequired: false, notice: false });
  });

  it("two admins saving at once queue on the company row: each entry's before is what the other left", async () => {
    await saveProxySecurity(t.db, gina, { reasonRequired: false, notice: false }, NOW);
    const gina2 = await actorFor(t.db, "gina@globex.test", NOW);
    await Promise.all([
      saveProxySecurity(t.db, gina, { reasonRequired: true, notice: false }, minutes(2)),
      saveProxySecurity(t.db, gina2, { reasonRequired: false, notice: true }, minutes(2)),
    ]);
    const entries = await t.db
      .selectFrom("audit_log")
      .select(["before", "after"])
      .where("company_id", "=", gina.company.id)
      .where("action", "=", "company.security_changed")
      .orderBy("id")
      .execute();
    expect(entries).toHaveLength(2);
    expect(entries[0]!.before).toEqual({ proxy_reason_required: false, proxy_notice: false });
    expect(entries[1]!.before).toEqual(entries[0]!.after);
    expect(await readProxySecurity(t.db, gina.company.id)).toEqual({
      reasonRequired: (entries[1]!.after as { proxy_reason_required: boolean }).proxy_reason_required,
      notice: (entries[1]!.after as { proxy_notice: boolean }).proxy_notice,
    });
  });
});

describe("a required reason", () => {
  it("without the setting, the reason stays optional but at most 200 characters", () => {
    const optional = proxyLoginSchema(false);
    expect(optional.safeParse({}).success).toBe(true);
    expect(optional.safeParse({ reason: "ok" }).success).toBe(true);
    expect(optional.safeParse({ reason: "x".repeat(201) }).error?.issues[0]?.message).toBe(
      "Keep the reason under 200 characters.",
    );
  });

  it("with it, Proxy Login refuses a missing or short reason beside its field, starting nothing, and takes 5 to 200 characters", async () => {
    await saveProxySecurity(t.db, ada, { reasonRequired: true, notice: false }, NOW);
    const required = proxyLoginSchema(true);
    expect(required.safeParse({}).error?.issues[0]?.message).toBe("Enter the reason.");
    expect(required.safeParse({ reason: "x".repeat(201) }).success).toBe(false);
    expect(required.safeParse({ reason: "x".repeat(200) }).success).toBe(true);

    const mei = await idOf("mei@acme.test");
    const short = {
      ok: false,
      kind: "invalid",
      field: "reason",
      message: "Give a reason of 5 to 200 characters, like a support ticket.",
    };
    // startProxy checks it again in its transaction: a form parsed before the setting changed still counts.
    expect(await startProxy(t.db, ada, mei, "fix", NOW)).toEqual(short);
    expect(await startProxy(t.db, ada, mei, null, NOW)).toMatchObject({ ok: false, field: "reason" });
    expect(await sessionsInto(mei)).toBe(0);
    expect(await proxyAndBack(ada, mei, "Ticket 4521", NOW)).toMatchObject({ ok: true });
    expect(await sessionsInto(mei)).toBe(1);
  });
});

describe("telling people", () => {
  it("mails the person who proxied in, when and why, after the session starts; the log names a user id only", async () => {
    await saveProxySecurity(t.db, ada, { reasonRequired: false, notice: true }, NOW);
    const tom = await idOf("tom@acme.test");
    const logged = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      expect(await proxyAndBack(oscar, tom, "Ticket 77: <voicemail> & greeting", minutes(5))).toMatchObject({
        ok: true,
      });
      const lines = logged.mock.calls.map((args) => args.join(" ")).join("\n");
      expect(lines).toContain(`Mail to user ${tom}`);
      for (const secret of ["tom@acme.test", "Tom", "Oscar", "Ticket 77"])
        expect(lines).not.toContain(secret);
    } finally {
      logged.mockRestore();
    }
    const mails = outboxIn(OUTBOX_DIR).filter((m) => m.text.includes("tom@acme.test"));
    expect(mails).toHaveLength(1);
    // Named for Tom and for Oscar, so that either one's anonymization erases it.
    expect(mails[0]!.file).toContain(`-user-${tom}+${oscar.person.id}-`);
    const text = mails[0]!.text;
    expect(text).toContain("Hello Tom Becker,");
    expect(text).toContain(
      "Oscar Martínez, an admin of Acme, started a proxy login into your Switchboard account on Jun 1, 2026, 9:05 AM PDT.",
    );
    expect(text).toContain("(Jun 1, 2026, 9:35 AM PDT at the latest)");
    expect(text).toContain("The reason they gave: Ticket 77: <voicemail> & greeting");
  });

  it("says when no reason was given; mails nobody for a refused start, nor once the setting is off", async () => {
    const kwame = await idOf("kwame@acme.test");
    await proxyAndBack(ada, kwame, null, minutes(10));
    expect(outboxIn(OUTBOX_DIR).filter((m) => m.text.includes("kwame@acme.test"))).toEqual([
      expect.objectContaining({ text: expect.stringContaining("They gave no reason.") }),
    ]);

    // Olive has no proxy access: refused, nothing mailed.
    const olive = await actorFor(t.db, "olive@acme.test", NOW);
    const ruth = await idOf("ruth@acme.test");
    expect(await startProxy(t.db, olive, ruth, null, minutes(11))).toMatchObject({ ok: false });
    await saveProxySecurity(t.db, ada, { reasonRequired: false, notice: false }, minutes(12));
    expect(await proxyAndBack(ada, ruth, null, minutes(13))).toMatchObject({ ok: true });
    expect(outboxIn(OUTBOX_DIR).filter((m) => m.text.includes("ruth@acme.test"))).toEqual([]);
  });

  it("a mail server that fails leaves the session started, and is logged by user id only", async () => {
    await saveProxySecurity(t.db, ada, { reasonRequired: false, notice: true }, minutes(14));
    const hector = await idOf("hector@acme.test");
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    // An SMTP server that refuses every connection (nothing listens on port 1).
    process.env.SMTP_URL = "smtp://127.0.0.1:1";
    try {
      expect(await startProxy(t.db, ada, hector, "Ticket 80", minutes(15))).toMatchObject({ ok: true });
      expect(
        await t.db
          .selectFrom("proxy_sessions")
          .select("ended_at")
          .where("user_id", "=", hector)
          .where("session_id", "=", ada.sessionId)
          .execute(),
      ).toEqual([{ ended_at: null }]);
      const lines = logged.mock.calls.map((args) => args.join(" "));
      expect(lines).toEqual([
        expect.stringMatching(new RegExp(`^Proxy notice to user ${hector} not sent: `)),
      ]);
      expect(lines.join("\n")).not.toContain("hector");
    } finally {
      delete process.env.SMTP_URL;
      logged.mockRestore();
    }
    await endProxy(t.db, (await loadActor(t.db, null, ada.sessionId, minutes(16)))!, "back", minutes(16));
    expect(outboxIn(OUTBOX_DIR).filter((m) => m.text.includes("hector@acme.test"))).toEqual([]);
  });

  it("shows the reasons on the user's page; an anonymized admin's notices and name in reasons are erased", async () => {
    await saveProxySecurity(t.db, ada, { reasonRequired: false, notice: true }, minutes(20));
    const lucia = await idOf("lucia@acme.test");
    const priya = await idOf("priya@acme.test");
    await proxyAndBack(oscar, lucia, "Headset for <b>Lucía</b>", minutes(21));
    expect(outboxIn(OUTBOX_DIR).filter((m) => m.text.includes("Oscar"))).toHaveLength(2); // Tom's, Lucía's
    // Ada, about Oscar, with notices off (see docs/domain.md: a notice's copy keeps a third person's name).
    await saveProxySecurity(t.db, ada, { reasonRequired: false, notice: false }, minutes(22));
    await proxyAndBack(ada, priya, "Oscar Martínez asked for a check", minutes(22));
    expect(await recentProxySessions(t.db, ada.company.id, priya, minutes(23))).toEqual([
      expect.objectContaining({ adminName: "Ada Lovelace", reason: "Oscar Martínez asked for a check" }),
    ]);

    await deleteUsers(t.db, ada, [oscar.person.id], "keep", minutes(30));
    await purgeExpired(t.db, new Date(minutes(30).getTime() + RESTORE_WINDOW_MS));

    // Every mail naming Oscar is gone; Ada's to Kwame stays.
    const left = outboxIn(OUTBOX_DIR);
    expect(left.filter((m) => /Oscar|Martínez|oscar@acme/.test(m.text))).toEqual([]);
    expect(left.filter((m) => m.text.includes("kwame@acme.test"))).toHaveLength(1);
    // The user's page: his sessions by "Deleted user", the reasons as typed, his name out of Ada's reason.
    expect(await recentProxySessions(t.db, ada.company.id, lucia, minutes(5000))).toEqual([
      expect.objectContaining({ adminName: "Deleted user", reason: "Headset for <b>Lucía</b>" }),
    ]);
    expect(await recentProxySessions(t.db, ada.company.id, priya, minutes(5000))).toEqual([
      expect.objectContaining({ adminName: "Ada Lovelace", reason: "Deleted user asked for a check" }),
    ]);
  });
});
