/** Sign-in and its lockout, with the clock moved instead of waited for. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { freshDatabase, serverUrl, type TestDatabase } from "../support/db.ts";
import { onServer, untilLocksWait } from "../support/race.ts";
import { seedDemo, DEMO_PASSWORD } from "../../db/seed/demo.ts";
import { signIn, WRONG_CREDENTIALS, safeRedirect } from "../../app/auth/login.server.ts";
import { demoPasswordCost, hashPassword, verifyPassword } from "../../app/auth/password.server.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await freshDatabase();
  await seedDemo(t.db, new Date());
});
afterAll(() => t.close());

const IP = "203.0.113.7";
const LOGIN = new Request("http://x/login");
const minutes = (start: Date, m: number) => new Date(start.getTime() + m * 60_000);

describe("sign-in", () => {
  it("admits active users only, with one message for every failure", async () => {
    const now = new Date();
    expect(
      await signIn(t.db, LOGIN, IP, { email: " ADA@acme.test ", password: DEMO_PASSWORD }, now),
    ).toMatchObject({
      ok: true,
    });
    for (const [email, password] of [
      ["ada@acme.test", "nope"],
      ["nobody@acme.test", DEMO_PASSWORD],
      ["jasper@acme.test", DEMO_PASSWORD], // pending
      ["sienna@acme.test", DEMO_PASSWORD], // deleted
    ]) {
      expect(await signIn(t.db, LOGIN, IP, { email: email!, password: password! }, now)).toEqual({
        ok: false,
        message: WRONG_CREDENTIALS,
      });
    }
  });

  it("locks an email for 15 minutes after 5 failures within 15 minutes", async () => {
    const start = new Date("2026-01-01T10:00:00Z");
    const attempt = (at: Date, password = "wrong") =>
      signIn(t.db, LOGIN, IP, { email: "priya@acme.test", password }, at);
    for (let i = 0; i < 5; i++) expect((await attempt(minutes(start, i))).ok).toBe(false);
    const locked = await attempt(minutes(start, 5), DEMO_PASSWORD);
    expect(locked).toEqual({
      ok: false,
      message: "Too many failed sign-ins for this email. Sign-in is locked for 14 more minutes.",
    });
    expect((await attempt(minutes(start, 18.9), DEMO_PASSWORD)).ok).toBe(false);
    // 15 minutes after the fifth failure, the right password works again.
    expect((await attempt(minutes(start, 19.01), DEMO_PASSWORD)).ok).toBe(true);
  });

  it("does not count failures spread wider than 15 minutes, nor those before a success", async () => {
    const start = new Date("2026-02-01T10:00:00Z");
    const attempt = (at: Date, password = "wrong") =>
      signIn(t.db, LOGIN, IP, { email: "marcus@acme.test", password }, at);
    for (let i = 0; i < 5; i++) await attempt(minutes(start, i * 4));
    expect((await attempt(minutes(start, 17), DEMO_PASSWORD)).ok).toBe(true);
    for (let i = 0; i < 4; i++) await attempt(minutes(start, 18 + i));
    expect((await attempt(minutes(start, 23), DEMO_PASSWORD)).ok).toBe(true);
  });
});

describe("a sign-in whose account is suspended while its password is checked", () => {
  it.runIf(onServer)(
    "opens no session, and records neither a successful attempt nor a first sign-in",
    async () => {
      const at = new Date("2026-04-01T10:00:00Z");
      const email = "oscar@acme.test";
      const { id } = await t.db
        .updateTable("users")
        .set({ status: "active", first_signed_in_at: null })
        .where("email", "=", email)
        .returning("id")
        .executeTakeFirstOrThrow();
      // An admin's suspension of them, not yet committed: their row is locked, as suspendUser locks it.
      const suspending = new pg.Client({ connectionString: serverUrl(t.name) });
      await suspending.connect();
      await suspending.query("begin");
      await suspending.query("update users set status = 'suspended' where id = $1", [id]);
      const signingIn = signIn(t.db, LOGIN, IP, { email, password: DEMO_PASSWORD }, at);
      await untilLocksWait(t.db, 1, "the sign-in to wait for the suspension");
      await suspending.query("commit");
      await suspending.end();

      expect(await signingIn).toEqual({ ok: false, message: WRONG_CREDENTIALS });
      const user = await t.db
        .selectFrom("users")
        .select("first_signed_in_at")
        .where("id", "=", id)
        .executeTakeFirstOrThrow();
      expect(user.first_signed_in_at).toBeNull();
      expect(await t.db.selectFrom("sessions").select("id").where("user_id", "=", id).execute()).toEqual([]);
      const attempts = await t.db
        .selectFrom("login_attempts")
        .select("succeeded")
        .where("email", "=", email)
        .execute();
      expect(attempts).toEqual([{ succeeded: false }]);
    },
  );
});

describe("sign-in at the same instant", () => {
  const LOCKED = /^Too many failed sign-ins for this email/;
  const checked = (email: string, at: Date) =>
    t.db
      .selectFrom("login_attempts")
      .select(["succeeded"])
      .where("email", "=", email)
      .where("attempted_at", "=", at)
      .execute();

  // On the server the attempts really overlap (a pool of connections); on PGlite
  // they still interleave between the lockout's count and the attempt's record.
  it("checks at most five of twenty parallel wrong passwords, then refuses the right one", async () => {
    const at = new Date("2026-03-01T10:00:00Z");
    const email = "priya@acme.test";
    const results = await Promise.all(
      Array.from({ length: 20 }, () => signIn(t.db, LOGIN, IP, { email, password: "wrong" }, at)),
    );
    expect(results.filter((r) => !r.ok && r.message === WRONG_CREDENTIALS)).toHaveLength(5);
    expect(results.filter((r) => !r.ok && LOCKED.test(r.message))).toHaveLength(15);
    expect(await checked(email, at)).toEqual(Array.from({ length: 5 }, () => ({ succeeded: false })));
    const right = await signIn(t.db, LOGIN, IP, { email, password: DEMO_PASSWORD }, minutes(at, 1));
    expect(right).toMatchObject({ ok: false, message: expect.stringMatching(LOCKED) });
  });

  it("counts the attempts that took their turn first, even if their clock read a moment later", async () => {
    // Requests read the clock before they queue for the lock: the ones ahead may carry a later time.
    const at = new Date("2026-03-03T10:00:00Z");
    const email = "mei@acme.test";
    for (let i = 0; i < 5; i++)
      await signIn(t.db, LOGIN, IP, { email, password: "wrong" }, new Date(at.getTime() + 50 - i));
    const right = await signIn(t.db, LOGIN, IP, { email, password: DEMO_PASSWORD }, at);
    expect(right).toMatchObject({ ok: false, message: expect.stringMatching(LOCKED) });
  });

  it("lets the right password among twenty wrong ones in only if it was one of the first five checked", async () => {
    const at = new Date("2026-03-02T10:00:00Z");
    const email = "marcus@acme.test";
    const passwords = Array.from({ length: 21 }, (_, i) => (i === 10 ? DEMO_PASSWORD : "wrong"));
    const results = await Promise.all(
      passwords.map((password) => signIn(t.db, LOGIN, IP, { email, password }, at)),
    );
    const notLocked = results.filter((r) => r.ok || !LOCKED.test(r.message));
    expect(notLocked.length).toBeLessThanOrEqual(5);
    const rows = await checked(email, at);
    expect(rows.length).toBe(notLocked.length);
    expect(rows.filter((r) => r.succeeded).length).toBe(results[10]!.ok ? 1 : 0);
  });
});

describe("password cost", () => {
  it("hashes a person's password at the production cost; the demo password is cheaper only in a test run", async () => {
    const production = { N: 16384, r: 8, p: 1 };
    expect((await hashPassword("a long enough password")).split("$").slice(0, 4)).toEqual([
      "scrypt",
      "16384",
      "8",
      "1",
    ]);
    expect(demoPasswordCost({})).toEqual(production);
    expect(demoPasswordCost({ SWITCHBOARD_DEMO_PASSWORD_COST: "1" })).toEqual(production);
    const cheap = await hashPassword(
      DEMO_PASSWORD,
      demoPasswordCost({ SWITCHBOARD_DEMO_PASSWORD_COST: "test" }),
    );
    expect(cheap.split("$").slice(0, 4)).toEqual(["scrypt", "1024", "8", "1"]);
    expect(await verifyPassword(DEMO_PASSWORD, cheap)).toBe(true);
    expect(await verifyPassword("switchboard-demo!", cheap)).toBe(false);
  });
});

describe("safeRedirect", () => {
  const ORIGIN = "http://localhost:3000";
  it("keeps a path on this site, as the browser will read it", () => {
    expect(safeRedirect("/users?q=a", "/", ORIGIN)).toBe("/users?q=a");
    expect(safeRedirect("/users/12#numbers", "/", ORIGIN)).toBe("/users/12#numbers");
    // Characters a Location header cannot carry come back percent-encoded.
    expect(safeRedirect("/users?q=Zoë a", "/", ORIGIN)).toBe("/users?q=Zo%C3%AB%20a");
  });

  it("falls back to the start page for anything that leaves the site or is not a path", () => {
    for (const bad of [
      "https://evil.example",
      "//evil.example",
      "/\\evil.example",
      "\\\\evil.example",
      // Browsers drop tabs and line breaks from a URL, so these read as //evil.test/x.
      "/\t/evil.test/x",
      "/\n/evil.test/x",
      "/\r\n/x",
      " //evil.example",
      "javascript:alert(1)",
      "http://localhost:3000.evil.example/",
      "users",
      "",
      null,
      undefined,
    ]) {
      expect(safeRedirect(bad, "/", ORIGIN), JSON.stringify(bad)).toBe("/");
    }
  });
});
