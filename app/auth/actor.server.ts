/**
 * The one authorization module. Every loader and action asks it who the
 * actor is (their company, plan, the offices they administer, whether they
 * are proxying) and whether they may touch a target. Ids from a request are
 * never trusted: targets are looked up scoped to the actor's company and
 * offices, and anything outside that scope is a 404, the same answer as an id
 * that does not exist.
 */
import { createContext, data, redirect } from "react-router";
import { sql, type ExpressionBuilder, type Kysely } from "kysely";
import type { Database, Plan, UserStatus } from "../../db/schema.ts";
import { mayProxy, type ProxyTarget } from "../proxy/rules.server.ts";
import { flashCookie } from "./flash.server.ts";
import { parseId } from "../input.ts";

/** Proxy login, license and user transfers: only on these plans. */
const HIGHER_TIER_PLANS: readonly Plan[] = ["advanced", "premium", "pro", "enterprise"];
export const isHigherTier = (plan: Plan) => HIGHER_TIER_PLANS.includes(plan);

export interface Person {
  id: number;
  firstName: string;
  lastName: string;
  email: string;
  officeId: number;
  isCompanyAdmin: boolean;
  hasProxyAccess: boolean;
}

export interface Actor {
  sessionId: string;
  ip: string | null;
  /** Whose account the pages act as: the signed-in user, or the proxied one. */
  person: Person;
  company: { id: number; name: string; plan: Plan };
  higherTier: boolean;
  /** The offices this person administers: every office for a Company Admin. */
  adminOfficeIds: number[];
  isAdmin: boolean;
  /** Set while an admin proxies into `person`; the admin is who really acts. */
  proxy: null | ProxyState;
  /**
   * Set when this request found the session's proxy no longer allowed (expired,
   * rights removed, user gone…): the actor is the admin again, and the root
   * middleware ends that proxy session and says why.
   */
  endedProxy?: EndedProxy;
}

export interface ProxyState {
  /** proxy_sessions.id */
  id: number;
  admin: { id: number; name: string };
  startedAt: Date;
  expiresAt: Date;
}

export interface EndedProxy {
  id: number;
  target: ProxyTarget;
  endReason: "expired" | "not_allowed";
  message: string;
}

export const actorContext = createContext<Actor | null>(null);

/**
 * Reads the actor of a session: one query, or null if the session is gone or
 * expired. The session's open proxy session, if any, comes in the same query,
 * and is checked again here on every request (mayProxy, and its 30 minutes):
 * while it holds, `person` is the proxied user and `proxy` names the admin.
 */
export async function loadActor(
  db: Kysely<Database>,
  ip: string | null,
  sessionId: string,
  now: Date,
): Promise<Actor | null> {
  const row = await db
    .selectFrom("sessions as s")
    .innerJoin("users as u", "u.id", "s.user_id")
    .innerJoin("companies as c", "c.id", "u.company_id")
    .leftJoin("proxy_sessions as ps", (join) =>
      join.onRef("ps.session_id", "=", "s.id").on("ps.ended_at", "is", null),
    )
    .leftJoin("users as pu", "pu.id", "ps.user_id")
    .select([
      "u.id",
      "u.first_name",
      "u.last_name",
      "u.email",
      "u.office_id",
      "u.is_company_admin",
      "u.has_proxy_access",
      "c.id as company_id",
      "c.name as company_name",
      "c.plan",
      sql<number[]>`case when u.is_company_admin
        then array(select o.id from offices o where o.company_id = u.company_id order by o.id)
        else array(select oa.office_id from office_admins oa where oa.user_id = u.id order by oa.office_id) end`.as(
        "admin_office_ids",
      ),
      "ps.id as proxy_id",
      "ps.started_at as proxy_started_at",
      "ps.expires_at as proxy_expires_at",
      "pu.id as target_id",
      "pu.company_id as target_company_id",
      "pu.office_id as target_office_id",
      "pu.first_name as target_first_name",
      "pu.last_name as target_last_name",
      "pu.email as target_email",
      "pu.status as target_status",
      "pu.is_company_admin as target_is_company_admin",
      "pu.has_proxy_access as target_has_proxy_access",
      sql<number[] | null>`case when pu.id is not null
        then array(select oa.office_id from office_admins oa where oa.user_id = pu.id order by oa.office_id) end`.as(
        "target_admin_office_ids",
      ),
    ])
    .where("s.id", "=", sessionId)
    .where("s.expires_at", ">", now)
    .where("u.status", "=", "active")
    .executeTakeFirst();
  if (!row) return null;
  const adminOfficeIds = row.admin_office_ids.map(Number);
  const admin: Actor = {
    sessionId,
    ip,
    person: {
      id: row.id,
      firstName: row.first_name!,
      lastName: row.last_name!,
      email: row.email!,
      officeId: row.office_id,
      isCompanyAdmin: row.is_company_admin,
      hasProxyAccess: row.has_proxy_access,
    },
    company: { id: row.company_id, name: row.company_name, plan: row.plan },
    higherTier: isHigherTier(row.plan),
    adminOfficeIds,
    isAdmin: row.is_company_admin || adminOfficeIds.length > 0,
    proxy: null,
  };
  if (row.proxy_id == null || row.target_id == null) return admin;

  const target: ProxyTarget = {
    id: row.target_id,
    companyId: row.target_company_id!,
    officeId: row.target_office_id!,
    // an anonymized user has no name left
    name: row.target_first_name == null ? "Deleted user" : `${row.target_first_name} ${row.target_last_name}`,
    status: row.target_status as UserStatus,
    isCompanyAdmin: row.target_is_company_admin!,
    adminOfficeIds: (row.target_admin_office_ids ?? []).map(Number),
  };
  if (row.proxy_expires_at! <= now) {
    const message = `Your proxy login as ${target.name} ended after 30 minutes. You are back in your own account.`;
    return { ...admin, endedProxy: { id: row.proxy_id, target, endReason: "expired", message } };
  }
  const decision = mayProxy(admin, target);
  if (!decision.ok) {
    const message = `Your proxy login as ${target.name} ended: ${decision.reason} You are back in your own account.`;
    return { ...admin, endedProxy: { id: row.proxy_id, target, endReason: "not_allowed", message } };
  }
  return {
    ...admin,
    person: {
      id: target.id,
      firstName: row.target_first_name!,
      lastName: row.target_last_name!,
      email: row.target_email!,
      officeId: target.officeId,
      isCompanyAdmin: target.isCompanyAdmin,
      hasProxyAccess: row.target_has_proxy_access!,
    },
    // The proxied user's own pages only: no admin console, whatever they administer.
    adminOfficeIds: [],
    isAdmin: false,
    proxy: {
      id: row.proxy_id,
      admin: { id: admin.person.id, name: `${admin.person.firstName} ${admin.person.lastName}` },
      startedAt: row.proxy_started_at!,
      expiresAt: row.proxy_expires_at!,
    },
  };
}

