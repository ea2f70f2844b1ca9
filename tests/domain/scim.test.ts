/**
 * SCIM provisioning: tokens, the filter's translation to SQL (it cannot
 * inject, and cannot reach another company), the mapping, the PATCH shapes of
 * Okta and Entra ID, and tenancy by every id.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { TestDatabase } from "../support/db.ts";
import { bearer, closeScimWorld, openScimWorld, type ScimWorld } from "../support/scim-world.ts";
import type { Actor } from "../../app/auth/actor.server.ts";
import { createToken, revokeToken } from "../../app/provisioning/tokens.server.ts";
import { scimActor, type ScimActor, type ScimCall } from "../../app/scim/actor.server.ts";
import { ScimError } from "../../app/scim/http.server.ts";
import { listAudit } from "../../app/audit/log.server.ts";
import { fromScimUser } from "../../app/scim/mapping.ts";
import { getGroup, listGroups } from "../../app/scim/groups.server.ts";
import {
  createUser,
  deleteUser,
  getUser,
  listUsers,
  normalizeOperations,
  patchUser,
  replaceUser,
} from "../../app/scim/users.server.ts";

const NOW = new Date("2026-06-01T12:00:00Z");
const OUTBOX_DIR = `.tmp/scim-test-${process.pid}`;
const BASE = "http://sb.test/scim/v2";
const ORIGIN = "http://sb.test";
let t: TestDatabase;
let ada: Actor, gina: Actor;
let acme: ScimActor, globex: ScimActor;
let acmeToken: string;

let world: ScimWorld | undefined;
beforeAll(async () => {
  world = await openScimWorld(OUTBOX_DIR, NOW);
  ({ t, ada, gina, acme, globex, acmeToken } = world);
});
afterAll(() => closeScimWorld(world, OUTBOX_DIR));

/** The SCIM error a call throws. */
async function scimErrorOf(work: Promise<unknown>): Promise<{ status: number; scimType?: string }> {
  const err = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ScimError);
  return { status: (err as ScimError).status, scimType: (err as ScimError).scimType };
}

const call = (actor: ScimActor): ScimCall => ({ db: t.db, actor, origin: ORIGIN, baseUrl: BASE, now: NOW });
const list = (actor: ScimActor, query: Record<string, string>) =>
  listUsers(call(actor), new URLSearchParams(query));

