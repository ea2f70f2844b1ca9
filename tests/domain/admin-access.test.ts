/**
 * Admin access on the user's page (setAdminAccess): Company Admin yes/no and
 * Office Admin of any set of offices, changed by a Company Admin, read on the
 * next request of that person's sessions, audited with before and after; the
 * refusals; and, on the PostgreSQL server, two Company Admins removing each
 * other at the same instant.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, type TestDatabase } from "../support/db.ts";
import { actorFor } from "../support/actors.ts";
import { activeCount, ADMIN_PAIRS, onlyCompanyAdmins, onServer, raceDatabase } from "../support/race.ts";
import { seedDemo } from "../../db/seed/demo.ts";
import { loadActor, type Actor } from "../../app/auth/actor.server.ts";
import { findAccess, setAdminAccess } from "../../app/users/access.server.ts";
import { adminAccessSchema } from "../../app/users/access-schema.ts";
import { listUsers } from "../../app/users/list.server.ts";
import { readListParams } from "../../app/users/list-params.ts";

const NOW = new Date("2026-11-27T12:00:00Z");
let t: TestDatabase;
let ada: Actor, olive: Actor, gina: Actor;

beforeAll(async () => {
  t = await freshDatabase();
  await seedDemo(t.db, NOW);
  [ada, olive, gina] = await Promise.all(
    ["ada@acme.test", "olive@acme.test", "gina@globex.test"].map((e) => actorFor(t.db, e, NOW)),
  );
});
afterAll(() => t.close());

const idOf = async (email: string) =>
  (await t.db.selectFrom("users").select("id").where("email", "=", email).executeTakeFirstOrThrow()).id;
const officeId = async (name: string) =>
  (await t.db.selectFrom("offices").select("id").where("name", "=", name).executeTakeFirstOrThrow()).id;
const input = (companyAdmin: "yes" | "no", office: number[] = []) => ({ companyAdmin, office });
/** What the database holds of everyone's admin access, and how many entries the audit log has. */
const state = async () => ({
  companyAdmins: (
    await t.db.selectFrom("users").select("id").where("is_company_admin", "=", true).orderBy("id").execute()
  ).map((r) => r.id),
  officeAdmins: await t.db
    .selectFrom("office_admins")
    .select(["user_id", "office_id"])
    .orderBy("user_id")
    .orderBy("office_id")
    .execute(),
  audit: Number(
    (
      await t.db
        .selectFrom("audit_log")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow()
    ).n,
  ),
});
const lastAudit = () =>
  t.db.selectFrom("audit_log").selectAll().orderBy("id", "desc").limit(1).executeTakeFirstOrThrow();

