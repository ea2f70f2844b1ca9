/**
 * Provisioning, second part: the company's defaults for provisioned users
 * (set on Company Settings › Provisioning, used by SCIM create), the token as
 * an actor of its own (never the person who created it), each token's request
 * budget (429 with Retry-After, by the injected clock), and the audit log's
 * filter by token with its index.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import type { TestDatabase } from "../support/db.ts";
import { bearer, closeScimWorld, openScimWorld, type ScimWorld } from "../support/scim-world.ts";
import { actorFor } from "../support/actors.ts";
import { acmeOfficeId, userIdOf } from "../support/demo.ts";
import type { Actor } from "../../app/auth/actor.server.ts";
import { createToken, revokeToken } from "../../app/provisioning/tokens.server.ts";
import { provisioningDefaults, saveProvisioningDefaults } from "../../app/provisioning/defaults.server.ts";
import { scimActor, type ScimActor, type ScimCall } from "../../app/scim/actor.server.ts";
import { ScimError, scimErrorResponse } from "../../app/scim/http.server.ts";
import { createUser, deleteUser, getUser } from "../../app/scim/users.server.ts";
import { EXTENSION_SCHEMA } from "../../app/scim/mapping.ts";
import { configuredBudget } from "../../app/scim/rate-limit.server.ts";
import { openDatabase } from "../../db/connect.ts";
import { listAudit } from "../../app/audit/log.server.ts";
import { listDeleted } from "../../app/users/deleted.server.ts";

const NOW = new Date("2026-06-01T12:00:00Z");
const OUTBOX_DIR = `.tmp/provisioning-settings-test-${process.pid}`;
const BASE = "http://sb.test/scim/v2";
let t: TestDatabase;
let ada: Actor, gina: Actor;
let acme: ScimActor, globex: ScimActor;
let acmeToken: string;

const call = (actor: ScimActor): ScimCall => ({
  db: t.db,
  actor,
  origin: "http://sb.test",
  baseUrl: BASE,
  now: NOW,
});
const person = (userName: string, extension?: Record<string, string>) => ({
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
  userName,
  name: { givenName: userName.split("@")[0], familyName: "Provisioned" },
  ...(extension ? { [EXTENSION_SCHEMA]: extension } : {}),
});
const placed = (id: string) =>
  t.db
    .selectFrom("users")
    .select(["office_id", "license_type"])
    .where("id", "=", Number(id))
    .executeTakeFirstOrThrow();

let world: ScimWorld | undefined;
beforeAll(async () => {
  world = await openScimWorld(OUTBOX_DIR, NOW);
  ({ t, ada, gina, acme, globex, acmeToken } = world);
});
afterAll(() => closeScimWorld(world, OUTBOX_DIR));

describe("the defaults for provisioned users", () => {
  it("are the first office and Connect until set, refuse another company's office, and are audited", async () => {
    const [sf, ny] = [await acmeOfficeId(t.db, "San Francisco"), await acmeOfficeId(t.db, "New York")];
    expect(await provisioningDefaults(t.db, ada.company.id)).toEqual({
      officeId: sf,
      officeName: "San Francisco",
      licenseType: "connect",
    });

    const springfield = globex.adminOfficeIds[0]!;
    expect(
      await saveProvisioningDefaults(t.db, ada, { officeId: springfield, licenseType: "sell" }, NOW),
    ).toEqual({ ok: false, kind: "invalid", field: "officeId", message: "Choose one of Acme's offices." });
    expect(await provisioningDefaults(t.db, ada.company.id)).toMatchObject({ officeId: sf });

    const saved = await saveProvisioningDefaults(t.db, ada, { officeId: ny, licenseType: "sell" }, NOW);
    expect(saved.ok).toBe(true);
    expect(await provisioningDefaults(t.db, ada.company.id)).toEqual({
      officeId: ny,
      officeName: "New York",
      licenseType: "sell",
    });
    // The same again changes and records nothing.
    expect(await saveProvisioningDefaults(t.db, ada, { officeId: ny, licenseType: "sell" }, NOW)).toEqual({
      ok: true,
      message: "The defaults for provisioned users are unchanged.",
    });
    const log = await listAudit(t.db, ada, { action: "company.provisioning_defaults_changed" });
    expect(log.entries).toHaveLength(1);
    expect(log.entries[0]).toMatchObject({
      actor: "Ada Lovelace",
      action: "Changed the defaults for provisioned users",
      target: "Defaults for provisioned users",
    });
    expect(log.entries[0]!.changes).toEqual([
      { field: "License", before: "Connect", after: "Sell" },
      { field: "Office", before: "San Francisco", after: "New York" },
    ]);
  });

  it("place a user created over SCIM whose request names no office or license; the extension still wins", async () => {
    const ny = await acmeOfficeId(t.db, "New York");
    const plain = await createUser(call(acme), person("dee@acme.test"));
    expect(await placed(plain.id)).toEqual({ office_id: ny, license_type: "sell" });

    const named = await createUser(
      call(acme),
      person("eli@acme.test", { office: "san francisco", license: "Support" }),
    );
    expect(await placed(named.id)).toEqual({
      office_id: await acmeOfficeId(t.db, "San Francisco"),
      license_type: "support",
    });
    // Only the license named: the default office.
    const licensed = await createUser(call(acme), person("fay@acme.test", { license: "Connect" }));
    expect(await placed(licensed.id)).toEqual({ office_id: ny, license_type: "connect" });
  });
});

describe("the token acts as itself", () => {
  it("deletes the user who created it, and the deletion and the invite name the token, not a person", async () => {
    // Ada made the token. Marcus becomes a second Company Admin, so that Ada is not the last one.
    const [adaId, marcusId] = [
      await userIdOf(t.db, "ada@acme.test"),
      await userIdOf(t.db, "marcus@acme.test"),
    ];
    await t.db.updateTable("users").set({ is_company_admin: true }).where("id", "=", marcusId).execute();

    // An invite the token sends names no sender.
    const created = await createUser(call(acme), person("gil@acme.test"));
    const invite = await t.db
      .selectFrom("invites")
      .select("created_by_user_id")
      .where("user_id", "=", Number(created.id))
      .executeTakeFirstOrThrow();
    expect(invite.created_by_user_id).toBeNull();

    await deleteUser(call(acme), String(adaId));
    const row = await t.db
      .selectFrom("users")
      .select(["status", "deleted_by_user_id", "deleted_by_token_id"])
      .where("id", "=", adaId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      status: "deleted",
      deleted_by_user_id: null,
      deleted_by_token_id: acme.provisioningToken.id,
    });

    const marcus = await actorFor(t.db, "marcus@acme.test", NOW);
    const deleted = await listDeleted(t.db, marcus, NOW);
    expect(deleted.users.find((u) => u.id === adaId)?.deletedBy).toBe("Provisioning: Okta");
    const log = await listAudit(t.db, marcus, { action: "user.deleted", target: "Ada" });
    expect(log.entries.map((e) => e.actor)).toEqual(["Provisioning: Okta"]);

    // The token outlives its creator's account: the identity provider keeps working.
    const again = await scimActor(t.db, bearer(acmeToken), null, NOW);
    expect((await getUser(call(again), String(marcusId))).id).toBe(String(marcusId));
  });
});

describe("a token's request budget", () => {
  const budget = { perSecond: 2, burst: 4 };
  const at = (ms: number) => new Date(NOW.getTime() + ms);
  /** A request with `token` at `when` (scimActor spends it): ok, or the 429's Retry-After; any other error thrown. */
  const spend = (db: TestDatabase["db"], token: string, when: Date, b = budget) =>
    scimActor(db, bearer(token), null, when, b).then(
      () => ({ ok: true }),
      (e: unknown) => {
        if (e instanceof ScimError && e.status === 429)
          return { ok: false, retryAfterSeconds: Number(e.headers["Retry-After"]) };
        throw e;
      },
    );
  const newToken = async (name: string, expiresOn?: string) => {
    const made = await createToken(t.db, gina, { name, expiresOn }, NOW);
    if (!made.ok) throw new Error("token");
    return made;
  };
  const bucket = (tokenId: number) =>
    t.db
      .selectFrom("scim_rate_limits")
      .select(["allowance", "checked_at"])
      .where("token_id", "=", tokenId)
      .executeTakeFirst();

  it("takes a burst, then answers 429 with Retry-After until the clock has refilled it; per token", async () => {
    const { token } = await newToken("Burst");
    for (let i = 0; i < 4; i++) expect(await spend(t.db, token, NOW)).toEqual({ ok: true });
    expect(await spend(t.db, token, NOW)).toEqual({ ok: false, retryAfterSeconds: 1 });
    // Knocking again costs no more than waiting.
    expect(await spend(t.db, token, at(100))).toEqual({ ok: false, retryAfterSeconds: 1 });
    // A clock behind the last check refills nothing.
    expect(await spend(t.db, token, at(-10_000))).toEqual({ ok: false, retryAfterSeconds: 1 });
    // After Retry-After, one more; the bucket refills at 2 a second.
    expect(await spend(t.db, token, at(1_100))).toEqual({ ok: true });
    expect(await spend(t.db, token, at(1_100))).toMatchObject({ ok: false });
    // Another token's budget is its own.
    expect(await spend(t.db, acmeToken, NOW)).toEqual({ ok: true });
    // A long pause refills up to the burst, no more.
    for (let i = 0; i < 4; i++) expect(await spend(t.db, token, at(60_000))).toEqual({ ok: true });
    expect(await spend(t.db, token, at(60_000))).toMatchObject({ ok: false });
  });

  it("is refused in SCIM's error shape with Retry-After", async () => {
    const { token } = await newToken("Refused");
    const one = { perSecond: 1, burst: 1 };
    await scimActor(t.db, bearer(token), null, NOW, one);
    const err = await scimActor(t.db, bearer(token), null, NOW, one).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ScimError);
    const res = scimErrorResponse(err as ScimError);
    expect(res.status).toBe(429);
    expect(res.headers.get("Retry-After")).toBe("2");
    expect(res.headers.get("Content-Type")).toMatch(/^application\/scim\+json/);
    expect(await res.json()).toMatchObject({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
      status: "429",
      detail: expect.stringMatching(/Too many requests with this token/),
    });
  });

  it("is not spent by a revoked or expired token, which is refused with 401", async () => {
    const revoked = await newToken("Revoked");
    expect(await spend(t.db, revoked.token, NOW)).toEqual({ ok: true });
    const before = await bucket(revoked.id);
    expect(before).toMatchObject({ allowance: 3 });
    expect(await revokeToken(t.db, gina, revoked.id, NOW)).toMatchObject({ ok: true });
    const expired = await newToken("Expired", "2026-06-01");
    const tomorrow = new Date("2026-06-02T00:00:00Z");
    for (const [token, when] of [
      [revoked.token, at(60_000)],
      [expired.token, tomorrow],
    ] as const)
      for (let i = 0; i < 5; i++) {
        const err = await spend(t.db, token, when).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ScimError);
        expect((err as ScimError).status).toBe(401);
      }
    expect(await bucket(revoked.id)).toEqual(before);
    expect(await bucket(expired.id)).toBeUndefined();
  });

  it("is 50 a second with bursts of 100 unless SCIM_RATE_LIMIT says otherwise", () => {
    expect(configuredBudget({})).toEqual({ perSecond: 50, burst: 100 });
    expect(configuredBudget({ SCIM_RATE_LIMIT: "10" })).toEqual({ perSecond: 10, burst: 20 });
    for (const bad of ["0", "-5", "ten", "1e3", ""])
      expect(configuredBudget({ SCIM_RATE_LIMIT: bad })).toEqual({ perSecond: 50, burst: 100 });
  });

  it.runIf(!!process.env.DATABASE_URL)(
    "holds across servers: 30 requests at one instant from two servers' connections, exactly the burst pass (server only)",
    async () => {
      const { token } = await newToken("Two servers");
      // A second server: a pool of its own on the same database.
      const url = new URL(process.env.DATABASE_URL!);
      url.pathname = `/${t.name}`;
      const other = await openDatabase({ url: url.toString() });
      try {
        const answers = await Promise.all(
          Array.from({ length: 30 }, (_, i) =>
            spend(i % 2 ? other.db : t.db, token, NOW, { perSecond: 5, burst: 10 }),
          ),
        );
        expect(answers.filter((a) => a.ok)).toHaveLength(10);
      } finally {
        await other.close();
      }
    },
  );
});

describe("the audit log's filter by token", () => {
  it("shows what one token did, nothing of another company's token, through its index", async () => {
    const marcus = await actorFor(t.db, "marcus@acme.test", NOW);
    const mine = await listAudit(t.db, marcus, { token: acme.provisioningToken.id });
    expect(mine.entries.length).toBeGreaterThan(5);
    expect(new Set(mine.entries.map((e) => e.actor))).toEqual(new Set(["Provisioning: Okta"]));
    expect(mine.filtered).toBe(true);
    expect((await listAudit(t.db, marcus, { token: globex.provisioningToken.id })).entries).toEqual([]);

    const plan = await t.db.transaction().execute(async (tx) => {
      await sql`set local enable_seqscan = off`.execute(tx);
      const { rows } = await sql<{ "QUERY PLAN": string }>`
        explain select id from audit_log where company_id = ${ada.company.id}
          and actor_token_id = ${acme.provisioningToken.id} order by created_at desc, id desc limit 51`.execute(
        tx,
      );
      return rows.map((r) => r["QUERY PLAN"]).join("\n");
    });
    expect(plan).toContain("audit_log_company_token_idx");
    expect(plan).not.toMatch(/Sort/);
  });
});
