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
  const text = JSON.stringify(body);
  return new Response(text, {
    status,
    headers: {
      "Content-Type": `${SCIM_CONTENT_TYPE}; charset=utf-8`,
      // The server's compression skips a body under 1 KB only when it knows the length: without it,
      // every answer (an existence check's is about 800 bytes) was gzipped, at half a millisecond of CPU.
      "Content-Length": String(Buffer.byteLength(text)),
      ...headers,
    },
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

const ALWAYS_RETURNED = new Set(["id", "schemas"]);
const MAX_ATTRIBUTES_LENGTH = 2_000;

type Doc = Record<string, unknown>;

/** An own key of a document in any letter case (SCIM attribute names are case-insensitive). */
const keyOf = (doc: Doc, name: string) =>
  Object.keys(doc).find((k) => k.toLowerCase() === name.toLowerCase());

/**
 * An attribute path of `attributes` or `excludedAttributes` as [key, sub-attribute?]
 * of a document: "name.givenName", "emails.value", or either with its schema's URN
 * in front ("urn:…:core:2.0:User:userName"); an extension's URN alone is its whole object.
 */
function attributePath(doc: Doc, raw: string): [string, string | undefined] | null {
  // A value filter ('emails[type eq "work"]', as Microsoft's reference tests send) selects the whole attribute.
  let path = raw.trim().replace(/\[[^\]]*\]/, "");
  const schemas = Array.isArray(doc.schemas) ? (doc.schemas as string[]) : [];
  for (const urn of schemas) {
    if (path.toLowerCase() === urn.toLowerCase())
      return keyOf(doc, urn) ? [keyOf(doc, urn)!, undefined] : null;
    if (!path.toLowerCase().startsWith(`${urn.toLowerCase()}:`)) continue;
    path = path.slice(urn.length + 1);
    const extension = keyOf(doc, urn);
    // An extension's attribute lives in its object; a core schema's at the top.
    if (extension) return [extension, path];
    break;
  }
  const [top, sub] = path.split(".", 2);
  const key = keyOf(doc, top ?? "");
  return key ? [key, sub] : null;
}

/** The value of `key` with only (`keep`) or without (`!keep`) its sub-attribute `sub`. */
function subset(value: unknown, sub: string, keep: boolean): unknown {
  if (Array.isArray(value)) return value.map((v) => subset(v, sub, keep));
  if (typeof value !== "object" || value === null) return keep ? undefined : value;
  const k = keyOf(value as Doc, sub);
  if (keep) return k === undefined ? {} : { [k]: (value as Doc)[k] };
  const { [k ?? ""]: _dropped, ...rest } = value as Doc;
  return k === undefined ? value : rest;
}

/**
 * `attributes` and `excludedAttributes` (RFC 7644 §3.9) on a GET's resources:
 * only the named attributes, or all but them; id and schemas always. Names
 * Switchboard does not have are ignored, as the RFC asks.
 */
export function attributeSelection(params: URLSearchParams): <T extends object>(doc: T) => T {
  const attributes = params.get("attributes");
  const excluded = params.get("excludedAttributes");
  if (attributes && excluded)
    throw new ScimError(400, "Give attributes or excludedAttributes, not both.", "invalidValue");
  const list = attributes ?? excluded;
  if (!list) return (doc) => doc;
  if (list.length > MAX_ATTRIBUTES_LENGTH)
    throw new ScimError(
      400,
      `At most ${MAX_ATTRIBUTES_LENGTH} characters of attribute names.`,
      "invalidValue",
    );
  const names = list.split(",").filter((n) => n.trim() !== "");
  return <T extends object>(input: T): T => {
    const doc = input as Doc;
    const paths = names
      .map((n) => attributePath(doc, n))
      .filter((p): p is [string, string | undefined] => p !== null);
    if (excluded) {
      const out: Doc = { ...doc };
      for (const [key, sub] of paths) {
        if (ALWAYS_RETURNED.has(key)) continue;
        if (sub === undefined) delete out[key];
        else out[key] = subset(out[key], sub, false);
      }
      return out as T;
    }
    const out: Doc = {};
    for (const key of Object.keys(doc)) if (ALWAYS_RETURNED.has(key)) out[key] = doc[key];
    for (const [key, sub] of paths) {
      if (sub === undefined || ALWAYS_RETURNED.has(key)) out[key] = doc[key];
      else if (out[key] === undefined || typeof out[key] !== "object") out[key] = subset(doc[key], sub, true);
      else out[key] = merge(out[key], subset(doc[key], sub, true));
    }
    return out as T;
  };
}

/** Two selections of one attribute's sub-attributes together (name.givenName and name.familyName). */
function merge(a: unknown, b: unknown): unknown {
  if (Array.isArray(a) && Array.isArray(b)) return a.map((v, i) => ({ ...(v as Doc), ...(b[i] as Doc) }));
  return { ...(a as Doc), ...(b as Doc) };
}
