/**
 * Deleting users, one or many (docs/domain.md, "Deleting, restoring, anonymizing"):
 * - never yourself, never the last active Company Admin, never the last
 *   active user of a company's only office; an Office Admin only inside
 *   their offices and never a Company Admin;
 * - an active (or suspended) user can be restored for 72 hours: their numbers go to the
 *   Reserved Pool on hold, their memberships stay, their sessions end;
 * - a pending user (never signed in) is deleted for good at once: their
 *   number goes straight to the pool and they are anonymized;
 * - the admin chooses to keep the license (the seat stays purchased, now
 *   unassigned) or remove it (purchased − 1).
 * Skips never block the others. The whole batch is one transaction and a
 * constant number of statements, whatever its size.
 */
import { sql, type Kysely, type Transaction } from "kysely";
import type { Database } from "../../db/schema.ts";
import { actingUserId, type Actor } from "../auth/actor.server.ts";
import { recordAudit, type AuditEntry } from "../audit/record.server.ts";
import { anonymizeUsers, lockAnonymizing, RESTORE_WINDOW_MS, vacuumOwed } from "./anonymize.server.ts";
import { endProxiesOf } from "../proxy/session.server.ts";
import { lockTargets, recordBulkResult, type BulkOutcome, type Target } from "./bulk-targets.server.ts";
import { lockPoolsOf, removeSeatsOf } from "../licenses/pools.server.ts";
import { lockHolders, toPool } from "../numbers/moves.server.ts";

export type LicenseChoice = "keep" | "remove";

/** Why a user is left out of a deletion, for people. */
function refusal(
  actor: Actor,
  u: Target,
  remaining: { companyAdmins: number; users: number; onlyOffice: boolean },
) {
  if (u.status === "deleted") return "Already deleted.";
  if (u.id === actingUserId(actor)) return "You cannot delete yourself.";
  if (u.isCompanyAdmin && !actor.person.isCompanyAdmin) return "Office Admins cannot delete a Company Admin.";
  if (u.isCompanyAdmin && u.status === "active" && remaining.companyAdmins <= 1)
    return "This would remove the last active Company Admin.";
  if (remaining.onlyOffice && u.status === "active" && remaining.users <= 1)
    return "This would remove the last active user of the company's only office.";
  return null;
}

/** Who would be deleted and who skipped, and why: the confirmation page shows exactly this. */
export function planDeletion(
  actor: Actor,
  targets: Target[],
  company: { activeCompanyAdmins: number; activeUsers: number; offices: number },
): BulkOutcome[] {
  const remaining = {
    companyAdmins: company.activeCompanyAdmins,
    users: company.activeUsers,
    onlyOffice: company.offices === 1,
  };
  return targets.map((u) => {
    const reason = refusal(actor, u, remaining);
    if (reason) return { id: u.id, name: u.name, outcome: "skipped", detail: reason };
    if (u.status === "pending")
      return { id: u.id, name: u.name, outcome: "done", detail: "Deleted for good: had not signed in yet." };
    if (u.status === "active") {
      remaining.users--;
      if (u.isCompanyAdmin) remaining.companyAdmins--;
    }
    // A suspended user is restorable as an active one is: they keep what a suspension kept.
    return { id: u.id, name: u.name, outcome: "done", detail: "Deleted. Can be restored for 72 hours." };
  });
}

/**
 * Serializes, per company, every change that can lower its count of active
 * Company Admins or active users, so that the rules counting them (the last
 * active Company Admin; the last active user of the only office) count after
 * a concurrent one has committed: without it two admins deleting each other
 * both counted two. deleteUsers and setAdminAccess (access.server.ts) are the
 * changes that can (bulk admin access never touches Company Admins; a transfer
 * keeps the user active, and a one-office company has nowhere to transfer
 * to). A new one must call this before it counts.
 *
 * Lock order, the same in every path that takes these locks, so that they
 * cannot deadlock: the company row first, then users in id order
 * (lockTargets), then license pools (lockPoolsOf). FOR NO KEY UPDATE
 * conflicts with itself only, not with the key-share locks that inserts
 * referring to the company (audit entries, new users) take, so the rest of
 * the company does not wait on a deletion.
 */
export async function lockCompany(tx: Transaction<Database>, companyId: number): Promise<void> {
  await tx.selectFrom("companies").select("id").where("id", "=", companyId).forNoKeyUpdate().execute();
}

/**
 * What the deletion rules count in the company: its active Company Admins (an index of them alone), its active
 * users (the counters the list's totals read) and its offices. Never a read of all its users.
 */