describe("provisioning tokens", () => {
  it("are random, stored as a hash, audited, and open nothing once revoked or expired", async () => {
    const made = await createToken(t.db, ada, { name: "Temp", expiresOn: "2026-06-02" }, NOW);
    if (!made.ok) throw new Error(made.message);
    expect(made.token).toMatch(/^sbp_[A-Za-z0-9_-]{43}$/);
    const row = await t.db
      .selectFrom("provisioning_tokens")
      .selectAll()
      .where("id", "=", made.id)
      .executeTakeFirstOrThrow();
    expect(row.token_hash).not.toContain(made.token.slice(4));
    expect(await scimActor(t.db, bearer(made.token), null, NOW)).toMatchObject({
      provisioningToken: { id: made.id, name: "Temp" },
      company: { id: ada.company.id },
    });
    const refused = { status: 401, scimType: undefined };
    expect(await scimErrorOf(scimActor(t.db, bearer(made.token + "x"), null, NOW))).toEqual(refused);
    // It works through the last day it names (UTC), not after.
    const lastMoment = new Date("2026-06-02T23:59:59Z");
    expect((await scimActor(t.db, bearer(made.token), null, lastMoment)).provisioningToken.id).toBe(made.id);
    const expiry = new Date("2026-06-03T00:00:00Z");
    expect(await scimErrorOf(scimActor(t.db, bearer(made.token), null, expiry))).toEqual(refused);
    expect(await revokeToken(t.db, gina, made.id, NOW)).toEqual({ ok: false });
    expect(await revokeToken(t.db, ada, made.id, NOW)).toEqual({ ok: true, name: "Temp" });
    expect(await scimErrorOf(scimActor(t.db, bearer(made.token), null, NOW))).toEqual(refused);
    const audit = await t.db
      .selectFrom("audit_log")
      .select(["action", "actor_user_id"])
      .where("target_type", "=", "provisioning_token")
      .where("target_id", "=", String(made.id))
      .orderBy("id")
      .execute();
    expect(audit).toEqual([
      { action: "provisioning_token.created", actor_user_id: ada.person.id },
      { action: "provisioning_token.revoked", actor_user_id: ada.person.id },
    ]);
  });

  it("record their last use at most once a minute, never moving it back", async () => {
    const made = await createToken(t.db, ada, { name: "Used" }, NOW);
    if (!made.ok) throw new Error(made.message);
    const lastUsed = async (at: Date) => {
      await scimActor(t.db, bearer(made.token), null, at);
      const row = await t.db
        .selectFrom("provisioning_tokens")
        .select("last_used_at")
        .where("id", "=", made.id)
        .executeTakeFirstOrThrow();
      return row.last_used_at?.toISOString();
    };
    const at = (ms: number) => new Date(NOW.getTime() + ms);
    expect(await lastUsed(NOW)).toBe(NOW.toISOString());
    expect(await lastUsed(at(59_999))).toBe(NOW.toISOString());
    expect(await lastUsed(at(60_000))).toBe(at(60_000).toISOString());
    expect(await lastUsed(NOW)).toBe(at(60_000).toISOString());
  });

  it("are checked, their company read and the request spent in one statement; a userName lookup is one more", async () => {
    const sent: string[] = [];
    const counted = t.db.withPlugin({
      transformQuery: ({ node }) => {
        sent.push(node.kind);
        return node;
      },
      transformResult: async ({ result }) => result,
    });
    const actor = await scimActor(counted, bearer(acmeToken), null, NOW);
    expect(sent).toHaveLength(1);
    const found = await listUsers(
      { db: counted, actor, origin: ORIGIN, baseUrl: BASE, now: NOW },
      new URLSearchParams({ filter: 'userName eq "ada@acme.test"' }),
    );
    expect(found.totalResults).toBe(1);
    expect(sent).toHaveLength(2);
  });

  it("refuses a past expiry", async () => {
    expect(await createToken(t.db, ada, { name: "Old", expiresOn: "2026-05-31" }, NOW)).toMatchObject({
      ok: false,
      field: "expiresOn",
    });
  });

  it("a request without a valid bearer token is 401", async () => {
    for (const header of [undefined, "Basic abc", `Bearer ${acmeToken}x`, "Bearer sbp_' or 1=1 --"]) {
      const request = new Request(`${BASE}/Users`, { headers: header ? { Authorization: header } : {} });
      expect(await scimErrorOf(scimActor(t.db, request, null, NOW))).toEqual({
        status: 401,
        scimType: undefined,
      });
    }
  });
});

