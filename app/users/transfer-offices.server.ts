/**
 * Transfer user(s), the offices: who is being moved (read, and under lock
 * locked in id order) and which offices they could move to, and why not.
 */
import { sql, type Kysely, type Transaction } from "kysely";
import type { Database } from "../../db/schema.ts";
import type { Actor } from "../auth/actor.server.ts";
import { PERSON_COLUMNS, scopedUsers, usersInScope } from "../auth/scopes.server.ts";

export type Db = Kysely<Database> | Transaction<Database>;

export interface TransferOffice {
  id: number;
  name: string;
  country: string;
  priceLevel: string;
  /** Why it cannot be chosen, or null. */
  disabledReason: string | null;
}

export const anyOf = (ids: number[]) => sql<number>`any(${sql.val(ids)}::int[])`;

/**
 * The users, in list order. Under `lock` their rows are locked first, in id
 * order like every bulk action's (bulk-targets.server.ts), so two changes of
 * overlapping sets queue instead of deadlocking. The lock takes no join: after waiting, PostgreSQL rechecks a
 * locked row against the joined rows it read before the wait, so a user
 * just moved by the other transfer would drop out instead of showing as changed.
 */
export async function readUsers(db: Db, actor: Actor, userIds: number[], lock: boolean) {
  if (userIds.length === 0) return [];
  if (lock) {
    await db
      .selectFrom("users as u")
      .select("u.id")
      .where(usersInScope(actor))
      .where("u.id", "=", anyOf(userIds))
      .orderBy("u.id")
      .forNoKeyUpdate()
      .execute();
  }
  return scopedUsers(db, actor)
    .select([
      ...PERSON_COLUMNS,
      "u.status",
      "u.license_type",
      "u.has_meetings_seat",
      "u.office_id",
      "o.name as office_name",
      "o.country as office_country",
      "o.price_level as office_price_level",
    ])
    .where("u.id", "=", anyOf(userIds))
    .orderBy("u.sort_name")
    .orderBy("u.id")
    .execute();
}
export type UserRow = Awaited<ReturnType<typeof readUsers>>[number];

export const nameOf = (u: UserRow) => `${u.first_name} ${u.last_name}`;

export async function companyOffices(db: Db, actor: Actor) {
  return db
    .selectFrom("offices")
    .select(["id", "name", "country", "price_level"])
    .where("company_id", "=", actor.company.id)
    .orderBy("name")
    .execute();
}
type OfficeRow = Awaited<ReturnType<typeof companyOffices>>[number];

export function officeChoices(user: UserRow, offices: OfficeRow[]): TransferOffice[] {
  return offices.map((o) => ({
    id: o.id,
    name: o.name,
    country: o.country,
    priceLevel: o.price_level,
    disabledReason:
      o.id === user.office_id
        ? `${nameOf(user)}'s office now.`
        : o.price_level !== user.office_price_level
          ? `At another price level (${o.price_level}; ${user.office_name} is ${user.office_price_level}): licenses do not move between price levels.`
          : null,
  }));
}

/**
 * For several users: an office can be chosen if it is at the price level
 * of some of their offices and not everyone's office already; the review
 * then says, user by user, who is skipped and why.
 */
export function officeChoicesForAll(users: UserRow[], offices: OfficeRow[]): TransferOffice[] {
  if (users.length === 1) return officeChoices(users[0]!, offices);
  const levels = [...new Set(users.map((u) => u.office_price_level))].sort();
  return offices.map((o) => ({
    id: o.id,
    name: o.name,
    country: o.country,
    priceLevel: o.price_level,
    disabledReason: users.every((u) => u.office_id === o.id)
      ? `Every selected user works in ${o.name} now.`
      : !levels.includes(o.price_level)
        ? `At another price level (${o.price_level}; the selected users' offices are ${levels.join(", ")}): licenses do not move between price levels.`
        : null,
  }));
}

/*
 * The reasons below name no one: a bulk transfer keeps them in the audit
 * log as outcomes, which anonymization does not rewrite, and the page
 * showing them names the user beside them.
 */

/** Why this user cannot be transferred at all, or null. */
export function userRefusal(user: UserRow): string | null {
  if (user.status === "deleted") return "Deleted: a deleted user cannot be transferred.";
  if (user.status === "pending")
    return "Has not accepted the invite yet: only active users can be transferred.";
  // A suspended user holds no seat to move; reactivated first, they take one where they are.
  if (user.status === "suspended")
    return "Suspended: reactivate them first; only active users can be transferred.";
  return null;
}
