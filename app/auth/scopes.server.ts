/**
 * The query scopes: every query on users, numbers, audit entries or offices
 * for an admin is restricted by one of these to what the admin may see (their
 * company, and for an Office Admin the offices they administer). A target
 * outside them is simply not found: the same 404 as an id that does not exist.
 */
import { sql, type ExpressionBuilder, type Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import type { Actor } from "./actor.server.ts";

/**
 * Restricts a query on `users as u` to the people this admin may see: their
 * company, and for an Office Admin only the offices they administer.
 */
export function usersInScope(actor: Actor) {
  return (eb: ExpressionBuilder<{ u: Database["users"] }, "u">) => {
    const company = eb("u.company_id", "=", actor.company.id);
    if (actor.person.isCompanyAdmin) return company;
    if (actor.adminOfficeIds.length === 0) return eb.and([company, sql<boolean>`false`]);
    return eb.and([company, eb("u.office_id", "in", actor.adminOfficeIds)]);
  };
}

/**
 * Restricts a query on `phone_numbers as n` to the numbers of this admin's
 * offices in their company (the authorization rule for numbers).
 */
export function numbersInScope(actor: Actor) {
  return (eb: ExpressionBuilder<{ n: Database["phone_numbers"] }, "n">) => {
    const company = eb("n.company_id", "=", actor.company.id);
    if (actor.adminOfficeIds.length === 0) return eb.and([company, sql<boolean>`false`]);
    return eb.and([company, eb("n.office_id", "in", actor.adminOfficeIds)]);
  };
}

/**
 * Restricts a query on `audit_log as a` to the entries this admin may read:
 * their company's, and for an Office Admin only the entries about the offices
 * they administer (the entry's office). Entries without an office (bulk
 * action summaries across offices) are for Company Admins.
 */
export function auditInScope(actor: Actor) {
  return (eb: ExpressionBuilder<{ a: Database["audit_log"] }, "a">) => {
    const company = eb("a.company_id", "=", actor.company.id);
    if (actor.person.isCompanyAdmin) return company;
    if (actor.adminOfficeIds.length === 0) return eb.and([company, sql<boolean>`false`]);
    return eb.and([company, eb("a.office_id", "in", actor.adminOfficeIds)]);
  };
}

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
