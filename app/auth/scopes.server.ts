/**
 * The query scopes: every query on users, numbers, audit entries or offices
 * for an admin is restricted by one of these to what the admin may see (their
 * company, and for an Office Admin the offices they administer). A target
 * outside them is simply not found: the same 404 as an id that does not exist.
 */
import {
  sql,
  type Expression,
  type ExpressionBuilder,
  type Kysely,
  type ReferenceExpression,
  type SqlBool,
} from "kysely";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import type { Database } from "../../db/schema.ts";
import type { Actor } from "./actor.server.ts";

/**
 * The one shape of a scope: the actor's company, and unless `wholeCompany`
 * only the offices they administer (none administered: nothing).
 */
function withinOffices<DB, TB extends keyof DB>(
  eb: ExpressionBuilder<DB, TB>,
  actor: Actor,
  wholeCompany: boolean,
  companyColumn: ReferenceExpression<DB, TB>,
  officeColumn: ReferenceExpression<DB, TB>,
): Expression<SqlBool> {
  const company = eb(companyColumn, "=", actor.company.id);
  if (wholeCompany) return company;
  if (actor.adminOfficeIds.length === 0) return eb.and([company, sql<boolean>`false`]);
  return eb.and([company, eb(officeColumn, "in", actor.adminOfficeIds)]);
}

/**
 * Restricts a query on `users as u` to the people this admin may see: their
 * company, and for an Office Admin only the offices they administer.
 */
export function usersInScope(actor: Actor) {
  return (eb: ExpressionBuilder<{ u: Database["users"] }, "u">) =>
    withinOffices(eb, actor, actor.person.isCompanyAdmin, "u.company_id", "u.office_id");
}

/** Restricts a query on `user_counts as c` (the list's totals) to the offices usersInScope sees. */
export function userCountsInScope(actor: Actor) {
  return (eb: ExpressionBuilder<{ c: Database["user_counts"] }, "c">) =>
    withinOffices(eb, actor, actor.person.isCompanyAdmin, "c.company_id", "c.office_id");
}

/**
 * Restricts a query on `phone_numbers as n` to the numbers of this admin's
 * offices in their company (the authorization rule for numbers).
 */
export function numbersInScope(actor: Actor) {
  return (eb: ExpressionBuilder<{ n: Database["phone_numbers"] }, "n">) =>
    withinOffices(eb, actor, false, "n.company_id", "n.office_id");
}

/**
 * Restricts a query on `audit_log as a` to the entries this admin may read:
 * their company's, and for an Office Admin only the entries about the offices
 * they administer (the entry's office). Entries without an office (bulk
 * action summaries across offices) are for Company Admins.
 */
export function auditInScope(actor: Actor) {
  return (eb: ExpressionBuilder<{ a: Database["audit_log"] }, "a">) =>
    withinOffices(eb, actor, actor.person.isCompanyAdmin, "a.company_id", "a.office_id");
}

/** The users this admin may see, each with their office as `o`: where an admin's read of users starts. */
export function scopedUsers(db: Kysely<Database>, actor: Actor) {
  return db
    .selectFrom("users as u")
    .innerJoin("offices as o", "o.id", "u.office_id")
    .where(usersInScope(actor));
}

/**
 * One user of this admin's scope who is not deleted (pending, active or
 * suspended), with their office as `o`: where a page or change about a
 * current user reads them from. A change that locks it locks `u` alone
 * (`forNoKeyUpdate("u")`): the office row stays free.
 */
export function currentUserInScope(db: Kysely<Database>, actor: Actor, userId: number) {
  return scopedUsers(db, actor).where("u.id", "=", userId).where("u.status", "<>", "deleted");
}

/** The offices a user (`u`) administers, by name, as `admin_offices` ({ id, name } each). */
export function adminOfficesOf(eb: ExpressionBuilder<Database & { u: Database["users"] }, "u">) {
  return jsonArrayFrom(
    eb
      .selectFrom("office_admins as oa")
      .innerJoin("offices as ao", "ao.id", "oa.office_id")
      .select(["ao.id", "ao.name"])
      .whereRef("oa.user_id", "=", "u.id")
      .orderBy("ao.name"),
  ).as("admin_offices");
}

/** Who a user is, as every list and review names them. */
export const PERSON_COLUMNS = ["u.id", "u.first_name", "u.last_name", "u.email"] as const;

/** The offices this admin may see, for filters and forms. */
export async function officesInScope(db: Kysely<Database>, actor: Actor) {
  if (actor.adminOfficeIds.length === 0) return [];
  return db
    .selectFrom("offices")
    .select(["id", "name", "country", "timezone", "price_level"])
    .where("company_id", "=", actor.company.id)
    .where("id", "in", actor.adminOfficeIds)
    .orderBy("name")
    .execute();
}
