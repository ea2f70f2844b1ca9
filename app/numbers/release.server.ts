/**
 * Deleting a reserved number: it is released for good, gone from the
 * company, and given back to the number provider. The row stays as history
 * (state 'released'); the e164 unique index ignores released rows, so the
 * provider may hand the number to anyone later. A number on hold cannot be
 * deleted: its former user may still be restored and get it back.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import { numbersInScope, type Actor } from "../auth/actor.server.ts";
import { recordAudit } from "../audit/record.server.ts";
import { formatNumber } from "./format.server.ts";
import { isOnHold } from "./pool.server.ts";
import { holdOn } from "./holds.server.ts";
import { localNumberProvider, type NumberProvider } from "./provider.server.ts";
import { heldMessage, STALE } from "./reassign.server.ts";
import { refusable, Refusal } from "../refusal.server.ts";

export async function releaseNumber(
  db: Kysely<Database>,
  actor: Actor,
  numberId: number,
  at: Date,
  provider: NumberProvider = localNumberProvider,
) {
  return refusable(() =>
    db.transaction().execute(async (tx) => {
      const n = await tx
        .selectFrom("phone_numbers as n")
        .select([
          "n.id",
          "n.e164",
          "n.kind",
          "n.state",
          "n.office_id",
          "n.last_holder_name",
          "n.last_holder_user_id",
          "n.held_until",
        ])
        .where(numbersInScope(actor))
        .where("n.id", "=", numberId)
        .where("n.state", "<>", "released")
        .forUpdate()
        .executeTakeFirst();
      if (!n) throw new Refusal("This reserved number", "not_found");
      if (n.state !== "reserved") {
        throw new Refusal(STALE);
      }
      if (isOnHold(n.held_until, at)) throw new Refusal(heldMessage(n.held_until!, n.last_holder_name));
      // Locked above, so a hold taken before this shows now (holds.server.ts).
      const heldForTransfer = await holdOn(tx, actor, n.e164, at);
      if (heldForTransfer) throw new Refusal(heldForTransfer);
      await tx
        .updateTable("phone_numbers")
        .set({ state: "released", released_at: at, held_for_user_id: null, held_until: null })
        .where("id", "=", n.id)
        .execute();
      await provider.release(tx, n.e164);
      await recordAudit(
        tx,
        actor,
        {
          action: "phone_number.released",
          targetType: "phone_number",
          targetId: n.id,
          targetLabel: n.e164,
          officeId: n.office_id,
          before: {
            state: "reserved",
            last_holder: n.last_holder_name,
            last_holder_user_id: n.last_holder_user_id,
          },
          after: { state: "released" },
        },
        at,
      );
      return `${formatNumber(n.e164)} was deleted: it is released and no longer belongs to your company.`;
    }),
  );
}

/** The number a Delete confirmation is about, or null (a 404). */
export async function loadReleaseConfirmation(
  db: Kysely<Database>,
  actor: Actor,
  numberId: number,
  now: Date,
) {
  const n = await db
    .selectFrom("phone_numbers as n")
    .innerJoin("offices as o", "o.id", "n.office_id")
    .select([
      "n.id",
      "n.e164",
      "n.kind",
      "n.state",
      "n.last_holder_name",
      "n.unassigned_at",
      "n.held_until",
      "o.name as office_name",
    ])
    .where(numbersInScope(actor))
    .where("n.id", "=", numberId)
    .executeTakeFirst();
  if (!n) return null;
  const held = isOnHold(n.held_until, now) ? n.held_until : null;
  const heldForTransfer = await holdOn(db, actor, n.e164, now);
  return {
    id: n.id,
    e164: n.e164,
    formatted: formatNumber(n.e164)!,
    kind: n.kind,
    officeName: n.office_name,
    lastHolderName: n.last_holder_name,
    unassignedAt: n.unassigned_at,
    /** Why it cannot be deleted now (on hold, or gone from the pool meanwhile), or null. */
    unavailable:
      n.state !== "reserved"
        ? { message: STALE, urgent: true }
        : held
          ? { message: heldMessage(held, n.last_holder_name), urgent: false }
          : heldForTransfer
            ? { message: heldForTransfer, urgent: false }
            : null,
  };
}