describe("admin access", () => {
  it("makes a regional Office Admin of two offices, who sees exactly those on the next request of their session; audited", async () => {
    const jamal = await actorFor(t.db, "jamal@acme.test", NOW);
    expect(jamal.isAdmin).toBe(false);
    const [toronto, london] = [await officeId("Toronto"), await officeId("London")];

    const result = await setAdminAccess(
      t.db,
      ada,
      jamal.person.id,
      input("no", [london, toronto, london]),
      NOW,
    );
    expect(result).toEqual({ ok: true, name: "Jamal Washington", changed: true, self: false });
    expect(await lastAudit()).toMatchObject({
      action: "user.admin_access_changed",
      actor_user_id: ada.person.id,
      target_id: String(jamal.person.id),
      before: { office_admin_of: [] },
      after: { office_admin_of: [toronto, london].sort((a, b) => a - b) },
    });

    // The same session, its next request: the rights are read afresh.
    const next = (await loadActor(t.db, null, jamal.sessionId, NOW))!;
    expect(next.isAdmin).toBe(true);
    expect(next.adminOfficeIds.sort()).toEqual([toronto, london].sort());
    const { users } = await listUsers(t.db, next, readListParams(new URL("http://x/users")).params);
    const offices = new Set(users.map((u) => u.officeName));
    expect(offices).toEqual(new Set(["Toronto", "London"]));

    // Saving it again changes nothing and records nothing; removing it ends it on the next request too.
    const before = await state();
    expect(
      await setAdminAccess(t.db, ada, jamal.person.id, input("no", [toronto, london]), NOW),
    ).toMatchObject({
      changed: false,
    });
    expect(await state()).toEqual(before);
    await setAdminAccess(t.db, ada, jamal.person.id, input("no"), NOW);
    expect((await loadActor(t.db, null, jamal.sessionId, NOW))!.isAdmin).toBe(false);
  });

  it("grants and removes Company Admin, each audited with before and after, seen on the next request", async () => {
    const marcus = await actorFor(t.db, "marcus@acme.test", NOW);
    await setAdminAccess(t.db, ada, marcus.person.id, input("yes"), NOW);
    expect(await lastAudit()).toMatchObject({
      before: { company_admin: false },
      after: { company_admin: true },
    });
    const asAdmin = (await loadActor(t.db, null, marcus.sessionId, NOW))!;
    expect(asAdmin.person.isCompanyAdmin).toBe(true);
    expect(asAdmin.adminOfficeIds).toHaveLength(5); // every office of Acme

    // Marcus, a Company Admin now, removes Ada's: she is not the last one any more.
    expect(await setAdminAccess(t.db, asAdmin, ada.person.id, input("no"), NOW)).toMatchObject({ ok: true });
    expect((await loadActor(t.db, null, ada.sessionId, NOW))!.isAdmin).toBe(false);
    // And back: Ada is a Company Admin again, Marcus is not.
    await setAdminAccess(t.db, asAdmin, ada.person.id, input("yes"), NOW);
    expect(await setAdminAccess(t.db, ada, marcus.person.id, input("no"), NOW)).toMatchObject({ ok: true });
    expect(await lastAudit()).toMatchObject({
      before: { company_admin: true },
      after: { company_admin: false },
    });
    expect((await loadActor(t.db, null, marcus.sessionId, NOW))!.isAdmin).toBe(false);
  });

  it("refuses, changing nothing: the last active Company Admin, a pending user, another company's office or user, an Office Admin", async () => {
    const before = await state();
    expect(await setAdminAccess(t.db, ada, ada.person.id, input("no"), NOW)).toEqual({
      ok: false,
      kind: "refused",
      field: "companyAdmin",
      message:
        "Ada Lovelace is the last active Company Admin of Acme. Make someone else a Company Admin first.",
    });
    expect(await setAdminAccess(t.db, gina, gina.person.id, input("no"), NOW)).toMatchObject({
      kind: "refused",
      field: "companyAdmin",
    });
    expect(await setAdminAccess(t.db, ada, await idOf("jasper@acme.test"), input("yes"), NOW)).toEqual({
      ok: false,
      kind: "refused",
      message: "Jasper Quinn has not signed in yet: their permissions can be changed once they have.",
    });
    const springfield = await officeId("Springfield");
    expect(
      await setAdminAccess(t.db, ada, await idOf("uma@acme.test"), input("no", [springfield]), NOW),
    ).toMatchObject({ kind: "invalid", field: "office" });
    expect(
      await setAdminAccess(t.db, ada, await idOf("walter@globex.test"), input("yes"), NOW),
    ).toMatchObject({
      kind: "not_found",
    });
    expect(
      await setAdminAccess(
        t.db,
        olive,
        await idOf("ethan@acme.test"),
        input("no", [olive.person.officeId]),
        NOW,
      ),
    ).toEqual({
      ok: false,
      kind: "forbidden",
      message: "Only a Company Admin can change admin access.",
    });
    expect(await state()).toEqual(before);
  });

  it("an Office Admin sees it read-only, with why; a Company Admin is offered every office of the company", async () => {
    const ethan = await idOf("ethan@acme.test");
    expect(await findAccess(t.db, olive, ethan)).toMatchObject({
      refusal: "Only a Company Admin can change admin access.",
      offices: [],
    });
    const forAda = (await findAccess(t.db, ada, ethan))!;
    expect(forAda.refusal).toBeNull();
    expect(forAda.offices.map((o) => o.name)).toEqual([
      "Austin",
      "London",
      "New York",
      "San Francisco",
      "Toronto",
    ]);
    expect(await findAccess(t.db, gina, ethan)).toBeNull();
  });

  it("reads its form: yes or no, and ids of offices, none ticked being none", () => {
    const parse = (fields: Record<string, string | string[]>) => adminAccessSchema.safeParse(fields);
    expect(parse({ companyAdmin: "no" }).data).toEqual({ companyAdmin: "no", office: [] });
    expect(parse({ companyAdmin: "no", office: "5" }).data).toEqual({ companyAdmin: "no", office: [5] });
    expect(parse({ companyAdmin: "yes", office: ["3", "4"] }).data).toEqual({
      companyAdmin: "yes",
      office: [3, 4],
    });
    expect(parse({ companyAdmin: "maybe" }).success).toBe(false);
    expect(parse({ companyAdmin: "no", office: ["x"] }).success).toBe(false);
  });
});

describe.runIf(onServer)("on the PostgreSQL server", () => {
  const r = raceDatabase(6, NOW);

  it("two Company Admins removing each other at the same instant: exactly one succeeds, one active Company Admin remains", async () => {
    const acme = (
      await r.db.selectFrom("companies").select("id").where("name", "=", "Acme").executeTakeFirstOrThrow()
    ).id;
    for (const [a, b] of ADMIN_PAIRS) {
      await onlyCompanyAdmins(r.db, acme, a, b);
      const [actorA, actorB] = await Promise.all([actorFor(r.db, a, NOW), actorFor(r.db, b, NOW)]);
      const results = await Promise.all([
        setAdminAccess(r.db, actorA, actorB.person.id, input("no"), NOW),
        setAdminAccess(r.db, actorB, actorA.person.id, input("no"), NOW),
      ]);
      expect(results.map((x) => x.ok).sort(), `${a} and ${b}`).toEqual([false, true]);
      expect(results.find((x) => !x.ok)).toMatchObject({ kind: "refused", field: "companyAdmin" });
      expect(await activeCount(r.db, acme, true)).toBe(1);
    }
  });
});
