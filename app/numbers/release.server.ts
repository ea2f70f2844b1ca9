/**
 * Deleting a reserved number: it is released for good, gone from the
 * company, and given back to the number provider. The row stays as history
 * (state 'released'); the e164 unique index ignores released rows, so the
 * provider may hand the number to anyone later. A number on hold cannot be
 * deleted: its former user may still be restored and get it back.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import type { Actor } from "../auth/actor.server.ts";
import { recordAudit } from "../audit/record.server.ts";
import { formatNumber } from "./format.server.ts";
import { localNumberProvider, type NumberProvider } from "./provider.server.ts";
import { claimedFromPool, claimRefusal, readPoolNumber } from "./reassign.server.ts";
import { refusable, Refusal } from "../refusal.server.ts";
import { release } from "./moves.server.ts";

export async function releaseNumber(
  db: Kysely<Database>,
  actor: Actor,
  numberId: number,
  at: Date,
  provider: NumberProvider = localNumberProvider,
) {
  return refusable(() =>
    db.transaction().execute(async (tx) => {
      const n = await readPoolNumber(tx, actor, numberId, true);
      if (!n) throw new Refusal("This reserved number", "not_found");
      const unclaimable = await claimRefusal(tx, actor, n, at);
      if (unclaimable) throw new Refusal(unclaimable.message);
      await release(tx, provider, n, at);
      await recordAudit(
        tx,
        actor,
        {
          action: "phone_number.released",
          ...claimedFromPool(n),
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
  const n = await readPoolNumber(db, actor, numberId, false);
  if (!n) return null;
  return {
    id: n.id,
    e164: n.e164,
    formatted: formatNumber(n.e164)!,
    kind: n.kind,
    officeName: n.office_name,
    lastHolderName: n.last_holder_name,
    unassignedAt: n.unassigned_at,
    /** Why it cannot be deleted now (on hold, or gone from the pool meanwhile), or null. */
    unavailable: await claimRefusal(db, actor, n, now),
  };
}
