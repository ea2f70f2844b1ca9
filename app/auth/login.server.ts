/**
 * Sign-in with a lockout: after 5 failed attempts for one email within 15
 * minutes, that email is refused for 15 minutes, whether or not an account
 * has it (so the lockout tells nothing about who has an account).
 * Wrong email, wrong password, a pending or a deleted account all get the
 * same message. An attempt is recorded before its password is checked, so
 * that attempts sent at the same instant cannot all slip under the limit.
 */
import { createHash } from "node:crypto";
import { sql, type Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import { verifyPassword } from "./password.server.ts";
import { createSession } from "./session.server.ts";

const WINDOW_MS = 15 * 60_000;
const MAX_FAILURES = 5;

/** A signed-in person's session cookie, or why there is none. */
export type SignInResult = { ok: true; cookie: string } | { ok: false; message: string };

export const WRONG_CREDENTIALS = "That email and password do not match an active account.";

export async function signIn(
  db: Kysely<Database>,
  request: Request,
  ip: string | null,
  input: { email: string; password: string },
  now: Date,
): Promise<SignInResult> {
  const email = input.email.trim().toLowerCase();
  const slot = await takeAttempt(db, email, ip, now);
  if (!slot.ok) return slot;

  const user = await db
    .selectFrom("users")
    .select(["id", "password_hash", "status"])
    .where((eb) => eb(eb.fn("lower", ["email"]), "=", email))
    .executeTakeFirst();
  const passwordOk = await verifyPassword(input.password, user?.password_hash ?? null);
  // Pending, suspended and deleted people get the wrong password's answer: it tells nobody which they are.
  if (!passwordOk || user?.status !== "active") return { ok: false, message: WRONG_CREDENTIALS };

  // The session, the attempt's success and the first sign-in are one change: an admin may have suspended or
  // deleted them during the password's hashing, and then none of the three happens. Their row is locked by
  // the first sign-in's update before the session's insert reads it FOR SHARE: two first sign-ins at once
  // each holding FOR SHARE and then both wanting to update it would deadlock.
  const cookie = await db.transaction().execute(async (tx) => {
    await tx
      .updateTable("users")
      .set({ first_signed_in_at: now })
      .where("id", "=", user.id)
      .where("status", "=", "active")
      .where("first_signed_in_at", "is", null)
      .execute();
    const cookie = await createSession(tx, request, ip, user.id, now);
    if (cookie)
      await tx
        .updateTable("login_attempts")
        .set({ succeeded: true })
        .where("id", "=", slot.attemptId)
        .execute();
    return cookie;
  });
  return cookie ? { ok: true, cookie } : { ok: false, message: WRONG_CREDENTIALS };
}

/** One key per email for `pg_advisory_xact_lock(int, int)`: the pair's first half says "sign-in". */
const LOCK_SPACE = 5_150_917;
const lockKey = (email: string) => createHash("sha256").update(email).digest().readInt32BE(0);

/**
 * Records the attempt as a failure before its password is checked (signIn
 * marks it succeeded once it is right), unless the email is locked: counting
 * the failures and recording the new one happen under a lock on the email, so
 * attempts at the same instant line up and at most five are ever checked in a
 * window. The lock is held for those two statements only, never during scrypt,
 * so waiting attempts hold no connection for long (PGlite has only one).
 */
async function takeAttempt(
  db: Kysely<Database>,
  email: string,
  ip: string | null,
  now: Date,
): Promise<{ ok: true; attemptId: number } | { ok: false; message: string }> {
  return db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(${LOCK_SPACE}::int, ${lockKey(email)}::int)`.execute(tx);
    // The last five attempts in the order they took this lock (by id): one
    // that read the clock a moment after this one may be among them, so none
    // is left out for a time later than `now`. Attempts are not recorded while
    // locked, so the newest failure is the one that started the lock: the lock
    // lasts 15 minutes from it.
    const recent = await tx
      .selectFrom("login_attempts")
      .select(["attempted_at", "succeeded"])
      .where("email", "=", email)
      .where("attempted_at", ">", new Date(now.getTime() - 2 * WINDOW_MS))
      .orderBy("id", "desc")
      .limit(MAX_FAILURES)
      .execute();
    const failures = recent.some((a) => a.succeeded) ? [] : recent.map((a) => a.attempted_at.getTime());
    if (failures.length === MAX_FAILURES) {
      const newest = Math.max(...failures);
      const oldest = Math.min(...failures);
      const unlocksAt = newest + WINDOW_MS;
      if (newest - oldest <= WINDOW_MS && now.getTime() < unlocksAt) {
        const minutes = Math.max(1, Math.ceil((unlocksAt - now.getTime()) / 60_000));
        return {
          ok: false as const,
          message: `Too many failed sign-ins for this email. Sign-in is locked for ${minutes} more minute${minutes === 1 ? "" : "s"}.`,
        };
      }
    }
    const { id } = await tx
      .insertInto("login_attempts")
      .values({ email, attempted_at: now, succeeded: false, ip })
      .returning("id")
      .executeTakeFirstOrThrow();
    return { ok: true as const, attemptId: id };
  });
}

/**
 * Only a path on this site: never an absolute URL someone slipped into the
 * link. The value is read as the browser will read it (which drops tabs and
 * line breaks, and takes a backslash for a slash), so "/\t/evil.test" is seen
 * for the other site it names; what comes back is the parsed path, query and
 * fragment, percent-encoded, which a Location header can always carry.
 */
export function safeRedirect(
  to: FormDataEntryValue | string | null | undefined,
  fallback: string,
  origin: string,
): string {
  if (typeof to !== "string" || !to.startsWith("/")) return fallback;
  let url: URL;
  try {
    url = new URL(to, origin);
  } catch {
    return fallback;
  }
  return url.origin === new URL(origin).origin ? url.pathname + url.search + url.hash : fallback;
}
