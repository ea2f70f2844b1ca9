/**
 * The prologue every page about one target shares: the admin, the id the
 * URL names, and the target as this admin may see it; an id that is not a
 * number, or names nothing in their scope, is the same 404.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import { getDb } from "~/db.server";
import { idParam, notFound, requireAdmin, type Actor } from "~/auth/actor.server";
import { now } from "~/clock.server";
import { findDeleted } from "~/users/deleted.server";

type ContextLike = Parameters<typeof requireAdmin>[0];

export async function adminTarget<T>(
  context: ContextLike,
  request: Request,
  rawId: string | undefined,
  /** What the 404 names: "This user". */
  what: string,
  find: (db: Kysely<Database>, actor: Actor, id: number) => Promise<T | null | undefined>,
): Promise<{ actor: Actor; db: Kysely<Database>; target: T }> {
  const actor = requireAdmin(context, request);
  const id = idParam(rawId, what);
  const db = await getDb();
  const target = await find(db, actor, id);
  if (!target) notFound(what);
  return { actor, db, target };
}

/** The deleted user the URL names, as this admin may see them (Restore and Permanently delete). */
export function deletedTarget(context: ContextLike, request: Request, rawId: string | undefined) {
  return adminTarget(context, request, rawId, "This deleted user", (db, actor, id) =>
    findDeleted(db, actor, id, now(request)),
  );
}