interface ContextLike {
  get<T>(key: ReturnType<typeof createContext<T>>): T;
}

/** Signed in, or off to the sign-in page (coming back here afterwards). */
export function requireActor(context: ContextLike, request: Request): Actor {
  const actor = context.get(actorContext);
  if (!actor) {
    const url = new URL(request.url);
    const back = url.pathname + url.search;
    throw redirect(back === "/" ? "/login" : `/login?redirectTo=${encodeURIComponent(back)}`);
  }
  return actor;
}

/**
 * A Company Admin or an Office Admin, acting as themselves. While proxying,
 * the admin console is out of reach: back to the proxied user's settings.
 */
export function requireAdmin(context: ContextLike, request: Request): Actor {
  const actor = requireActor(context, request);
  if (actor.proxy) {
    const name = `${actor.person.firstName} ${actor.person.lastName}`;
    throw redirect("/settings", {
      headers: {
        "Set-Cookie": flashCookie(
          request,
          `Admin pages are not available while you proxy as ${name}. Select Back in the red banner to return to your own account.`,
        ),
      },
    });
  }
  if (!actor.isAdmin) {
    throw data({ message: "Office > Users is for Company Admins and Office Admins." }, { status: 403 });
  }
  return actor;
}

/** Where a signed-in person lands: admins on Office > Users, everyone else on their settings. */
export const homeFor = (actor: Pick<Actor, "isAdmin" | "proxy">) =>
  actor.isAdmin && !actor.proxy ? "/users" : "/settings";

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

/** A 404 that reads the same whether the id does not exist or is not yours. */
export function notFound(what = "This page"): never {
  throw data({ message: `${what} does not exist, or you do not have access to it.` }, { status: 404 });
}

/** A numeric id from the URL; anything else is the same 404 as an id out of scope. */
export function idParam(raw: string | undefined, what: string): number {
  return parseId(raw) ?? notFound(what);
}

/** Company Settings > Licenses: Company Admins, and Office Admins for their own offices (read-only). */
export function requireLicenseViewer(context: ContextLike, request: Request): Actor {
  const actor = requireActor(context, request);
  if (!actor.isAdmin || actor.proxy) {
    throw data(
      { message: "Company Settings > Licenses is for Company Admins and Office Admins." },
      { status: 403 },
    );
  }
  return actor;
}

/** Transfer Licenses: Company Admins on a higher-tier plan, acting as themselves. */
export const mayTransferLicenses = (actor: Actor) =>
  actor.person.isCompanyAdmin && actor.higherTier && !actor.proxy;

export function requireLicenseTransfer(context: ContextLike, request: Request): Actor {
  const actor = requireLicenseViewer(context, request);
  if (!mayTransferLicenses(actor)) {
    throw data(
      {
        message: actor.person.isCompanyAdmin
          ? "Transfer Licenses is available on the Advanced and Premium plans (and the legacy Pro and Enterprise plans)."
          : "Only Company Admins transfer licenses between offices.",
      },
      { status: 403 },
    );
  }
  return actor;
}

/** Transfer user: the same rule as Transfer Licenses (Company Admins, higher tier, as themselves). */
export const mayTransferUsers = mayTransferLicenses;

/** Why this admin may not transfer users, or null if they may. */
export function userTransferRefusal(actor: Actor): string | null {
  if (mayTransferUsers(actor)) return null;
  if (actor.proxy) return "Transfer user is not available during Proxy Login.";
  return actor.person.isCompanyAdmin
    ? "Transfer user is available on the Advanced and Premium plans (and the legacy Pro and Enterprise plans)."
    : "Only Company Admins transfer users between offices.";
}

export function requireUserTransfer(context: ContextLike, request: Request): Actor {
  const actor = requireAdmin(context, request);
  const refusal = userTransferRefusal(actor);
  if (refusal) throw data({ message: refusal }, { status: 403 });
  return actor;
}

/**
 * Edit user: any admin for the users in their scope (usersInScope), but a
 * Company Admin's details only by a Company Admin. Why not, or null if they may.
 */
export function userEditRefusal(actor: Actor, target: { isCompanyAdmin: boolean }): string | null {
  if (target.isCompanyAdmin && !actor.person.isCompanyAdmin)
    return "Only a Company Admin can edit a Company Admin.";
  return null;
}
