/**
 * What every bulk action shares: the users it is about (looked up within
 * the admin's scope, never trusting the ids sent), locked for the
 * transaction that changes them, and the per-user outcome it reports.
 */
import { sql, type Kysely, type Transaction } from "kysely";
import type { Database, UserLicenseType, UserStatus } from "../../db/schema.ts";
import type { Actor } from "../auth/actor.server.ts";
import { PERSON_COLUMNS, scopedUsers, usersInScope } from "../auth/scopes.server.ts";
import { recordAudit } from "../audit/record.server.ts";
import { BULK_ACTIONS, type BulkAction } from "./bulk-actions.ts";

export interface Target {
  id: number;
  name: string;
  email: string;
  status: UserStatus;
  isCompanyAdmin: boolean;
  isOfficeAdmin: boolean;
  officeId: number;
  officeName: string;
  licenseType: UserLicenseType;
}

export interface BulkOutcome {
  id: number;
  name: string;
  outcome: "done" | "skipped";
  detail: string;
}

function targetsQuery(db: Kysely<Database> | Transaction<Database>, actor: Actor, userIds: number[]) {
  return scopedUsers(db, actor)
    .where("u.id", "=", sql<number>`any(${sql.val(userIds)}::int[])`)
    .where("u.anonymized_at", "is", null)
    .select((eb) => [
      ...PERSON_COLUMNS,
      "u.status",
      "u.is_company_admin",
      "u.office_id",
      "u.license_type",
      "o.name as office_name",
      eb
        .exists(
          eb
            .selectFrom("office_admins as oa")
            .select(sql`1`.as("one"))
            .whereRef("oa.user_id", "=", "u.id")
            .whereRef("oa.office_id", "=", "u.office_id"),
        )
        .as("is_office_admin"),
    ])
    .orderBy("u.sort_name")
    .orderBy("u.id");
}

function toTarget(r: {
  id: number;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  status: Target["status"];
  is_company_admin: boolean;
  office_id: number;
  license_type: UserLicenseType;
  office_name: string;
  is_office_admin: boolean | number;
}): Target {
  return {
    id: r.id,
    name: `${r.first_name} ${r.last_name}`,
    email: r.email!,
    status: r.status,
    isCompanyAdmin: r.is_company_admin,
    isOfficeAdmin: Boolean(r.is_office_admin),
    officeId: r.office_id,
    officeName: r.office_name,
    licenseType: r.license_type,
  };
}

/** For a confirmation page: who the ids are, within scope. Unknown ids simply do not appear. */
export async function findTargets(db: Kysely<Database>, actor: Actor, userIds: number[]): Promise<Target[]> {
  if (userIds.length === 0) return [];
  return (await targetsQuery(db, actor, userIds).execute()).map(toTarget);
}

/** Inside the changing transaction: the same, with the rows locked against concurrent changes. */
export async function lockTargets(
  tx: Transaction<Database>,
  actor: Actor,
  userIds: number[],
): Promise<Target[]> {
  if (userIds.length === 0) return [];
  // Locked in id order, the order every multi-user lock takes, so that two
  // bulk actions cannot deadlock; then read in list order. The lock joins
  // nothing: a row changed while we waited is rechecked against itself only.
  await tx
    .selectFrom("users as u")
    .select("u.id")
    .where(usersInScope(actor))
    .where("u.id", "=", sql<number>`any(${sql.val(userIds)}::int[])`)
    .orderBy("u.id")
    .forNoKeyUpdate()
    .execute();
  return (await targetsQuery(tx, actor, userIds).execute()).map(toTarget);
}

/**
 * The outcome of a bulk action, kept in the audit log so the result page
 * can be shown after the redirect. Only ids, outcomes and reasons: names
 * are read live, so anonymization leaves nothing behind here.
 */
export async function recordBulkResult(
  tx: Transaction<Database>,
  actor: Actor,
  action: BulkAction,
  outcomes: BulkOutcome[],
  now: Date,
  extra: Record<string, unknown> = {},
): Promise<number> {
  const [id] = await recordAudit(
    tx,
    actor,
    {
      action: BULK_ACTIONS[action].audit,
      targetType: "company",
      targetId: actor.company.id,
      after: { ...extra, outcomes: outcomes.map(({ id, outcome, detail }) => ({ id, outcome, detail })) },
    },
    now,
  );
  return id!;
}