describe("filters", () => {
  it("userName eq is case-insensitive, and finds a user known by email", async () => {
    const found = await list(acme, { filter: 'userName eq "ADA@acme.test"' });
    expect(found.totalResults).toBe(1);
    expect(found.Resources[0]).toMatchObject({ userName: "ada@acme.test", active: true });
  });

  it("userName eq finds a provisioned user by the userName they were given, never by their email", async () => {
    const made = await createUser(call(acme), {
      userName: "Grace.Hopper",
      name: { givenName: "Grace", familyName: "Hopper" },
      emails: [{ value: "grace.hopper@acme.test", primary: true }],
    });
    const ids = async (filter: string) =>
      (await list(acme, { filter, count: "1000" })).Resources.map((r) => r.id);
    expect(await ids('userName eq "grace.hopper"')).toEqual([made.id]);
    expect(await ids('userName eq "grace.hopper@acme.test"')).toEqual([]);
    expect(await ids('userName eq "Grace.Hopper" or userName eq "ada@acme.test"')).toHaveLength(2);
    const others = await ids('not (userName eq "GRACE.HOPPER")');
    expect(others).not.toContain(made.id);
    expect(others.length).toBeGreaterThan(0);
    // Another company's token does not find them, by either.
    expect(await list(globex, { filter: 'userName eq "grace.hopper"' })).toMatchObject({ totalResults: 0 });
    await deleteUser(call(acme), made.id);
  });

  it("cannot inject: values are bound, attributes whitelisted", async () => {
    for (const filter of [
      `userName eq "x' or '1'='1"`,
      `userName eq "x\\" or 1=1 --"`,
      `displayName co "'); drop table users; --"`,
    ]) {
      expect((await list(acme, { filter })).totalResults).toBe(0);
    }
    for (const filter of [
      'password_hash eq "x"',
      'u.email eq "x"',
      'userName eq "x"; drop table users',
      "userName eq",
    ]) {
      expect(await scimErrorOf(list(acme, { filter }))).toEqual({ status: 400, scimType: "invalidFilter" });
    }
    expect(await t.db.selectFrom("users").select("id").limit(1).execute()).toHaveLength(1);
  });

  it("cannot reach another company, whatever it says", async () => {
    const acmeUsers = await t.db
      .selectFrom("users")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("company_id", "=", acme.company.id)
      .where("status", "<>", "deleted")
      .executeTakeFirstOrThrow();
    const gina = await list(globex, { filter: 'userName eq "gina@globex.test"' });
    const ginaId = gina.Resources[0]!.id;
    for (const filter of ["userName pr or not (userName pr)", `id eq "${ginaId}" or userName pr`]) {
      const all = await list(acme, { filter, count: "1000" });
      expect(all.totalResults).toBe(Number(acmeUsers.n));
      expect(all.Resources.some((r) => r.id === ginaId)).toBe(false);
    }
    expect((await list(acme, { filter: 'userName eq "gina@globex.test"' })).totalResults).toBe(0);
  });

  it("supports the operators, value filters, dates and attribute names in any case", async () => {
    const one = async (filter: string) => (await list(acme, { filter })).Resources.map((r) => r.userName);
    expect(await one('emails[type eq "work"].value eq "ada@acme.test"')).toEqual(["ada@acme.test"]);
    expect(await one('USERNAME sw "ADA@" and name.familyName pr')).toEqual(["ada@acme.test"]);
    expect(await one('emails.value ew "@acme.test" and name.givenName eq "Ada"')).toEqual(["ada@acme.test"]);
    expect(await one('userName eq "ada@acme.test" and not (active eq false)')).toEqual(["ada@acme.test"]);
    expect(await one('userName eq "ada@acme.test" and meta.created lt "2100-01-01T00:00:00Z"')).toEqual([
      "ada@acme.test",
    ]);
    expect(await one('userName eq "ada@acme.test" and meta.created gt "2100-01-01T00:00:00Z"')).toEqual([]);
    expect(await one('id eq "not-an-id"')).toEqual([]);
    expect(await scimErrorOf(list(acme, { filter: 'active eq "yes"' }))).toEqual({
      status: 400,
      scimType: "invalidFilter",
    });
  });

  it("pages with startIndex and count, count capped at 1,000", async () => {
    const first = await list(acme, { startIndex: "1", count: "2" });
    const second = await list(acme, { startIndex: "2", count: "2" });
    expect(first.Resources).toHaveLength(2);
    expect(second.Resources[0]!.id).toBe(first.Resources[1]!.id);
    expect((await list(acme, { count: "5000" })).itemsPerPage).toBeLessThanOrEqual(1000);
    expect(await scimErrorOf(list(acme, { count: "ten" }))).toEqual({
      status: 400,
      scimType: "invalidValue",
    });
  });

  it("totalResults is every match on any page: full, short, past the end, or none asked for", async () => {
    // The short page gives the total without counting; the others count.
    const total = (await list(acme, { count: "1000" })).Resources.length;
    expect(total).toBeGreaterThan(4);
    const totalOf = async (query: Record<string, string>) => (await list(acme, query)).totalResults;
    expect(await totalOf({ count: "2" })).toBe(total);
    expect(await totalOf({ startIndex: String(total - 1), count: "5" })).toBe(total);
    expect(await totalOf({ startIndex: String(total + 10), count: "5" })).toBe(total);
    expect(await totalOf({ count: "0" })).toBe(total);
    expect(await totalOf({ filter: 'userName eq "ada@acme.test"' })).toBe(1);
    expect(await totalOf({ filter: 'userName eq "nobody@acme.test"' })).toBe(0);
  });
});

