/**
 * Passwords: stored as scrypt hashes, and a sign-in for an email with no
 * account does the same scrypt work as one for an account that has one. The
 * work is counted (node:crypto's scrypt, watched), not timed: the suite never
 * asserts timings.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { ScryptOptions } from "node:crypto";

const scryptCalls = vi.hoisted(() => [] as { keylen: number; options: ScryptOptions }[]);
vi.mock("node:crypto", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:crypto")>();
  const scrypt = (...args: Parameters<typeof real.scrypt>) => {
    const [, , keylen, options] = args;
    scryptCalls.push({ keylen, options: typeof options === "function" ? {} : options });
    return (real.scrypt as (...a: unknown[]) => void)(...args);
  };
  return { ...real, scrypt };
});

const { freshDatabase } = await import("../support/db.ts");
const { seedDemo } = await import("../../db/seed/demo.ts");
const { signIn, WRONG_CREDENTIALS } = await import("../../app/auth/login.server.ts");
const { hashPassword, verifyPassword } = await import("../../app/auth/password.server.ts");

const PASSWORD = "correct horse battery staple";
let t: Awaited<ReturnType<typeof freshDatabase>>;
beforeAll(async () => {
  t = await freshDatabase();
  await seedDemo(t.db, new Date());
  // A password Priya set herself: the production cost (the demo's is cheaper in tests).
  await t.db
    .updateTable("users")
    .set({ password_hash: await hashPassword(PASSWORD) })
    .where("email", "=", "priya@acme.test")
    .execute();
});
afterAll(() => t.close());
beforeEach(() => {
  scryptCalls.length = 0;
});

const PRODUCTION = { keylen: 32, options: expect.objectContaining({ N: 16384, r: 8, p: 1 }) };

describe("passwords", () => {
  it("are stored as scrypt$N$r$p$salt$hash, each with a salt of its own, and verify", async () => {
    const [a, b] = [await hashPassword(PASSWORD), await hashPassword(PASSWORD)];
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(b).not.toBe(a);
    expect(await verifyPassword(PASSWORD, a)).toBe(true);
    expect(await verifyPassword(`${PASSWORD}!`, a)).toBe(false);
    expect(await verifyPassword(PASSWORD, null)).toBe(false);
  });

  it("an email with no account costs the sign-in the same scrypt work as one with an account", async () => {
    const now = new Date();
    const refused = { ok: false, message: WRONG_CREDENTIALS };
    const wrongPassword = (email: string) =>
      signIn(t.db, new Request("http://x/login"), "203.0.113.9", { email, password: "wrong" }, now);
    expect(await wrongPassword("priya@acme.test")).toEqual(refused);
    const forAnAccount = scryptCalls.splice(0);
    expect(await wrongPassword("nobody@acme.test")).toEqual(refused);
    const forNoAccount = scryptCalls.splice(0);
    expect(forAnAccount).toEqual([PRODUCTION]);
    expect(forNoAccount).toEqual([PRODUCTION]);
  });
});
