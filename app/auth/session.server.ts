/**
 * Sessions live in the database. The cookie carries a random token; the
 * table keeps only its SHA-256, so reading the table opens no session.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import { readCookie, serializeCookie } from "./cookies.server.ts";

export const SESSION_COOKIE = "sb_session";
const SESSION_HOURS = 12;

export const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

/**
 * A session for this user, or null if they are no longer active. The sign-in
 * checked their status before its password hashing; a suspension or deletion
 * may have committed since, or be under way. So the session is inserted only
 * from their row read FOR SHARE, which waits for such a change (it locks the
 * user FOR NO KEY UPDATE) and then sees its status; and a change that comes
 * after waits for this insert, then deletes the session with the others.
 */
export async function createSession(
  db: Kysely<Database>,
  request: Request,
  ip: string | null,
  userId: number,
  now: Date,
): Promise<string | null> {
  const token = randomBytes(32).toString("base64url");
  const inserted = await db
    .insertInto("sessions")
    .columns(["id", "user_id", "created_at", "last_seen_at", "expires_at", "ip", "user_agent"])
    .expression(
      db
        .selectFrom("users")
        .select((eb) => [
          eb.val(hashToken(token)).as("id"),
          "id as user_id",
          eb.val(now).as("created_at"),
          eb.val(now).as("last_seen_at"),
          eb.val(new Date(now.getTime() + SESSION_HOURS * 3600_000)).as("expires_at"),
          eb.val(ip).as("ip"),
          eb.val(request.headers.get("user-agent")?.slice(0, 300) ?? null).as("user_agent"),
        ])
        .where("id", "=", userId)
        .where("status", "=", "active")
        .forShare(),
    )
    .executeTakeFirst();
  if (!inserted.numInsertedOrUpdatedRows) return null;
  return serializeCookie(request, SESSION_COOKIE, token, { maxAge: SESSION_HOURS * 3600 });
}

/** The hashed session id the request's cookie names, if any. */
export function sessionIdFrom(request: Request): string | undefined {
  const token = readCookie(request, SESSION_COOKIE);
  return token ? hashToken(token) : undefined;
}

export async function destroySession(db: Kysely<Database>, request: Request): Promise<string> {
  const id = sessionIdFrom(request);
  if (id) await db.deleteFrom("sessions").where("id", "=", id).execute();
  return serializeCookie(request, SESSION_COOKIE, "", { maxAge: 0 });
}