describe("mapping", () => {
  const base = { userName: "jo@acme.test", name: { givenName: "Jo", familyName: "Ray" } };
  it("takes the primary email, else the work one, else the first, else userName", () => {
    const emails = [
      { value: "home@x.test", type: "home" },
      { value: "work@x.test", type: "work" },
      { value: "primary@x.test", type: "other", primary: true },
    ];
    expect(fromScimUser({ ...base, emails }).email).toBe("primary@x.test");
    expect(fromScimUser({ ...base, emails: emails.slice(0, 2) }).email).toBe("work@x.test");
    expect(fromScimUser({ ...base, emails: emails.slice(0, 1) }).email).toBe("home@x.test");
    expect(fromScimUser(base).email).toBe("jo@acme.test");
    expect(() => fromScimUser({ ...base, userName: "jo" })).toThrow(ScimError);
  });
  it("reads Entra's booleans and the extension", () => {
    expect(fromScimUser({ ...base, active: "False" }).active).toBe(false);
    expect(fromScimUser({ ...base, active: "True" }).active).toBe(true);
    expect(fromScimUser({ ...base, active: true }).active).toBe(true);
    expect(fromScimUser(base).active).toBeNull();
    expect(() => fromScimUser({ ...base, active: "yes" })).toThrow(/"active" must be true or false/);
    const ext = fromScimUser({
      ...base,
      "urn:switchboard:params:scim:schemas:extension:2.0:User": { office: "New York", license: "sell" },
    });
    expect(ext).toMatchObject({ officeName: "New York", licenseType: "sell" });
  });
  it("normalizes Entra's PATCH shapes", () => {
    expect(
      normalizeOperations([
        { op: "Replace", path: "active", value: "False" },
        { op: "Add", value: { "name.givenName": "Jo", title: "Boss", active: "True" } },
        { op: "Remove", path: "title" },
      ]),
    ).toEqual([
      { op: "replace", path: "active", value: false },
      { op: "add", path: "name.givenName", value: "Jo" },
      { op: "add", value: { title: "Boss", active: true } },
      { op: "remove", path: "title" },
    ]);
  });
});

