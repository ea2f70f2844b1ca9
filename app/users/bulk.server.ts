/**
 * A bulk action from selection to result: resolve who is selected (within
 * scope), plan it for the confirmation page, apply it, and read back the
 * recorded outcome for the result page.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import type { Actor } from "../auth/actor.server.ts";
import { mayRunBulk } from "../auth/policy.server.ts";
import { BULK_LIMIT, bulkSelection, formToObject } from "./bulk-params.ts";
import {
  BULK_ACTION_KEYS,
  BULK_ACTIONS,
  bulkActionOf,
  type BulkAction,
  type OneStepBulkAction,
} from "./bulk-actions.ts";
import { readListParams } from "./list-params.ts";
import { matchingUserIds } from "./list.server.ts";
import { findTargets, type BulkOutcome, type Target } from "./bulk-targets.server.ts";
import { companyCounts, deleteUsers, planDeletion, type LicenseChoice } from "./delete.server.ts";
import { changeAdminAccess, planAdminAccess } from "./admin-access.server.ts";
import { DELETED_USER } from "./anonymize.server.ts";
import { enqueueBulk, inRequestUsers } from "./bulk-job.server.ts";
import { refused, type Result } from "../refusal.server.ts";

/** The list's action select: the actions this admin may run, as [action, label]. */
export const bulkActionsFor = (actor: Actor): [BulkAction, string][] =>
  BULK_ACTION_KEYS.filter((a) => mayRunBulk(actor, a).ok).map((a) => [a, BULK_ACTIONS[a].label]);

export type Selection =
  /** search: the selection is everyone the search matches (then uncapped for the one-step actions). */
  | { ok: true; action: BulkAction; ids: number[]; tooMany: boolean; search: boolean }
  /** status: 400 when the request itself is malformed (a search that cannot be one). */
  | { ok: false; message: string; status?: 400 };

export async function resolveSelection(db: Kysely<Database>, actor: Actor, url: URL): Promise<Selection> {
  const parsed = bulkSelection.safeParse(formToObject(url.searchParams));
  if (!parsed.success) return { ok: false, message: "Choose an action and the users to apply it to." };
  const { action, scope } = parsed.data;
  let ids = scope === "page" ? parsed.data.page_id : parsed.data.id;
  let tooMany = false;
  if (scope === "search") {
    const search = readListParams(url);
    if (search.error) return { ok: false, message: search.error.join(" "), status: 400 };
    // Transfer users reviews each user's numbers on one page: it stays capped.
    const cap = action === "transfer" ? BULK_LIMIT : Number.MAX_SAFE_INTEGER;
    ids = await matchingUserIds(db, actor, search.params, cap === BULK_LIMIT ? cap + 1 : cap);
    tooMany = ids.length > cap;
    ids = ids.slice(0, cap);
  }
  if (ids.length === 0) return { ok: false, message: "Select at least one user, then choose Apply." };
  return { ok: true, action, ids, tooMany, search: scope === "search" };
}

/** Users a confirmation of everyone a search matches lists, with what happens to each; the count says the rest. */
export const SEARCH_SHOWS = 100;

export const countChanged = (then: number, now: number) =>
  `The number of users that match this search has changed since you saw it (${then.toLocaleString("en-US")} then, ${now.toLocaleString("en-US")} now), so nothing was changed. Check the users below and confirm again.`;

/**
 * The confirmation of a one-step action on everyone a search matches: the
 * search is run again and must match as many users as the page showed
 * (`count`), or nothing happens and the page asks again. A few users are
 * changed in this request; more than inRequestUsers() are a job
 * (users/bulk-job.server.ts), whose progress page follows.
 */
