/**
 * SCIM requests as an identity provider sends them, for the HTTP suites
 * (scim, scim-conformance, hostile input, fuzz): JSON with a bearer token, and
 * the answer read whatever it is. Provisioning tokens for a prepared server.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import { createToken } from "../../app/provisioning/tokens.server.ts";
import { actorFor } from "./actors.ts";

export const SCIM_CORE = "urn:ietf:params:scim:schemas:core:2.0:User";
export const SCIM_PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
export const SCIM_ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";
export const SCIM_LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

export interface ScimAnswer {
  status: number;
  type: string | null;
  location: string | null;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- SCIM documents of any shape
  body: any;
  /** The body as sent, for answers that are not JSON. */
  text: string;
}

/**
 * One SCIM request to the service at `origin`. A string body is sent as is
 * (malformed JSON, say); `headers` replace the defaults (Okta's suite sends
 * Content-Type application/json on POST).
 */
export async function scimRequest(
  origin: string,
  token: string | null,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ScimAnswer> {
  const res = await fetch(`${origin}/scim/v2${path}`, {
    method,
    headers: {
      Accept: "application/scim+json",
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { "Content-Type": "application/scim+json; charset=utf-8" }),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // Left null: the caller asserts on status and type, and `text` keeps what came.
  }
  return {
    status: res.status,
    type: res.headers.get("content-type"),
    location: res.headers.get("location"),
    body: parsed,
    text,
  };
}

/** A live token for the company of a demo admin (by email), named `name`. */
export async function provisioningToken(db: Kysely<Database>, adminEmail: string, name: string) {
  const made = await createToken(db, await actorFor(db, adminEmail), { name }, new Date());
  if (!made.ok) throw new Error(`No token for ${adminEmail}: ${made.message}`);
  return made;
}