describe("users over SCIM", () => {
  let id: string;
  it("creates a user as Add User does, in the default office with Connect, audited as the token", async () => {
    const user = await createUser(call(acme), {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName: "Jane.Roe@acme.test",
      externalId: "00u1",
      name: { givenName: "Jane", familyName: "Roe" },
      emails: [{ value: "jane.roe@acme.test", type: "work", primary: true }],
      title: "Engineer",
      phoneNumbers: [{ value: "+1 555 0100", type: "work" }],
      active: true,
    });
    id = user.id;
    expect(user).toMatchObject({
      userName: "Jane.Roe@acme.test",
      externalId: "00u1",
      title: "Engineer",
      emails: [{ value: "jane.roe@acme.test", primary: true }],
      meta: { resourceType: "User", location: `${BASE}/Users/${id}` },
    });
    expect(user).not.toHaveProperty("phoneNumbers");
    const row = await t.db
      .selectFrom("users")
      .select(["status", "license_type", "office_id"])
      .where("id", "=", Number(id))
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      status: "pending",
      license_type: "connect",
      office_id: acme.adminOfficeIds[0],
    });
    const audit = await t.db
      .selectFrom("audit_log")
      .select(["action", "actor_user_id", "actor_token_id"])
      .where("target_type", "=", "user")
      .where("target_id", "=", id)
      .orderBy("id")
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      "user.added",
      "user.edited",
      "user.provisioning_identity_changed",
    ]);
    expect(
      audit.every((a) => a.actor_user_id === null && a.actor_token_id === acme.provisioningToken.id),
    ).toBe(true);
    // The audit log names the token as who acted.
    const log = await listAudit(t.db, ada, { action: "user.added" });
    expect(log.entries.find((e) => e.target === "Jane Roe")?.actor).toBe("Provisioning: Okta");
  });

  it("refuses a taken userName or email with uniqueness (409)", async () => {
    const body = { userName: "JANE.ROE@acme.test", name: { givenName: "J", familyName: "R" } };
    expect(await scimErrorOf(createUser(call(acme), body))).toEqual({
      status: 409,
      scimType: "uniqueness",
    });
    const byEmail = { ...body, userName: "other", emails: [{ value: "gina@globex.test" }] };
    expect(await scimErrorOf(createUser(call(acme), byEmail))).toEqual({
      status: 409,
      scimType: "uniqueness",
    });
  });

  it("replaces with PUT and patches with Entra's shapes", async () => {
    const put = await replaceUser(call(acme), id, {
      userName: "jane.roe@acme.test",
      name: { givenName: "Janet", familyName: "Roe" },
      emails: [{ value: "jane.roe@acme.test" }],
    });
    expect(put).toMatchObject({ userName: "jane.roe@acme.test", name: { givenName: "Janet" } });
    expect(put).not.toHaveProperty("title");
    expect(put).not.toHaveProperty("externalId");
    const patched = await patchUser(call(acme), id, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [
        { op: "Replace", value: { "name.familyName": "Doe", title: "Lead" } },
        { op: "Add", path: "externalId", value: "entra-1" },
        { op: "Replace", path: 'emails[type eq "work"].value', value: "jane.doe@acme.test" },
      ],
    });
    expect(patched).toMatchObject({
      name: { givenName: "Janet", familyName: "Doe" },
      title: "Lead",
      externalId: "entra-1",
      emails: [{ value: "jane.doe@acme.test" }],
    });
  });

  it("deactivates and reactivates as Entra ID and Okta send it, through Suspend and Reactivate", async () => {
    const userId = Number(id);
    const status = () =>
      t.db
        .selectFrom("users")
        .select("status")
        .where("id", "=", userId)
        .executeTakeFirstOrThrow()
        .then((u) => u.status);
    const patchOp = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
    const entra = (value: string) => ({
      schemas: [patchOp],
      Operations: [{ op: "Replace", path: "active", value }],
    });
    const okta = (active: boolean) => ({
      schemas: [patchOp],
      Operations: [{ op: "replace", value: { active } }],
    });
    const isActive = async (active: boolean) =>
      (await list(acme, { filter: `id eq "${id}" and active eq ${active}` })).totalResults;

    expect(await patchUser(call(acme), id, entra("False"))).toMatchObject({ active: false });
    expect(await status()).toBe("suspended");
    expect([await isActive(false), await isActive(true)]).toEqual([1, 0]);
    expect(await getUser(call(acme), id)).toMatchObject({ active: false });
    // Jane never signed in: reactivated, she is pending again.
    expect(await patchUser(call(acme), id, entra("True"))).toMatchObject({ active: true });
    expect(await status()).toBe("pending");
    expect(await patchUser(call(acme), id, okta(false))).toMatchObject({ active: false });
    expect(await status()).toBe("suspended");
    expect(await patchUser(call(acme), id, okta(true))).toMatchObject({ active: true });
    expect(await status()).toBe("pending");
    const whole = await getUser(call(acme), id);
    expect(await replaceUser(call(acme), id, { ...whole, active: false })).toMatchObject({ active: false });
    expect(await replaceUser(call(acme), id, { ...whole, active: true })).toMatchObject({ active: true });
    // Sending the state it already has changes nothing and records nothing.
    expect(await replaceUser(call(acme), id, { ...whole, active: true })).toMatchObject({ active: true });

    const entries = await t.db
      .selectFrom("audit_log")
      .select(["action", "actor_user_id", "actor_token_id"])
      .where("target_id", "=", id)
      .where("action", "in", ["user.suspended", "user.reactivated"])
      .orderBy("id")
      .execute();
    expect(entries.map((e) => e.action)).toEqual([
      "user.suspended",
      "user.reactivated",
      "user.suspended",
      "user.reactivated",
      "user.suspended",
      "user.reactivated",
    ]);
    // Made by the token ("Provisioning: Okta"), not by a person.
    expect(new Set(entries.map((e) => `${e.actor_user_id}/${e.actor_token_id}`))).toEqual(
      new Set([`null/${acme.provisioningToken.id}`]),
    );
  });

  it("refuses to reactivate without a free seat with a 409 that says so, and creates a user deactivated", async () => {
    const userId = Number(id);
    const { office_id } = await t.db
      .selectFrom("users")
      .select("office_id")
      .where("id", "=", userId)
      .executeTakeFirstOrThrow();
    const pool = () =>
      t.db
        .selectFrom("license_pools")
        .select(["purchased", "assigned"])
        .where("office_id", "=", office_id)
        .where("license_type", "=", "connect")
        .executeTakeFirstOrThrow();
    const setPurchased = (purchased: number) =>
      t.db
        .updateTable("license_pools")
        .set({ purchased })
        .where("office_id", "=", office_id)
        .where("license_type", "=", "connect")
        .execute();
    await patchUser(call(acme), id, { Operations: [{ op: "replace", value: { active: false } }] });
    const before = await pool();
    await setPurchased(before.assigned);
    const err = await patchUser(call(acme), id, {
      Operations: [
        { op: "replace", path: "title", value: "Back" },
        { op: "replace", value: { active: true } },
      ],
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScimError);
    expect((err as ScimError).status).toBe(409);
    expect((err as ScimError).message).toMatch(/cannot be reactivated: .* has no unassigned Connect license/);
    // The whole request rolled back: the title too.
    expect(await getUser(call(acme), id)).toMatchObject({ active: false, title: "Lead" });
    await setPurchased(before.purchased);
    expect(
      await patchUser(call(acme), id, { Operations: [{ op: "replace", value: { active: true } }] }),
    ).toMatchObject({ active: true });

    // The token acts for the identity provider, not as Ada who made it: deactivating her is refused only
    // because she is the last active Company Admin.
    const adaErr = await patchUser(call(acme), String(ada.person.id), {
      Operations: [{ op: "replace", value: { active: false } }],
    }).catch((e: unknown) => e);
    expect((adaErr as ScimError).status).toBe(409);
    expect((adaErr as ScimError).message).toBe(
      "Ada Lovelace cannot be suspended: this would remove the last active Company Admin.",
    );

    const assignedBefore = (await pool()).assigned;
    const created = await createUser(call(acme), {
      userName: "off@acme.test",
      name: { givenName: "Off", familyName: "Board" },
      active: false,
    });
    expect(created).toMatchObject({ active: false });
    expect((await pool()).assigned).toBe(assignedBefore);
  });

  it("one company's token never reads or changes another's user, by any id", async () => {
    const body = { userName: "x@globex.test", name: { givenName: "X", familyName: "Y" } };
    const patch = { Operations: [{ op: "replace", path: "title", value: "Hacked" }] };
    for (const bad of [id, "0", "-1", "1e3", " 1", "9".repeat(20), "x".repeat(5000)]) {
      expect((await scimErrorOf(getUser(call(globex), bad))).status).toBe(404);
      expect((await scimErrorOf(replaceUser(call(globex), bad, body))).status).toBe(404);
      expect((await scimErrorOf(patchUser(call(globex), bad, patch))).status).toBe(404);
      expect((await scimErrorOf(deleteUser(call(globex), bad))).status).toBe(404);
    }
    expect((await getUser(call(acme), id)).title).toBe("Lead");
  });

  it("deletes with the ordinary deletion, after which the user is gone to SCIM", async () => {
    await deleteUser(call(acme), id);
    expect((await scimErrorOf(getUser(call(acme), id))).status).toBe(404);
    const deleted = await t.db
      .selectFrom("audit_log")
      .select(["actor_token_id"])
      .where("action", "=", "user.deleted")
      .where("target_id", "=", id)
      .executeTakeFirstOrThrow();
    expect(deleted.actor_token_id).toBe(acme.provisioningToken.id);
  });

  it("creates the user though the mail server refuses the invite, and logs it by user id", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    // An SMTP server that refuses every connection (nothing listens on port 1).
    process.env.SMTP_URL = "smtp://127.0.0.1:1";
    try {
      const user = await createUser(call(acme), {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
        userName: "ines.ortega@acme.test",
        name: { givenName: "Ines", familyName: "Ortega" },
        active: true,
      });
      expect(await getUser(call(acme), user.id)).toMatchObject({ userName: "ines.ortega@acme.test" });
      expect(logged).toHaveBeenCalledWith(expect.stringContaining(`Invite to user ${user.id} not mailed`));
    } finally {
      delete process.env.SMTP_URL;
      logged.mockRestore();
    }
  });
});

