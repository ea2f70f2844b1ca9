/**
 * Sessions and the clock (app/auth/session.server.ts, app/clock.server.ts):
 * the table keeps only the SHA-256 of the cookie's token, so reading it opens
 * no session, and a session ends 12 hours after it began; cookies are
 * HttpOnly, SameSite=Lax, and Secure over HTTPS (a proxy's word for it counts
 * only with TRUST_PROXY=1); nobody moves the clock from outside unless the
 * server was started to let tests do it.
 */
import { createHash } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import pg from "pg";
import { freshDatabase, serverUrl, type TestDatabase } from "../support/db.ts";
import { untilLocksWait } from "../support/race.ts";
import { seedDemo } from "../../db/seed/demo.ts";
import { createSession, SESSION_COOKIE } from "../../app/auth/session.server.ts";
import { loadActor } from "../../app/auth/actor.server.ts";
import { now } from "../../app/clock.server.ts";
import { serializeCookie } from "../../app/auth/cookies.server.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await freshDatabase();
  await seedDemo(t.db, new Date());
});
afterAll(() => t.close());

const T0 = new Date("2026-12-04T09:00:00Z");
const HOUR = 3600_000;

describe("a session", () => {
  it("is kept as the hash of its cookie's token, never the token, and lasts 12 hours", async () => {
    const ada = await t.db
      .selectFrom("users")
      .select("id")
      .where("email", "=", "ada@acme.test")
      .executeTakeFirstOrThrow();
    const cookie = (await createSession(t.db, new Request("http://x/login"), "203.0.113.5", ada.id, T0))!;
    const token = cookie.match(new RegExp(`^${SESSION_COOKIE}=([^;]+)`))![1]!;
    expect(cookie).toMatch(/Max-Age=43200/);
    const row = await t.db
      .selectFrom("sessions")
      .selectAll()
      .where("user_id", "=", ada.id)
      .orderBy("created_at", "desc")
      .executeTakeFirstOrThrow();
    expect(row.id).toBe(createHash("sha256").update(token).digest("hex"));
    expect(await t.db.selectFrom("sessions").select("id").where("id", "=", token).execute()).toEqual([]);
    expect(row.expires_at.getTime() - T0.getTime()).toBe(12 * HOUR);

    // The hash opens it until the 12 hours end; the token itself opens nothing.
    expect(await loadActor(t.db, null, row.id, new Date(T0.getTime() + 12 * HOUR - 1))).not.toBeNull();
    expect(await loadActor(t.db, null, row.id, new Date(T0.getTime() + 12 * HOUR))).toBeNull();
    expect(await loadActor(t.db, null, token, T0)).toBeNull();
  });
});

describe("a session for someone no longer active", () => {
  it("is not opened: the sign-in checked their status before its password hashing, the insert checks it again", async () => {
    const { id } = await t.db
      .updateTable("users")
      .set({ status: "suspended" })
      .where("email", "=", "priya@acme.test")
      .returning("id")
      .executeTakeFirstOrThrow();
    expect(await createSession(t.db, new Request("http://x/login"), null, id, T0)).toBeNull();
    expect(await t.db.selectFrom("sessions").select("id").where("user_id", "=", id).execute()).toEqual([]);
  });

  it.runIf(!!process.env.DATABASE_URL)(
    "on the server, waits for a suspension under way, then opens none",
    async () => {
      const { id } = await t.db
        .selectFrom("users")
        .select("id")
        .where("email", "=", "mei@acme.test")
        .executeTakeFirstOrThrow();
      // A suspension of theirs, not yet committed: their row is locked FOR NO KEY UPDATE, as suspendUser locks it.
      const suspending = new pg.Client({ connectionString: serverUrl(t.name) });
      await suspending.connect();
      await suspending.query("begin");
      await suspending.query("update users set status = 'suspended' where id = $1", [id]);
      const opening = createSession(t.db, new Request("http://x/login"), null, id, T0);
      await untilLocksWait(t.db, 1, "the session's insert to wait for the suspension");
      await suspending.query("commit");
      await suspending.end();
      expect(await opening).toBeNull();
      expect(await t.db.selectFrom("sessions").select("id").where("user_id", "=", id).execute()).toEqual([]);
    },
  );
});

describe("cookies", () => {
  afterEach(() => vi.unstubAllEnvs());
  const cookie = (url: string, headers: Record<string, string> = {}) =>
    serializeCookie(new Request(url, { headers }), "sb_session", "t", { maxAge: 60 });
  const behindProxy = { "x-forwarded-proto": "https" };

  it("are HttpOnly and SameSite=Lax, and Secure over HTTPS, directly or through a trusted proxy", () => {
    vi.stubEnv("TRUST_PROXY", "");
    expect(cookie("http://localhost:3000/login")).toBe(
      "sb_session=t; Path=/; HttpOnly; SameSite=Lax; Max-Age=60",
    );
    expect(cookie("https://switchboard.example/login")).toMatch(/; Secure$/);
    // Anyone can send X-Forwarded-Proto: it counts only when a proxy of ours is in front.
    expect(cookie("http://localhost:3000/login", behindProxy)).not.toMatch(/Secure/);
    vi.stubEnv("TRUST_PROXY", "1");
    expect(cookie("http://localhost:3000/login", behindProxy)).toMatch(/; Secure$/);
  });
});

describe("the clock", () => {
  afterEach(() => vi.unstubAllEnvs());
  const asking = (date: string) => new Request("http://x/", { headers: { "x-test-now": date } });

  it("ignores x-test-now unless the server was started with SWITCHBOARD_TEST_CLOCK=1", () => {
    vi.stubEnv("SWITCHBOARD_TEST_CLOCK", "");
    expect(now(asking("2001-01-01T00:00:00Z")).getFullYear()).not.toBe(2001);
    vi.stubEnv("SWITCHBOARD_TEST_CLOCK", "1");
    expect(now(asking("2001-01-01T00:00:00Z"))).toEqual(new Date("2001-01-01T00:00:00Z"));
    expect(now(asking("not a date")).getFullYear()).not.toBe(2001);
  });
});
