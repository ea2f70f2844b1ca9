/**
 * Who acts in a SCIM request: the bearer token, a system actor of its company.
 * The domain functions of the admin console (Add User, Edit user, deletion)
 * take an Actor, so the token is one: a Company Admin of its company, all its
 * offices in scope, no person (SYSTEM_PERSON_ID), so every rule that asks who
 * acts sees the token, not whoever created it ("You cannot delete yourself"
 * never applies; a deletion's deleted_by and an invite's sender are the
 * token), and the audit log names it ("Provisioning: <name>",
 * app/audit/record.server.ts). It keeps working when its creator leaves.
 */
import { sql, type Kysely } from "kysely";
import type { Database, Plan } from "../../db/schema.ts";
import { SYSTEM_PERSON_ID, type Actor } from "../auth/actor.server.ts";
import { isHigherTier } from "../auth/policy.server.ts";
import { lookUpToken } from "../provisioning/tokens.server.ts";
import { getDb } from "../db.server.ts";
import { now } from "../clock.server.ts";
import { clientIp } from "../auth/cookies.server.ts";
import { scimBaseUrl, ScimError } from "./http.server.ts";
import { configuredBudget, refuseOverBudget, spendRequest, type Budget } from "./rate-limit.server.ts";

export type ScimActor = Actor & Required<Pick<Actor, "provisioningToken">>;

/** One SCIM request: the database, the token's actor, where the service is, and the request's clock. */
export interface ScimCall {
  db: Kysely<Database>;
  actor: ScimActor;
  /** The app's origin, for the invite's link. */
  origin: string;
  /** The service's base URL, for meta.location. */
  baseUrl: string;
  now: Date;
}

/** The ScimCall of a request; 401 (SCIM's error) without a live token, 429 past the token's budget. */
export async function scimCall(request: Request, context: Parameters<typeof clientIp>[1]): Promise<ScimCall> {
  const db = await getDb();
  const at = now(request);
  return {
    db,
    actor: await scimActor(db, request, clientIp(request, context), at),
    origin: new URL(request.url).origin,
    baseUrl: scimBaseUrl(request),
    now: at,
  };
}

const unauthorized = () =>
  new ScimError(401, "A valid provisioning token is required: Authorization: Bearer <token>.", undefined, {
    "WWW-Authenticate": 'Bearer realm="Switchboard SCIM"',
  });

/**
 * The actor of a request's bearer token, with one request of the token's
 * budget spent: 401 without a live token (nothing spent), 429 past its budget.
 * One statement rather than a round trip for each part, since every SCIM
 * request pays for them before its own work: the token (its rules in
 * app/provisioning/tokens.server.ts), the spending (the budget's,
 * app/scim/rate-limit.server.ts), and the company with its offices, read
 * through the token, so every request is scoped to the token's company.
 */
export async function scimActor(
  db: Kysely<Database>,
  request: Request,
  ip: string | null,
  now: Date,
  budget: Budget = configuredBudget(),
): Promise<ScimActor> {
  const header = request.headers.get("authorization") ?? "";
  const match = /^Bearer[ ]+(\S+)$/i.exec(header.trim());
  const lookup = match ? lookUpToken(match[1]!, now) : null;
  if (!lookup) throw unauthorized();
  const { rows } = await sql<{
    id: number;
    name: string;
    token_hash: string;
    allowance: number;
    company_id: number;
    company_name: string;
    plan: Plan;
    office_ids: number[];
  }>`
    with ${lookup.ctes},
      spent as (${spendRequest(sql`select id from token`, now, budget)})
    select token.id, token.name, token.token_hash, spent.allowance,
      c.id as company_id, c.name as company_name, c.plan,
      array(select o.id from offices o where o.company_id = c.id order by o.id) as office_ids
    from token
    join spent on spent.token_id = token.id
    join companies c on c.id = token.company_id`.execute(db);
  const row = rows[0];
  if (!row || !lookup.isOf(row.token_hash)) throw unauthorized();
  refuseOverBudget(row.allowance, budget);
  return {
    sessionId: `provisioning:${row.id}`,
    ip,
    person: {
      id: SYSTEM_PERSON_ID,
      firstName: "Provisioning:",
      lastName: row.name,
      email: "",
      // no office of its own: every office is in scope (adminOfficeIds)
      officeId: SYSTEM_PERSON_ID,
      isCompanyAdmin: true,
      hasProxyAccess: false,
    },
    company: { id: row.company_id, name: row.company_name, plan: row.plan },
    higherTier: isHigherTier(row.plan),
    adminOfficeIds: row.office_ids,
    isAdmin: true,
    proxy: null,
    provisioningToken: { id: row.id, name: row.name },
  };
}
