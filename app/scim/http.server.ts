/**
 * SCIM's wire format (RFC 7644 §3.1, §3.12): every answer is
 * application/scim+json, and every error the error schema with its status
 * and, where the RFC names one, its scimType.
 */
export const SCIM_CONTENT_TYPE = "application/scim+json";
export const ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";
export const LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

/** Where the service lives, as the identity provider is told (Company Settings › Provisioning). */
export const scimBaseUrl = (request: Request) => `${new URL(request.url).origin}/scim/v2`;

/** Whether a request is for the SCIM service (the router matches paths in any letter case). */
export const isScimPath = (request: Request) =>
  new URL(request.url).pathname.toLowerCase().startsWith("/scim/v2/");

export function scimJson(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": `${SCIM_CONTENT_TYPE}; charset=utf-8`, ...headers },
  });
}

export type ScimType =
  | "invalidFilter"
  | "tooMany"
  | "uniqueness"
  | "mutability"
  | "invalidSyntax"
  | "invalidPath"
  | "noTarget"
  | "invalidValue"
  | "invalidVers"
  | "sensitive";

/** A SCIM error, thrown anywhere below a SCIM route and answered by `scimHandler`. */
export class ScimError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly scimType?: ScimType,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const scimErrorResponse = (e: ScimError) =>
  scimJson(
    {
      schemas: [ERROR_SCHEMA],
      status: String(e.status),
      ...(e.scimType ? { scimType: e.scimType } : {}),
      detail: e.message,
    },
    e.status,
    e.headers,
  );

export const notFound = (what = "Resource") => new ScimError(404, `${what} not found.`);

/** Runs a SCIM request: a ScimError becomes its answer; anything else stays an error (a 500, or the 503 of a lost database). */
export async function scimHandler(work: () => Promise<Response>): Promise<Response> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof ScimError) return scimErrorResponse(err);
    throw err;
  }
}

/** The JSON body of a SCIM request; anything that is not a JSON object is invalidSyntax. */
export async function readJsonBody(request: Request): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = JSON.parse(await request.text());
  } catch {
    throw new ScimError(400, "The body is not valid JSON.", "invalidSyntax");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new ScimError(400, "The body must be a JSON object.", "invalidSyntax");
  return body as Record<string, unknown>;
}

/** The most resources one list answer holds (ServiceProviderConfig's filter.maxResults). */
export const MAX_COUNT = 1_000;
const DEFAULT_COUNT = 100;

/** A positive integer query parameter, or the default; anything else is invalidValue. */
function intParam(raw: string | null, fallback: number, name: string, min: number): number {
  if (raw === null || raw === "") return fallback;
  if (!/^\d{1,9}$/.test(raw.trim())) throw new ScimError(400, `${name} must be an integer.`, "invalidValue");
  return Math.max(min, Number(raw.trim()));
}

/** A list's startIndex (from 1) and count (at most MAX_COUNT) (RFC 7644 §3.4.2.4). */
export function paging(params: URLSearchParams) {
  return {
    startIndex: intParam(params.get("startIndex"), 1, "startIndex", 1),
    count: Math.min(intParam(params.get("count"), DEFAULT_COUNT, "count", 0), MAX_COUNT),
  };
}

export const listResponse = <T>(totalResults: number, startIndex: number, resources: T[]) => ({
  schemas: [LIST_SCHEMA],
  totalResults,
  startIndex,
  itemsPerPage: resources.length,
  Resources: resources,
});
