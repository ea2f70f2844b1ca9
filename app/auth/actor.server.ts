/**
 * Who the actor is: the signed-in person (or, while proxying, the proxied
 * user), their company and plan, the offices they administer, and the proxy
 * session. Loaded once per request by the root middleware into actorContext;
 * routes read it through the guards (guards.server.ts), queries are scoped by
 * scopes.server.ts, and what they may do is the policy's (policy.server.ts).
 */
import { createContext } from "react-router";
import { sql, type Kysely } from "kysely";
import type { Database, Plan, UserStatus } from "../../db/schema.ts";
import { isHigherTier, mayProxy, type ProxyTarget } from "./policy.server.ts";

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
  /**
   * Set when a provisioning token acts (app/scim/actor.server.ts): a system
   * actor of its company, no person. `person` then only describes it (its id is
   * SYSTEM_PERSON_ID, which no user has), and every row that names who acted
   * names the token instead (actingUserId is null).
   */
  provisioningToken?: { id: number; name: string };
}

/** The `person.id` of a system actor: user ids start at 1, so no rule that compares a user with the actor matches it. */
export const SYSTEM_PERSON_ID = 0;

/**
 * The user who acts, for the rows that name them (a deletion's deleted_by, an
 * invite's sender, "You cannot delete yourself"): the admin while proxying,
 * else the signed-in person; null for a provisioning token, which acts as itself.
 */
export const actingUserId = (actor: Pick<Actor, "person" | "proxy" | "provisioningToken">): number | null =>
  actor.provisioningToken ? null : (actor.proxy?.admin.id ?? actor.person.id);

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

/** An admin's user row (`u`) and company (`c`): what their Actor is made of (loadActor, and a job acting for them). */
export const ADMIN_COLUMNS = [
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
] as const;

/** The offices the user `u` administers, as an Actor holds them: every office of the company for a Company Admin. */
export const adminOfficeIdsOfU = () =>
  sql<number[]>`case when u.is_company_admin
    then array(select o.id from offices o where o.company_id = u.company_id order by o.id)
    else array(select oa.office_id from office_admins oa where oa.user_id = u.id order by oa.office_id) end`;

interface AdminRow {
  id: number;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  office_id: number;
  is_company_admin: boolean;
  has_proxy_access: boolean;
  company_id: number;
  company_name: string;
  plan: Plan;
  admin_office_ids: number[];
}

/** The admin of an ADMIN_COLUMNS row, acting as themselves (no proxy). */
export function adminActor(row: AdminRow, sessionId: string, ip: string | null): Actor {
  const adminOfficeIds = row.admin_office_ids.map(Number);
  return {
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
}

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
      ...ADMIN_COLUMNS,
      adminOfficeIdsOfU().as("admin_office_ids"),
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
  const admin = adminActor(row, sessionId, ip);
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
