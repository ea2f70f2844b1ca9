/**
 * Options › Admin › Suspend user / Reactivate user, and SCIM's `active`
 * (docs/domain.md, "Suspended users"). A suspended user cannot sign in (the
 * sign-in and the invite take only active and pending users), their sessions
 * and every proxy session into or by them end, and the seat trigger frees
 * their license seat and Meetings seat; their numbers (with their add-on
 * seats), memberships and settings stay. Reactivating takes the seats again,
 * so it needs them free, as a restore does. Who may: maySuspend. Each change
 * is one transaction with its audit entry; the `…In` forms run in the
 * caller's (SCIM's one transaction per request).
 */
import type { Kysely, Transaction } from "kysely";
import type { Database } from "../../db/schema.ts";
import type { Actor } from "../auth/actor.server.ts";
import { currentUserInScope } from "../auth/scopes.server.ts";
import { maySuspend } from "../auth/policy.server.ts";
import { recordAudit } from "../audit/record.server.ts";
import { lockPoolsOf, missingSeats } from "../licenses/pools.server.ts";
import { endProxiesOf } from "../proxy/session.server.ts";
import { refused, refusing, type Result } from "../refusal.server.ts";
import { companyCounts, lockCompany } from "./delete.server.ts";

export type SuspensionResult = Result<{ name: string }>;

/** The status a user returns to (reactivated, restored): active, or pending if they never signed in. */
export const returningStatus = (u: { first_signed_in_at: Date | null }) =>
  u.first_signed_in_at ? ("active" as const) : ("pending" as const);

/** The user, row-locked, within the admin's scope and not deleted, if this admin may change their suspension. */
async function lockSuspendable(tx: Transaction<Database>, actor: Actor, userId: number) {
  const u = await currentUserInScope(tx, actor, userId)
    .select([
      "u.id",
      "u.first_name",
      "u.last_name",
      "u.status",
      "u.office_id",
      "u.license_type",
      "u.has_meetings_seat",
      "u.is_company_admin",
      "u.first_signed_in_at",
    ])
    .forNoKeyUpdate("u")
    .executeTakeFirst();
  if (!u) return { user: null, refusal: refused("This user", "not_found") };
  const may = maySuspend(actor, { id: u.id, isCompanyAdmin: u.is_company_admin });
  if (!may.ok) return { user: null, refusal: refused(may.reason, "forbidden") };
  return { user: { ...u, name: `${u.first_name} ${u.last_name}` }, refusal: null };
}

export function suspendUser(db: Kysely<Database>, actor: Actor, userId: number, now: Date) {
  return db.transaction().execute((tx) => suspendUserIn(tx, actor, userId, now));
}

export async function suspendUserIn(
  tx: Transaction<Database>,
  actor: Actor,
  userId: number,
  now: Date,
): Promise<SuspensionResult> {
  // The company first (lockCompany): the count of active Company Admins is read after any concurrent deletion or suspension.
  await lockCompany(tx, actor.company.id);
  const { user: u, refusal } = await lockSuspendable(tx, actor, userId);
  if (!u) return refusal;
  if (u.status === "suspended") return refused(`${u.name} is already suspended.`);
  if (u.is_company_admin && u.status === "active") {
    const { activeCompanyAdmins } = await companyCounts(tx, actor.company.id);
    if (activeCompanyAdmins <= 1)
      return refused(`${u.name} cannot be suspended: this would remove the last active Company Admin.`);
  }
  // The seat trigger frees their seats: their office's pools are locked in the one order first.
  await lockPoolsOf(tx, [u.office_id]);
  await tx.updateTable("users").set({ status: "suspended" }).where("id", "=", u.id).execute();
  await tx.deleteFrom("sessions").where("user_id", "=", u.id).execute();
  const endedProxies = await endProxiesOf(tx, { admins: [u.id], users: [u.id] }, now, (p) =>
    p.userId === u.id ? "The user was suspended." : "The admin was suspended.",
  );
  await recordAudit(
    tx,
    actor,
    [
      {
        action: "user.suspended",
        targetType: "user",
        targetId: u.id,
        targetLabel: u.name,
        officeId: u.office_id,
        before: { status: u.status },
        after: { status: "suspended" },
      },
      ...endedProxies,
    ],
    now,
  );
  return { ok: true, name: u.name };
}

export function reactivateUser(db: Kysely<Database>, actor: Actor, userId: number, now: Date) {
  return refusing(
    () => db.transaction().execute((tx) => reactivateUserIn(tx, actor, userId, now)),
    // The schema's backstop; missingSeats reads the pools under their lock, so it should not be reached.
    () => "No unassigned license is left for this user in their office.",
  );
}

export async function reactivateUserIn(
  tx: Transaction<Database>,
  actor: Actor,
  userId: number,
  now: Date,
): Promise<SuspensionResult> {
  const { user: u, refusal } = await lockSuspendable(tx, actor, userId);
  if (!u) return refusal;
  if (u.status !== "suspended") return refused(`${u.name} is not suspended.`);
  const missing = await missingSeats(tx, u.office_id, {
    licenseType: u.license_type,
    hasMeetingsSeat: u.has_meetings_seat,
  });
  if (missing) return refused(`${u.name} cannot be reactivated: ${missing}`);
  const status = returningStatus(u);
  await tx.updateTable("users").set({ status }).where("id", "=", u.id).execute();
  await recordAudit(
    tx,
    actor,
    {
      action: "user.reactivated",
      targetType: "user",
      targetId: u.id,
      targetLabel: u.name,
      officeId: u.office_id,
      before: { status: "suspended" },
      after: { status },
    },
    now,
  );
  return { ok: true, name: u.name };
}
