/**
 * Give or remove proxy access (users.has_proxy_access): a Company Admin's
 * privilege on a higher-tier plan (see mayChangeProxyAccess). A proxy session
 * already open by someone who loses the access ends on their next request.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import type { Actor } from "../auth/actor.server.ts";
import { recordAudit } from "../audit/record.server.ts";
import { mayChangeProxyAccess } from "../auth/policy.server.ts";
import { loadProxyTarget } from "./session.server.ts";
import { refused, type Outcome } from "../refusal.server.ts";

export type AccessResult = Outcome;

export async function setProxyAccess(
  db: Kysely<Database>,
  actor: Actor,
  userId: number,
  grant: boolean,
  now: Date,
): Promise<AccessResult> {
  return db.transaction().execute(async (tx) => {
    const target = await loadProxyTarget(tx, actor.company.id, userId, true);
    // Outside the admin's offices reads as an id that does not exist, as everywhere (auth/scopes.server.ts).
    const inScope = target && (actor.person.isCompanyAdmin || actor.adminOfficeIds.includes(target.officeId));
    if (!target || !inScope || target.status === "deleted") {
      return refused("This user", "not_found");
    }
    const decision = mayChangeProxyAccess(actor, target, grant);
    if (!decision.ok) return refused(decision.reason);
    const before = await tx
      .selectFrom("users")
      .select("has_proxy_access")
      .where("id", "=", target.id)
      .executeTakeFirstOrThrow();
    if (before.has_proxy_access === grant) {
      return {
        ok: true,
        message: grant ? `${target.name} already has proxy access.` : `${target.name} has no proxy access.`,
      };
    }
    await tx.updateTable("users").set({ has_proxy_access: grant }).where("id", "=", target.id).execute();
    await recordAudit(
      tx,
      actor,
      {
        action: grant ? "user.proxy_access_granted" : "user.proxy_access_removed",
        targetType: "user",
        targetId: target.id,
        targetLabel: target.name,
        officeId: target.officeId,
        before: { has_proxy_access: !grant },
        after: { has_proxy_access: grant },
      },
      now,
    );
    return {
      ok: true,
      message: grant ? `${target.name} now has proxy access.` : `${target.name} no longer has proxy access.`,
    };
  });
}
