/**
 * The prologue every page about one target shares: the admin, the id the
 * URL names, and the target as this admin may see it; an id that is not a
 * number, or names nothing in their scope, is the same 404.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import { getDb } from "~/db.server";
import type { Actor } from "~/auth/actor.server";
import { idParam, notFound, requireAdmin } from "~/auth/guards.server";
import { now } from "~/clock.server";
import { findDeleted, type DeletedUserResult } from "~/users/deleted.server";
import { getUserProfile } from "~/users/profile.server";
import { maySuspend, reasonOf } from "~/auth/policy.server";
import { confirmation, redirectWithFlash, refusalReply } from "./result.server";

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

/** A route's loader or action arguments, as the prologues here read them. */
interface TargetArgs {
  request: Request;
  context: ContextLike;
  params: { userId?: string };
}

/** The deleted user the URL names, as this admin may see them (Restore and Permanently delete). */
function deletedTarget({ context, request, params }: TargetArgs) {
  return adminTarget(context, request, params.userId, "This deleted user", (db, actor, id) =>
    findDeleted(db, actor, id, now(request)),
  );
}

/** The loader of Restore and of Permanently delete: the deleted user, and whether the rule they share says no. */
export async function deletedUserLoader(args: TargetArgs) {
  return { user: (await deletedTarget(args)).target };
}

/**
 * The action of Restore and of Permanently delete: `change` asks the rule
 * again under the row lock; a refusal comes back to the page, success goes to
 * Deleted Users with `done`'s message.
 */
export async function confirmDeletedUser(
  args: TargetArgs,
  change: (db: Kysely<Database>, actor: Actor, userId: number, now: Date) => Promise<DeletedUserResult>,
  done: (name: string) => string,
) {
  const { actor, db, target: user } = await deletedTarget(args);
  const submission = confirmation(await args.request.formData());
  const result = await change(db, actor, user.id, now(args.request));
  if (!result.ok) return refusalReply(submission, result);
  redirectWithFlash(args.request, "/users/deleted", done(result.name));
}

/**
 * Suspend user and Reactivate user: the user the URL names, as this admin may
 * see them, and why this change cannot be made to them now (null if it can;
 * the action asks the rule again under lock).
 */
export async function suspensionTarget(
  { context, request, params }: TargetArgs,
  change: "suspend" | "reactivate",
) {
  const {
    actor,
    db,
    target: user,
  } = await adminTarget(context, request, params.userId, "This user", getUserProfile);
  const suspended = user.status === "suspended";
  const refusal =
    reasonOf(maySuspend(actor, user)) ??
    (change === "suspend" && suspended ? `${user.name} is already suspended.` : null) ??
    (change === "reactivate" && !suspended ? `${user.name} is not suspended.` : null);
  return { actor, db, user, refusal };
}