export async function confirmSearchBulk(
  db: Kysely<Database>,
  actor: Actor,
  url: URL,
  input: { action: OneStepBulkAction; count: number; license: LicenseChoice },
  now: Date,
  inRequest = inRequestUsers(),
): Promise<Result<{ applied: BulkApplied } | { jobId: number }>> {
  const selection = await resolveSelection(db, actor, url);
  if (!selection.ok || !selection.search || selection.action !== input.action)
    return refused("Choose an action and the users to apply it to.", "invalid");
  if (selection.ids.length !== input.count)
    return refused(countChanged(input.count, selection.ids.length), "stale");
  if (selection.ids.length <= inRequest)
    return { ok: true, applied: await applyBulk(db, actor, input.action, selection.ids, input.license, now) };
  return {
    ok: true,
    jobId: await enqueueBulk(db, actor, input.action, selection.ids, input.license, now),
  };
}

type BulkApplied = { auditId: number | null; outcomes: BulkOutcome[] };

/**
 * How each one-step action applies: its plan for the confirmation page and
 * its change, keyed by the registry, so a new one-step action without them
 * does not compile. Transfer users applies through its own steps
 * (users/transfer.server.ts).
 */
const ONE_STEP: Record<
  OneStepBulkAction,
  {
    plan: (db: Kysely<Database>, actor: Actor, targets: Target[]) => Promise<BulkOutcome[]>;
    apply: (
      db: Kysely<Database>,
      actor: Actor,
      ids: number[],
      license: LicenseChoice,
      now: Date,
    ) => Promise<BulkApplied>;
  }
> = {
  delete: {
    plan: async (db, actor, targets) =>
      planDeletion(actor, targets, await companyCounts(db, actor.company.id)),
    apply: (db, actor, ids, license, now) => deleteUsers(db, actor, ids, license, now),
  },
  add_admin: {
    plan: async (_db, actor, targets) => planAdminAccess(actor, targets, "add"),
    apply: (db, actor, ids, _license, now) => changeAdminAccess(db, actor, ids, "add", now),
  },
  remove_admin: {
    plan: async (_db, actor, targets) => planAdminAccess(actor, targets, "remove"),
    apply: (db, actor, ids, _license, now) => changeAdminAccess(db, actor, ids, "remove", now),
  },
};

export async function planBulk(db: Kysely<Database>, actor: Actor, action: OneStepBulkAction, ids: number[]) {
  const targets = await findTargets(db, actor, ids);
  return { targets, outcomes: await ONE_STEP[action].plan(db, actor, targets) };
}

export function applyBulk(
  db: Kysely<Database>,
  actor: Actor,
  action: OneStepBulkAction,
  ids: number[],
  license: LicenseChoice,
  now: Date,
) {
  return ONE_STEP[action].apply(db, actor, ids, license, now);
}

/** A bulk action's recorded outcome, for the person who ran it. Names are read now. */
export async function bulkResult(db: Kysely<Database>, actor: Actor, auditId: number) {
  const entry = await db
    .selectFrom("audit_log")
    .select(["action", "after", "created_at"])
    .where("id", "=", auditId)
    .where("company_id", "=", actor.company.id)
    .where("actor_user_id", "=", actor.proxy?.admin.id ?? actor.person.id)
    .where(
      "action",
      "in",
      BULK_ACTION_KEYS.map((a) => BULK_ACTIONS[a].audit),
    )
    .executeTakeFirst();
  if (!entry) return null;
  return {
    action: bulkActionOf(entry.action)!,
    at: entry.created_at,
    outcomes: await withNames(db, actor, (entry.after as { outcomes: Omit<BulkOutcome, "name">[] }).outcomes),
  };
}

/** Recorded outcomes with the users' names, read now: an anonymized user is a "Deleted user". */
export async function withNames(
  db: Kysely<Database>,
  actor: Actor,
  recorded: Omit<BulkOutcome, "name">[],
): Promise<BulkOutcome[]> {
  const names = new Map(
    (
      await db
        .selectFrom("users")
        .select(["id", "first_name", "last_name"])
        .where("company_id", "=", actor.company.id)
        .where("id", "in", recorded.length ? recorded.map((o) => o.id) : [0])
        .execute()
    ).map((u) => [u.id, u.first_name ? `${u.first_name} ${u.last_name}` : DELETED_USER]),
  );
  return recorded.map((o) => ({ ...o, name: names.get(o.id) ?? DELETED_USER }));
}