describe("attributes and excludedAttributes", () => {
  const EXT = "urn:switchboard:params:scim:schemas:extension:2.0:User";
  it("return only the named attributes, or all but them; id and schemas always", async () => {
    const only = await list(acme, {
      filter: 'userName eq "ada@acme.test"',
      attributes: `userName,name.givenName,emails.value,${EXT}:office,id`,
    });
    expect(only.Resources[0]).toEqual({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", EXT],
      id: expect.any(String),
      userName: "ada@acme.test",
      name: { givenName: "Ada" },
      emails: [{ value: "ada@acme.test" }],
      [EXT]: { office: expect.any(String) },
    });
    const id = only.Resources[0]!.id;
    const params = new URLSearchParams({
      excludedAttributes:
        "emails,name.formatted,meta,id,schemas,urn:ietf:params:scim:schemas:core:2.0:User:displayName",
    });
    const without = await getUser(call(acme), id, params);
    expect(without).not.toHaveProperty("emails");
    expect(without).not.toHaveProperty("meta");
    expect(without).not.toHaveProperty("displayName");
    expect(without).toMatchObject({ id, schemas: expect.any(Array), name: { givenName: "Ada" } });
    expect(without.name).not.toHaveProperty("formatted");
    // Names it does not have are ignored; both at once are refused.
    expect(await getUser(call(acme), id, new URLSearchParams({ attributes: "nothing,__proto__" }))).toEqual({
      schemas: expect.any(Array),
      id,
    });
    expect(
      await scimErrorOf(
        getUser(call(acme), id, new URLSearchParams({ attributes: "a", excludedAttributes: "b" })),
      ),
    ).toEqual({ status: 400, scimType: "invalidValue" });
    const groups = await listGroups(call(acme), new URLSearchParams({ excludedAttributes: "members" }));
    expect(groups.Resources.every((g) => !Object.hasOwn(g, "members") && g.displayName)).toBe(true);
  });
});

