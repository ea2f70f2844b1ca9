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
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import { SYSTEM_PERSON_ID, type Actor } from "../auth/actor.server.ts";
import { isHigherTier } from "../auth/policy.server.ts";
import { authenticateToken } from "../provisioning/tokens.server.ts";
import { getDb } from "../db.server.ts";
import { now } from "../clock.server.ts";
import { clientIp } from "../auth/cookies.server.ts";
import { scimBaseUrl, ScimError } from "./http.server.ts";
import { chargeRequest } from "./rate-limit.server.ts";

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
  const actor = await scimActor(db, request, clientIp(request, context), at);
  await chargeRequest(db, actor.provisioningToken.id, at);
  return {
    db,
    actor,
    origin: new URL(request.url).origin,
    baseUrl: scimBaseUrl(request),
    now: at,
  };
}

const unauthorized = () =>
  new ScimError(401, "A valid provisioning token is required: Authorization: Bearer <token>.", undefined, {
    "WWW-Authenticate": 'Bearer realm="Switchboard SCIM"',
  });

export async function scimActor(
  db: Kysely<Database>,
  request: Request,
  ip: string | null,
  now: Date,
): Promise<ScimActor> {
  const header = request.headers.get("authorization") ?? "";
  const match = /^Bearer[ ]+(\S+)$/i.exec(header.trim());
  if (!match) throw unauthorized();
  const token = await authenticateToken(db, match[1]!, now);
  if (!token) throw unauthorized();
  const row = await db
    .selectFrom("companies as c")
    .select([
      "c.id",
      "c.name",
      "c.plan",
      (eb) =>
        eb
          .selectFrom("offices as o")
          .select((o) => o.fn.agg<number[]>("array_agg", ["o.id"]).as("ids"))
          .whereRef("o.company_id", "=", "c.id")
          .as("office_ids"),
    ])
    .where("c.id", "=", token.companyId)
    .executeTakeFirst();
  if (!row) throw unauthorized();
  return {
    sessionId: `provisioning:${token.id}`,
    ip,
    person: {
      id: SYSTEM_PERSON_ID,
      firstName: "Provisioning:",
      lastName: token.name,
      email: "",
      // no office of its own: every office is in scope (adminOfficeIds)
      officeId: SYSTEM_PERSON_ID,
      isCompanyAdmin: true,
      hasProxyAccess: false,
    },
    company: { id: row.id, name: row.name, plan: row.plan },
    higherTier: isHigherTier(row.plan),
    adminOfficeIds: (row.office_ids ?? []).map(Number).sort((a, b) => a - b),
    isAdmin: true,
    proxy: null,
    provisioningToken: { id: token.id, name: token.name },
  };
}
