/**
 * Company Settings > Licenses: for each office the admin may see, each
 * license type's pool (purchased, assigned, unassigned), with the office's
 * price level. One query; a type an office never bought reads as 0 of 0.
 */
import { sql, type Kysely, type Transaction } from "kysely";
import type { Database, LicenseCategory, LicenseType, UserLicenseType } from "../../db/schema.ts";
import type { Actor } from "../auth/actor.server.ts";
import { LICENSE_NAMES } from "../ui/format.ts";

export interface PoolRow {
  officeId: number;
  officeName: string;
  priceLevel: string;
  priceLevelName: string;
  type: LicenseType;
  typeName: string;
  category: LicenseCategory;
  purchased: number;
  assigned: number;
  unassigned: number;
}

export async function listPools(
  db: Kysely<Database>,
  actor: Actor,
  officeIds?: number[],
): Promise<PoolRow[]> {
  const ids = officeIds ? officeIds.filter((id) => actor.adminOfficeIds.includes(id)) : actor.adminOfficeIds;
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom("offices as o")
    .innerJoin("price_levels as pl", "pl.code", "o.price_level")
    .crossJoin("license_types as lt")
    .leftJoin("license_pools as p", (j) =>
      j.onRef("p.office_id", "=", "o.id").onRef("p.license_type", "=", "lt.code"),
    )
    .select([
      "o.id as officeId",
      "o.name as officeName",
      "o.price_level as priceLevel",
      "pl.name as priceLevelName",
      "lt.code as type",
      "lt.name as typeName",
      "lt.category",
      sql<number>`coalesce(p.purchased, 0)`.as("purchased"),
      sql<number>`coalesce(p.assigned, 0)`.as("assigned"),
    ])
    .where("o.company_id", "=", actor.company.id)
    .where("o.id", "in", ids)
    .orderBy("lt.sort_order")
    .orderBy("o.name")
    .execute();
  return rows.map((r) => ({ ...r, unassigned: r.purchased - r.assigned }));
}

/**
 * Locks every license pool of these offices, in the one order all callers
 * use (office, then type), before statements whose seat triggers update
 * several pools: a trigger updates pools in whatever order the statement
 * visits its rows, so two bulk changes would otherwise take the same pools
 * in opposite orders and deadlock (met by `npm run load`).
 */
export async function lockPoolsOf(tx: Transaction<Database>, officeIds: number[]): Promise<void> {
  await sql`select 1 from license_pools where office_id = any(${officeIds}::int[])
             order by office_id, license_type for no key update`.execute(tx);
}

/**
 * Delete users and remove their licenses: each user's seat of their license
 * type is no longer purchased (purchased − 1 per user), in one statement
 * for any number of users. Their pools are locked already (lockPoolsOf).
 */
export async function removeSeatsOf(tx: Transaction<Database>, userIds: number[]): Promise<void> {
  if (userIds.length === 0) return;
  await sql`
    update license_pools p set purchased = p.purchased - c.n
      from (select office_id, license_type, count(*)::int as n from users where id = any(${sql.val(userIds)}::int[]) group by 1, 2) c
     where p.office_id = c.office_id and p.license_type = c.license_type`.execute(tx);
}

/**
 * The seats a user needs to hold their license again (Restore, Reactivate):
 * one of their type, one Meetings seat if they have it, and the add-ons
 * their numbers will hold. Locks the office's pools (lockPoolsOf: every
 * pool, since the trigger may take Meetings too) and reads them after the
 * lock, so that of two requests for the last seat the second sees the first.
 * Why not, for people ("Austin has no unassigned Connect license. …"), or
 * null if every seat is free.
 */
export async function missingSeats(
  tx: Transaction<Database>,
  officeId: number,
  user: { licenseType: UserLicenseType; hasMeetingsSeat: boolean },
  addons: LicenseType[] = [],
): Promise<string | null> {
  const needs = new Map<LicenseType, number>([[user.licenseType, 1]]);
  if (user.hasMeetingsSeat) needs.set("meetings", 1);
  for (const addon of addons) needs.set(addon, (needs.get(addon) ?? 0) + 1);
  await lockPoolsOf(tx, [officeId]);
  const pools = await tx
    .selectFrom("license_pools")
    .select(["license_type", "purchased", "assigned"])
    .where("office_id", "=", officeId)
    .where("license_type", "in", [...needs.keys()])
    .execute();
  for (const [type, n] of needs) {
    const pool = pools.find((p) => p.license_type === type);
    const free = pool ? pool.purchased - pool.assigned : 0;
    if (free < n) {
      const office = await tx
        .selectFrom("offices")
        .select("name")
        .where("id", "=", officeId)
        .executeTakeFirstOrThrow();
      const what = type === user.licenseType || type === "meetings" ? "license" : "add-on";
      return `${office.name} has ${free === 0 ? "no" : `only ${free}`} unassigned ${LICENSE_NAMES[type]} ${what}${n > 1 ? `s (${n} needed)` : ""}. Free one, or buy or transfer one in Company Settings › Licenses.`;
    }
  }
  return null;
}