describe("groups over SCIM (read only)", () => {
  it("lists the company's departments and call centers with their members, filtered and paged", async () => {
    const all = await listGroups(call(acme), new URLSearchParams());
    const kinds = await t.db
      .selectFrom("groups")
      .select(["id", "kind"])
      .where("company_id", "=", acme.company.id)
      .execute();
    expect(all.totalResults).toBe(kinds.filter((g) => g.kind !== "main_line").length);
    expect(all.Resources.map((g) => g.id).sort()).toEqual(
      kinds
        .filter((g) => g.kind !== "main_line")
        .map((g) => String(g.id))
        .sort(),
    );
    const sales = await listGroups(call(acme), new URLSearchParams({ filter: 'displayName eq "sales"' }));
    expect(sales.Resources.length).toBeGreaterThan(0);
    expect(sales.Resources.every((g) => g.displayName === "Sales")).toBe(true);
    const page = await listGroups(call(acme), new URLSearchParams({ startIndex: "2", count: "1" }));
    expect(page).toMatchObject({ startIndex: 2, itemsPerPage: 1, totalResults: all.totalResults });
    expect(page.Resources[0]!.id).toBe(all.Resources[1]!.id);

    const one = await getGroup(call(acme), all.Resources[0]!.id);
    expect(one).toEqual(all.Resources[0]);
    const members = await t.db
      .selectFrom("group_members as m")
      .innerJoin("users as u", "u.id", "m.user_id")
      .select("u.id")
      .where("m.group_id", "=", Number(one.id))
      .where("u.status", "in", ["active", "pending"])
      .orderBy("u.id")
      .execute();
    expect(one.members.map((m) => m.value)).toEqual(members.map((m) => String(m.id)));
    expect(one.meta.location).toBe(`${BASE}/Groups/${one.id}`);
  });

  it("never shows another company's group, and refuses filters it does not know", async () => {
    const acmeGroup = (await listGroups(call(acme), new URLSearchParams())).Resources[0]!;
    for (const bad of [acmeGroup.id, "0", "-1", "x", "9".repeat(20)])
      expect((await scimErrorOf(getGroup(call(globex), bad))).status).toBe(404);
    const foreign = await listGroups(
      call(globex),
      new URLSearchParams({ filter: `id eq "${acmeGroup.id}"` }),
    );
    expect(foreign.totalResults).toBe(0);
    for (const filter of ['userName eq "x"', 'emails[type eq "work"].value eq "x"', "displayName eq 1"])
      expect(await scimErrorOf(listGroups(call(acme), new URLSearchParams({ filter })))).toEqual({
        status: 400,
        scimType: "invalidFilter",
      });
  });
});

