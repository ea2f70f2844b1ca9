/**
 * Transfer user, as docs/domain.md says ("Transfers of licenses and users"):
 * the user keeps license (the seat moves with them to the new office's
 * pool), numbers and settings; only the office changes. Memberships of the old office's groups and admin rights over the
 * old office end. To an office in another country, the local and fax
 * numbers go to the old office's Reserved Pool (with the last-holder
 * snapshot) and a new local number in the new country is assigned, from the
 * new office's Reserved Pool if one is free, else from the number provider.
 *
 * Transfer users (the bulk action) is the same for a set: the review lists
 * each user's changes or why they are skipped, and the confirm moves them
 * all in one transaction. Everything is read and written for the whole set
 * at once, so one user is a set of one, and a bulk transfer runs a constant
 * number of statements whatever its size (provider numbers aside, see
 * applyTransfers in transfer-apply.server.ts).
 *
 * The flow is here, its jobs beside it: the offices (transfer-offices), the
 * plan and its review key (transfer-plan), the apply step (transfer-apply),
 * the words (transfer-words). One user's confirmation is a bulk transfer of
 * one (confirmTransfers).
 *
 * Next (a POST) holds the new local numbers the review will show
 * (app/numbers/review-holds.server.ts): held for the user until the admin confirms
 * or leaves. The review shows a preview; the confirmation carries its key
 * (per user), and the transfer re-reads everything under lock, the held
 * numbers too, and refuses if anything differs, so nothing happens that the
 * admin did not see.
 */
import type { Kysely, Transaction } from "kysely";
import type { Database } from "../../db/schema.ts";
import type { Actor } from "../auth/actor.server.ts";
import { mayTransferUsers, reasonOf } from "../auth/policy.server.ts";
import { localNumberProvider, type NumberProvider } from "../numbers/provider.server.ts";
import { dropReviewHolds, holdNewNumbersForReview } from "../numbers/review-holds.server.ts";
import { refuseIfStale } from "../review-key.server.ts";
import { Refusal, refusing, type Outcome, type Result } from "../refusal.server.ts";
import type { TransferConfirmInput } from "./transfer-schema.ts";
import { seenEntry, type BulkTransferInput } from "./bulk-params.ts";
import { recordBulkResult, type BulkOutcome } from "./bulk-targets.server.ts";
import {
  companyOffices,
  nameOf,
  officeChoices,
  officeChoicesForAll,
  readUsers,
  userRefusal,
  type TransferOffice,
} from "./transfer-offices.server.ts";
import { lockedPreviews, previewsOf, readPreviews, type TransferPreview } from "./transfer-plan.server.ts";
import { applyTransfers } from "./transfer-apply.server.ts";
import { doneMessage, NO_SEAT_ANY_MORE, stale, transferChanges } from "./transfer-words.ts";

/** The user and the offices they could move to; null if the user is not in scope. */
export async function transferChoices(db: Kysely<Database>, actor: Actor, userId: number) {
  const [user] = await readUsers(db, actor, [userId], false);
  if (!user) return null;
  return {
    user: { id: user.id, name: nameOf(user), officeName: user.office_name },
    refusal: reasonOf(mayTransferUsers(actor)) ?? userRefusal(user),
    offices: officeChoices(user, await companyOffices(db, actor)),
  };
}

/**
 * Next: holds the new local numbers the review of moving these users to
 * `officeId` shows (for those moving to another country), after dropping
 * this sign-in's earlier holds for them. Returns the office as a choice
 * (the route refuses a disabled one), or null if it is not the company's
 * or none of the users is in scope.
 */
export async function startTransferReview(
  db: Kysely<Database>,
  actor: Actor,
  userIds: number[],
  officeId: number,
  now: Date,
  provider: NumberProvider = localNumberProvider,
): Promise<TransferOffice | null> {
  return db.transaction().execute(async (tx) => {
    const users = await readUsers(tx, actor, userIds, false);
    const to = users.length
      ? officeChoicesForAll(users, await companyOffices(tx, actor)).find((o) => o.id === officeId)
      : undefined;
    if (!to) return null;
    await dropReviewHolds(
      tx,
      actor,
      users.map((u) => u.id),
    );
    if (to.disabledReason || !mayTransferUsers(actor).ok) return to;
    const previews = (await readPreviews(tx, actor, users, to.id, false, "to hold")) ?? [];
    const wanting = previews.filter((p) => p.needsNewNumber).map((p) => p.user.id);
    if (wanting.length > 0) await holdNewNumbersForReview(tx, actor, to, wanting, now, provider);
    return to;
  });
}

/** The review of moving the user to `officeId`, with the number held for them; null if the user or the office is not in scope. */
export async function previewTransfer(
  db: Kysely<Database>,
  actor: Actor,
  userId: number,
  officeId: number,
  now: Date,
): Promise<TransferPreview | null> {
  const users = await readUsers(db, actor, [userId], false);
  if (users.length === 0) return null;
  return (await previewsOf(db, actor, users, officeId, now))?.[0] ?? null;
}

