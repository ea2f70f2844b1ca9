/**
 * Transfer user(s), the apply step: the confirmed moves, written for the
 * whole set at once, with their audit entries.
 */
import { sql, type Transaction } from "kysely";
import type { Database } from "../../db/schema.ts";
import type { Actor } from "../auth/actor.server.ts";
import { recordAudit } from "../audit/record.server.ts";
import type { NumberProvider } from "../numbers/provider.server.ts";
import { spendReviewHolds } from "../numbers/review-holds.server.ts";
import { fromPool, moveToOffice, provisionAndAssign, toPool } from "../numbers/moves.server.ts";
import { Refusal } from "../refusal.server.ts";
import { anyOf } from "./transfer-offices.server.ts";
import type { TransferPreview } from "./transfer-plan.server.ts";
import { stale } from "./transfer-words.ts";

/**
 * Confirm transfer, for users whose reviews all still hold: set-based
 * statements for any number of users. Only a number from the provider is
 * one user at a time: provisioning goes through the provider interface
 * (a carrier call in production), one number per request, and each can
 * fail on its own when someone else took it since the review.
 */
export async function applyTransfers(
  tx: Transaction<Database>,
  actor: Actor,
  moves: TransferPreview[],
  now: Date,
  provider: NumberProvider,
) {
  if (moves.length === 0) return;
  const to = moves[0]!.to;
  const pairs = (rows: [number, number][]) =>
    sql`(select * from unnest(${sql.val(rows.map((r) => r[0]))}::int[], ${sql.val(rows.map((r) => r[1]))}::int[]))`;
  // Free the numbers first: a new one becomes the primary, and add-ons leave the old pool.
  await toPool(tx, { ids: moves.flatMap((p) => p.numbersRemoved.map((n) => n.id)) }, now);
  const groupsEnding = moves.flatMap((p) => p.groupsEnding.map((g): [number, number] => [p.user.id, g.id]));
  if (groupsEnding.length > 0) {
    await sql`delete from group_members where (user_id, group_id) in ${pairs(groupsEnding)}`.execute(tx);
  }
  const adminRightsEnding = moves
    .filter((p) => p.adminRightsEnding)
    .map((p): [number, number] => [p.user.id, p.from.id]);
  if (adminRightsEnding.length > 0) {
    await sql`delete from office_admins where (user_id, office_id) in ${pairs(adminRightsEnding)}`.execute(
      tx,
    );
  }
  // The trigger moves the license (and Meetings) seats, refusing (license_pools_no_overspend) if none is free.
  await tx
    .updateTable("users")
    .set({ office_id: to.id })
    .where("id", "=", anyOf(moves.map((p) => p.user.id)))
    .execute();
  // Numbers belong to an office; the trigger moves the add-on seats they hold.
  await moveToOffice(
    tx,
    moves.flatMap((p) => p.numbersMoving.map((n) => n.id)),
    to.id,
  );
  await fromPool(
    tx,
    moves
      .filter((p) => p.newNumber?.source === "pool")
      .map((p) => ({
        id: p.newNumber!.poolId!,
        userId: p.user.id,
        primary: true,
        addon: p.newNumber!.addon,
      })),
  );
  const fromProvider = moves.filter((p) => p.newNumber?.source === "provider");
  const taken = await provisionAndAssign(
    tx,
    provider,
    actor.company.id,
    fromProvider.map((p) => ({
      e164: p.newNumber!.e164,
      officeId: to.id,
      country: to.country,
      userId: p.user.id,
      addon: p.newNumber!.addon,
    })),
    now,
  );
  if (taken) throw new Refusal(stale([fromProvider.find((p) => p.newNumber!.e164 === taken)!.user.name]));
  await spendReviewHolds(
    tx,
    moves.map((p) => p.user.id),
  );
  await recordAudit(
    tx,
    actor,
    moves.map((p) => ({
      action: "user.transferred",
      targetType: "user" as const,
      targetId: p.user.id,
      targetLabel: p.user.name,
      officeId: to.id,
      before: {
        office: p.from.name,
        numbers: [...p.numbersMoving, ...p.numbersRemoved].map((n) => n.e164),
        groups: p.groupsEnding.map((g) => g.name),
        office_admin: p.adminRightsEnding,
      },
      after: {
        office: to.name,
        numbers: p.international
          ? p.newNumber
            ? [p.newNumber.e164]
            : []
          : p.numbersMoving.map((n) => n.e164),
        groups: [],
        office_admin: false,
      },
    })),
    now,
  );
}
