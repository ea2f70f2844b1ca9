/**
 * Sign-in with a lockout: after 5 failed attempts for one email within 15
 * minutes, that email is refused for 15 minutes, whether or not an account
 * has it (so the lockout tells nothing about who has an account).
 * Wrong email, wrong password, a pending or a deleted account all get the
 * same message.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import { verifyPassword } from "./password.server.ts";
import { clientIp } from "./cookies.server.ts";

const WINDOW_MS = 15 * 60_000;
const MAX_FAILURES = 5;

export type SignInResult = { ok: true; userId: number } | { ok: false; message: string };

export const WRONG_CREDENTIALS = "That email and password do not match an active account.";

export async function signIn(
  db: Kysely<Database>,
  request: Request,
  input: { email: string; password: string },
  now: Date,
): Promise<SignInResult> {
  const email = input.email.trim().toLowerCase();
  // Attempts are not recorded while locked, so the newest failure is the one
  // that started the lock: the lock lasts 15 minutes from it.
  const recent = await db
    .selectFrom("login_attempts")
    .select(["attempted_at", "succeeded"])
    .where("email", "=", email)
    .where("attempted_at", ">", new Date(now.getTime() - 2 * WINDOW_MS))
    .where("attempted_at", "<=", now)
    .orderBy("attempted_at", "desc")
    .limit(MAX_FAILURES)
    .execute();
  const failures = recent.findIndex((a) => a.succeeded) === -1 ? recent : [];
  if (failures.length === MAX_FAILURES) {
    const newest = failures[0]!.attempted_at.getTime();
    const oldest = failures[MAX_FAILURES - 1]!.attempted_at.getTime();
    const unlocksAt = newest + WINDOW_MS;
    if (newest - oldest <= WINDOW_MS && now.getTime() < unlocksAt) {
      const minutes = Math.max(1, Math.ceil((unlocksAt - now.getTime()) / 60_000));
      return {
        ok: false,
        message: `Too many failed sign-ins for this email. Sign-in is locked for ${minutes} more minute${minutes === 1 ? "" : "s"}.`,
      };
    }
  }

  const user = await db
    .selectFrom("users")
    .select(["id", "password_hash", "status"])
    .where((eb) => eb(eb.fn("lower", ["email"]), "=", email))
    .executeTakeFirst();
  const passwordOk = await verifyPassword(input.password, user?.password_hash ?? null);
  const ok = passwordOk && user?.status === "active";

  await db.transaction().execute(async (tx) => {
    await tx
      .insertInto("login_attempts")
      .values({ email, attempted_at: now, succeeded: ok, ip: clientIp(request) })
      .execute();
    if (ok) {
      await tx
        .updateTable("users")
        .set({ first_signed_in_at: now })
        .where("id", "=", user!.id)
        .where("first_signed_in_at", "is", null)
        .execute();
    }
  });
  return ok ? { ok: true, userId: user!.id } : { ok: false, message: WRONG_CREDENTIALS };
}

/** Only a path on this site: never an absolute URL someone slipped into the link. */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback: string): string {
  if (typeof to !== "string" || !to.startsWith("/") || to.startsWith("//") || to.startsWith("/\\"))
    return fallback;
  return to;
}