// PGlite is one connection, where nothing runs at once: races are real on a server only.
describe.runIf(!!process.env.DATABASE_URL)("creations at the same instant (server only)", () => {
  const attempt = (userName: string, email: string) =>
    createUser(call(acme), {
      userName,
      name: { givenName: "Race", familyName: "Twin" },
      emails: [{ value: email }],
      title: "Racer",
    }).then(
      () => 201,
      (e: unknown) => (e instanceof ScimError ? `${e.status} ${e.scimType}` : Promise.reject(e)),
    );

  // Each creation is one transaction (user, job title, identity row, audit): the loser leaves nothing.
  it("two creates of one userName: one 201, one 409 uniqueness, one user and one identity row", async () => {
    for (const [userName, emails] of [
      ["race.one@acme.test", ["race.one@acme.test", "race.one@acme.test"]],
      ["race-two", ["race.two.a@acme.test", "race.two.b@acme.test"]],
    ] as const) {
      const answers = await Promise.all(emails.map((email) => attempt(userName, email)));
      expect(answers.sort()).toEqual([201, "409 uniqueness"]);
      const users = await t.db
        .selectFrom("users")
        .select("id")
        .where("email", "in", [...emails])
        .execute();
      expect(users).toHaveLength(1);
      const identities = await t.db
        .selectFrom("scim_identities")
        .select("user_id")
        .where("user_name", "=", userName)
        .execute();
      expect(identities).toEqual([{ user_id: users[0]!.id }]);
      const audited = await t.db
        .selectFrom("audit_log")
        .select("target_id")
        .where("action", "=", "user.added")
        .where("target_label", "=", "Race Twin")
        .execute();
      expect(audited.filter((a) => a.target_id === String(users[0]!.id))).toHaveLength(1);
    }
  });
});
