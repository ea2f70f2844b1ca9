/** The actor of a demo person, read through the real authorization module. */
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import { loadActor, type Actor } from "../../app/auth/actor.server.ts";
import { createSession, hashToken } from "../../app/auth/session.server.ts";

export async function actorFor(db: Kysely<Database>, email: string, now = new Date()): Promise<Actor> {
  const user = await db.selectFrom("users").select("id").where("email", "=", email).executeTakeFirstOrThrow();
  const request = new Request("http://localhost/");
  const cookie = await createSession(db, request, null, user.id, now);
  if (!cookie) throw new Error(`${email} cannot sign in`);
  const token = decodeURIComponent(cookie.split(";")[0]!.split("=")[1]!);
  const actor = await loadActor(db, null, hashToken(token), now);
  if (!actor) throw new Error(`${email} cannot sign in`);
  return actor;
}