/**
 * The confirmation both flows share (one user is a bulk transfer of one):
 * the users and pools locked and the plan read again (lockedPreviews),
 * `check` refusing (by throwing) anything the review did not show, then
 * the users it did not refuse moved. The previews, for the outcomes; null
 * when the office is not the company's.
 */
async function confirmTransfers(
  tx: Transaction<Database>,
  actor: Actor,
  userIds: number[],
  officeId: number,
  check: (previews: TransferPreview[] | null) => void,
  now: Date,
  provider: NumberProvider,
) {
  const { previews } = await lockedPreviews(tx, actor, userIds, officeId, now);
  check(previews);
  await applyTransfers(
    tx,
    actor,
    (previews ?? []).filter((p) => !p.refusal),
    now,
    provider,
  );
  return previews;
}

/** Confirm transfer: one transaction, under lock, refusing anything the review did not show. */
export async function transferUser(
  db: Kysely<Database>,
  actor: Actor,
  userId: number,
  input: TransferConfirmInput,
  now: Date,
  provider: NumberProvider = localNumberProvider,
): Promise<Outcome> {
  return refusing(
    () =>
      db.transaction().execute(async (tx) => {
        const check = (previews: TransferPreview[] | null) => {
          const p = previews?.[0];
          if (!p) throw new Refusal("This user", "not_found");
          if (p.refusal) throw new Refusal(p.refusal);
          refuseIfStale([{ name: p.user.name, key: p.key, seen: input.seen }], stale);
        };
        const [p] = (await confirmTransfers(tx, actor, [userId], input.office, check, now, provider))!;
        return { ok: true as const, message: doneMessage(p!, true) };
      }),
    () => NO_SEAT_ANY_MORE,
  );
}

/** Transfer users, the first step: the offices the selected users could move to. */
export async function bulkTransferChoices(db: Kysely<Database>, actor: Actor, userIds: number[]) {
  const users = await readUsers(db, actor, userIds, false);
  return users.length ? officeChoicesForAll(users, await companyOffices(db, actor)) : [];
}

/**
 * Transfer users, the review: each user with what will change (the numbers
 * held for them too), or why they are skipped, and what the confirmation
 * must carry back. Null when the office is not the company's.
 */
export async function planTransfers(
  db: Kysely<Database>,
  actor: Actor,
  userIds: number[],
  officeId: number,
  now: Date,
) {
  const users = await readUsers(db, actor, userIds, false);
  const previews = await previewsOf(db, actor, users, officeId, now);
  const to = users.length
    ? officeChoicesForAll(users, await companyOffices(db, actor)).find((o) => o.id === officeId)
    : undefined;
  if (!previews || !to) return null;
  return {
    to,
    rows: previews.map((p) => ({
      id: p.user.id,
      name: p.user.name,
      email: p.user.email,
      status: p.user.status,
      officeName: p.from.name,
      licenseType: p.user.licenseType,
      outcome: p.refusal ? ("skipped" as const) : ("done" as const),
      detail: p.refusal ?? "",
      changes: p.refusal ? [] : transferChanges(p),
      seen: `${p.user.id}:${p.key}`,
    })),
  };
}

/**
 * Confirm transfer for many users: one transaction, rows locked, refused
 * as a whole if any user's review changed; users the review skipped are
 * skipped again, and every outcome is recorded for the result page.
 */
export async function transferUsers(
  db: Kysely<Database>,
  actor: Actor,
  input: BulkTransferInput,
  now: Date,
  provider: NumberProvider = localNumberProvider,
): Promise<Result<{ auditId: number; outcomes: BulkOutcome[] }>> {
  const seen = new Map(
    input.seen.flatMap((e) => {
      const entry = seenEntry(e);
      return entry ? [[entry.id, entry.key] as const] : [];
    }),
  );
  return refusing(
    () =>
      db.transaction().execute(async (tx) => {
        const may = mayTransferUsers(actor);
        if (!may.ok) throw new Refusal(may.reason);
        const check = (previews: TransferPreview[] | null) => {
          if (!previews)
            throw new Refusal("Choose the new office again: this one is not one of your company's offices.");
          refuseIfStale(
            previews.map((p) => ({ name: p.user.name, key: p.key, seen: seen.get(p.user.id) })),
            stale,
          );
          if (previews.length !== new Set(input.id).size)
            throw new Refusal(stale(["some of the users"]), "stale");
          // The review only offers Confirm when someone will move: this was sent again, or made up.
          if (previews.every((p) => p.refusal))
            throw new Refusal("Nothing was changed: none of these users can be transferred to this office.");
        };
        const previews = (await confirmTransfers(tx, actor, input.id, input.to, check, now, provider))!;
        const outcomes: BulkOutcome[] = previews.map((p) => ({
          id: p.user.id,
          name: p.user.name,
          outcome: p.refusal ? "skipped" : "done",
          detail: p.refusal ?? doneMessage(p, false),
        }));
        const auditId = await recordBulkResult(tx, actor, "transfer", outcomes, now, {
          office_id: input.to,
        });
        return { ok: true as const, auditId, outcomes };
      }),
    () => NO_SEAT_ANY_MORE,
  );
}
