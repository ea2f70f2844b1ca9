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

export async function createSession(
  db: Kysely<Database>,
  request: Request,
  ip: string | null,
  userId: number,
  now: Date,
): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  await db
    .insertInto("sessions")
    .values({
      id: hashToken(token),
      user_id: userId,
      created_at: now,
      last_seen_at: now,
      expires_at: new Date(now.getTime() + SESSION_HOURS * 3600_000),
      ip,
      user_agent: request.headers.get("user-agent")?.slice(0, 300) ?? null,
    })
    .execute();
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
