/** Sign-in and its lockout, with the clock moved instead of waited for. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, type TestDatabase } from "../support/db.ts";
import { seedDemo, DEMO_PASSWORD } from "../../db/seed/demo.ts";
import { signIn, WRONG_CREDENTIALS, safeRedirect } from "../../app/auth/login.server.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await freshDatabase();
  await seedDemo(t.db, new Date());
});
afterAll(() => t.close());

const request = new Request("http://localhost/login", { method: "POST" });
const minutes = (start: Date, m: number) => new Date(start.getTime() + m * 60_000);

describe("sign-in", () => {
  it("admits active users only, with one message for every failure", async () => {
    const now = new Date();
    expect(
      await signIn(t.db, request, { email: " ADA@acme.test ", password: DEMO_PASSWORD }, now),
    ).toMatchObject({ ok: true });
    for (const [email, password] of [
      ["ada@acme.test", "nope"],
      ["nobody@acme.test", DEMO_PASSWORD],
      ["jasper@acme.test", DEMO_PASSWORD], // pending
      ["sienna@acme.test", DEMO_PASSWORD], // deleted
    ]) {
      expect(await signIn(t.db, request, { email: email!, password: password! }, now)).toEqual({
        ok: false,
        message: WRONG_CREDENTIALS,
      });
    }
  });

  it("locks an email for 15 minutes after 5 failures within 15 minutes", async () => {
    const start = new Date("2026-01-01T10:00:00Z");
    const attempt = (at: Date, password = "wrong") =>
      signIn(t.db, request, { email: "priya@acme.test", password }, at);
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
      signIn(t.db, request, { email: "marcus@acme.test", password }, at);
    for (let i = 0; i < 5; i++) await attempt(minutes(start, i * 4));
    expect((await attempt(minutes(start, 17), DEMO_PASSWORD)).ok).toBe(true);
    for (let i = 0; i < 4; i++) await attempt(minutes(start, 18 + i));
    expect((await attempt(minutes(start, 23), DEMO_PASSWORD)).ok).toBe(true);
  });
});

describe("safeRedirect", () => {
  it("keeps people on this site", () => {
    expect(safeRedirect("/users?q=a", "/")).toBe("/users?q=a");
    for (const bad of ["https://evil.example", "//evil.example", "/\\evil.example", "users", null]) {
      expect(safeRedirect(bad, "/")).toBe("/");
    }
  });
});
