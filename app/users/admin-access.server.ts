/**
 * Bulk "Add admin access" / "Remove admin access": makes each user an
 * Office Admin of their own office, or removes that. Company Admin rights
 * are not touched here (only a Company Admin changes those, one by one).
 * Permissions of a pending user cannot change until they have signed in.
 */
import { sql, type Kysely, type Transaction } from "kysely";
import type { Database } from "../../db/schema.ts";
import { actingUserId, type Actor } from "../auth/actor.server.ts";
import { recordAudit } from "../audit/record.server.ts";
import { lockTargets, recordBulkResult, type BulkOutcome, type Target } from "./bulk-targets.server.ts";

export type AdminAccessChange = "add" | "remove";

export function planAdminAccess(actor: Actor, targets: Target[], change: AdminAccessChange): BulkOutcome[] {
  return targets.map((u) => {
    const skip = (detail: string): BulkOutcome => ({ id: u.id, name: u.name, outcome: "skipped", detail });
    if (u.status === "deleted") return skip("Deleted.");
    if (u.status === "pending") return skip("Pending: permissions can change once they have signed in.");
    if (u.status === "suspended") return skip("Suspended: reactivate them first.");
    if (u.isCompanyAdmin) return skip("A Company Admin, who administers every office already.");
    if (change === "add") {
      if (u.isOfficeAdmin) return skip(`Already an Office Admin of ${u.officeName}.`);
      return { id: u.id, name: u.name, outcome: "done", detail: `Now an Office Admin of ${u.officeName}.` };
    }
    if (!u.isOfficeAdmin) return skip(`Not an Office Admin of ${u.officeName}.`);
    if (u.id === actingUserId(actor)) return skip("You cannot remove your own admin access.");
    return {
      id: u.id,
      name: u.name,
      outcome: "done",
      detail: `No longer an Office Admin of ${u.officeName}.`,
    };
  });
}

export async function changeAdminAccess(
  db: Kysely<Database>,
  actor: Actor,
  userIds: number[],
  change: AdminAccessChange,
  now: Date,
): Promise<{ outcomes: BulkOutcome[]; auditId: number | null }> {
  return db.transaction().execute((tx) => changeAdminAccessIn(tx, actor, userIds, change, now));
}

/** The change in the caller's transaction (a request's, or a bulk job's batch, whose result entry names its job in `extra`). */
export async function changeAdminAccessIn(
  tx: Transaction<Database>,
  actor: Actor,
  userIds: number[],
  change: AdminAccessChange,
  now: Date,
  extra: Record<string, unknown> = {},
): Promise<{ outcomes: BulkOutcome[]; auditId: number | null }> {
  const targets = await lockTargets(tx, actor, userIds);
  const outcomes = planAdminAccess(actor, targets, change);
  const done = targets.filter((t) => outcomes.some((o) => o.id === t.id && o.outcome === "done"));
  if (done.length > 0) {
    const ids = sql`${sql.val(done.map((t) => t.id))}::int[]`;
    if (change === "add") {
      await sql`
          insert into office_admins (user_id, office_id, granted_at)
          select id, office_id, ${now} from users where id = any(${ids})
          on conflict do nothing`.execute(tx);
    } else {
      await sql`
          delete from office_admins oa using users u
           where oa.user_id = u.id and oa.office_id = u.office_id and u.id = any(${ids})`.execute(tx);
    }
    await recordAudit(
      tx,
      actor,
      done.map((t) => ({
        action: change === "add" ? "user.admin_access_added" : "user.admin_access_removed",
        targetType: "user" as const,
        targetId: t.id,
        targetLabel: t.name,
        officeId: t.officeId,
        before: { office_admin_of: change === "add" ? [] : [t.officeId] },
        after: { office_admin_of: change === "add" ? [t.officeId] : [] },
      })),
      now,
    );
  }
  // Nothing done (a replayed confirmation, ids out of scope): nothing to record either.
  const auditId =
    done.length > 0
      ? await recordBulkResult(
          tx,
          actor,
          change === "add" ? "add_admin" : "remove_admin",
          outcomes,
          now,
          extra,
        )
      : null;
  return { outcomes, auditId };
}