export async function companyCounts(db: Kysely<Database> | Transaction<Database>, companyId: number) {
  const row = await db
    .selectNoFrom([
      sql<number>`(select count(*) from users
                    where company_id = ${companyId} and is_company_admin and status = 'active')`.as(
        "activeCompanyAdmins",
      ),
      sql<number>`(select coalesce(sum(n), 0) from user_counts
                    where company_id = ${companyId} and status = 'active')`.as("activeUsers"),
      sql<number>`(select count(*) from offices where company_id = ${companyId})`.as("offices"),
    ])
    .executeTakeFirstOrThrow();
  return {
    activeCompanyAdmins: Number(row.activeCompanyAdmins),
    activeUsers: Number(row.activeUsers),
    offices: Number(row.offices),
  };
}

export async function deleteUsers(
  db: Kysely<Database>,
  actor: Actor,
  userIds: number[],
  license: LicenseChoice,
  now: Date,
): Promise<{ outcomes: BulkOutcome[]; auditId: number | null }> {
  const { anonymized, ...result } = await db
    .transaction()
    .execute((tx) => deleteUsersIn(tx, actor, userIds, license, now));
  // Pending users deleted are anonymized at once: their old row versions go too.
  if (anonymized) await vacuumOwed(db);
  return result;
}

/**
 * The deletion in the caller's transaction (a request's, or a bulk job's
 * batch, whose result entry names its job in `extra`). `anonymized` says
 * the caller must vacuum once it has committed (vacuumOwed).
 */
export async function deleteUsersIn(
  tx: Transaction<Database>,
  actor: Actor,
  userIds: number[],
  license: LicenseChoice,
  now: Date,
  extra: Record<string, unknown> = {},
): Promise<{ outcomes: BulkOutcome[]; auditId: number | null; anonymized: boolean }> {
  await lockCompany(tx, actor.company.id);
  const targets = await lockTargets(tx, actor, userIds);
  const outcomes = planDeletion(actor, targets, await companyCounts(tx, actor.company.id));
  const done = outcomes.filter((o) => o.outcome === "done").map((o) => o.id);
  const pending = targets.filter((t) => done.includes(t.id) && t.status === "pending").map((t) => t.id);
  const ids = sql`${sql.val(done)}::int[]`;

  if (done.length > 0) {
    // The pending users' anonymization: its turn in the company first, then the numbers it changes before
    // the pools, as Add User and Reassign take them.
    if (pending.length > 0) await lockAnonymizing(tx, pending);
    await lockHolders(tx, pending);
    await lockPoolsOf(tx, [...new Set(targets.filter((t) => done.includes(t.id)).map((t) => t.officeId))]);
    // Their numbers go to the Reserved Pool with the last-holder snapshot;
    // an active user's stay on hold while they can be restored.
    await toPool(tx, { ofUsers: done }, now, {
      userIds: targets.filter((t) => done.includes(t.id) && t.status !== "pending").map((t) => t.id),
      until: new Date(now.getTime() + RESTORE_WINDOW_MS),
    });

    // The seat-counting trigger frees their seats.
    await tx
      .updateTable("users")
      .set({
        status: "deleted",
        deleted_at: now,
        deleted_by_user_id: actingUserId(actor),
        deleted_by_token_id: actor.provisioningToken?.id ?? null,
      })
      .where("id", "=", sql<number>`any(${ids})`)
      .execute();

    if (license === "remove") await removeSeatsOf(tx, done);

    // A deleted admin's open proxy sessions end with their sessions.
    const endedProxies = await endProxiesOf(
      tx,
      { admins: done, users: [] },
      now,
      () => "The admin was deleted.",
    );
    await tx
      .deleteFrom("sessions")
      .where("user_id", "=", sql<number>`any(${ids})`)
      .execute();
    await tx
      .updateTable("invites")
      .set({ voided_at: now })
      .where("user_id", "=", sql<number>`any(${ids})`)
      .where("used_at", "is", null)
      .where("voided_at", "is", null)
      .execute();
    await recordAudit(
      tx,
      actor,
      targets
        .filter((t) => done.includes(t.id))
        .map((t): AuditEntry => ({
          action: "user.deleted",
          targetType: "user" as const,
          targetId: t.id,
          targetLabel: t.name,
          officeId: t.officeId,
          before: { status: t.status },
          after: { status: "deleted", license },
        }))
        .concat(endedProxies),
      now,
    );
    await anonymizeUsers(tx, pending, now, "pending_deleted", actor);
  }

  // Nothing done (a replayed confirmation, ids out of scope): nothing to record either.
  const auditId =
    done.length > 0
      ? await recordBulkResult(tx, actor, "delete", outcomes, now, { license, ...extra })
      : null;
  return { outcomes, auditId, anonymized: pending.length > 0 };
}
