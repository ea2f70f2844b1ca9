/**
 * SCIM filters (RFC 7644 §3.4.2.2) as SQL. The filter is parsed by
 * scim2-parse-filter; its tree is translated here into a Kysely expression
 * over `users as u` left-joined to `scim_identities as si`. Attributes come
 * from a whitelist (each a fixed column expression), values are always bound
 * parameters: a filter can neither name a column of its own nor write SQL.
 * The caller scopes the query to its company (`and`-ed outside this
 * expression, which Kysely wraps in parentheses); the company is passed in
 * only so that a lookup by userName can read the identities' index, which
 * leads with it.
 */
import { sql, type RawBuilder, type SqlBool } from "kysely";
import { parse, type Filter } from "scim2-parse-filter";
import { ScimError } from "./http.server.ts";
import { parseId } from "../input.ts";

type Kind = "string" | "boolean" | "dateTime" | "id";

interface Attribute {
  kind: Kind;
  /** The column expression; strings are compared in lower case unless caseExact. */
  column: RawBuilder<unknown>;
  caseExact?: boolean;
}

const userName = sql`coalesce(si.user_name, u.email)`;
const email = sql`u.email`;

/** Every attribute a filter may name, by its lower-cased path. */
const ATTRIBUTES: Record<string, Attribute> = {
  id: { kind: "id", column: sql`u.id` },
  username: { kind: "string", column: userName },
  externalid: { kind: "string", column: sql`si.external_id`, caseExact: true },
  emails: { kind: "string", column: email },
  "emails.value": { kind: "string", column: email },
  // The one email Switchboard keeps is the person's work address, and primary.
  "emails.type": { kind: "string", column: sql`case when u.email is not null then 'work' end` },
  "emails.primary": { kind: "boolean", column: sql`u.email is not null` },
  "name.givenname": { kind: "string", column: sql`u.first_name` },
  "name.familyname": { kind: "string", column: sql`u.last_name` },
  "name.formatted": { kind: "string", column: sql`u.first_name || ' ' || u.last_name` },
  displayname: { kind: "string", column: sql`u.first_name || ' ' || u.last_name` },
  title: { kind: "string", column: sql`u.job_title` },
  active: { kind: "boolean", column: sql`u.status in ('active', 'pending')` },
  "meta.created": { kind: "dateTime", column: sql`u.created_at` },
  "meta.lastmodified": { kind: "dateTime", column: sql`coalesce(si.updated_at, u.created_at)` },
};

/** What a filter may name on one resource type: its attributes, and the schema URN they may be prefixed with. */
export interface FilterTarget {
  attributes: Record<string, Attribute>;
  /** Lower case, ending with ":". */
  schemaPrefix: string;
}

export const USER_FILTER: FilterTarget = {
  attributes: ATTRIBUTES,
  schemaPrefix: "urn:ietf:params:scim:schemas:core:2.0:user:",
};

/** A group (a department or call center, app/scim/groups.server.ts) over `groups as g`. */
export const GROUP_FILTER: FilterTarget = {
  attributes: {
    id: { kind: "id", column: sql`g.id` },
    displayname: { kind: "string", column: sql`g.name` },
    "meta.created": { kind: "dateTime", column: sql`g.created_at` },
  },
  schemaPrefix: "urn:ietf:params:scim:schemas:core:2.0:group:",
};
/**
 * Whether `u` is the user of the company known to SCIM by this userName, in
 * any letter case: the identity providers' existence check before every
 * create, and the uniqueness check of every write. The ids it names are found
 * once (an InitPlan) through scim_identities' (company_id, lower(user_name))
 * and users' lower(email) indexes, then read by primary key. Written as the
 * coalesce above, or as an "or" across the left join, it would read every user
 * of the company.
 */
export function userNameIs(companyId: number, name: string): RawBuilder<SqlBool> {
  const val = name.toLowerCase();
  return sql<SqlBool>`(u.id = any(array(
    select x.user_id from scim_identities x where x.company_id = ${companyId} and lower(x.user_name) = ${val}
    union all
    select y.id from users y where lower(y.email) = ${val} and y.company_id = ${companyId}
      and not exists (select from scim_identities z where z.user_id = y.id))))`;
}

/** What a translation is about: the resource's attributes, and the company the caller scopes the query to. */
interface Context {
  on: FilterTarget;
  companyId: number;
}

const MAX_FILTER_LENGTH = 2_000;
const MAX_NODES = 100;

const invalid = (detail: string) => new ScimError(400, detail, "invalidFilter");

function attribute(path: string, on: FilterTarget): Attribute {
  let key = path.toLowerCase();
  if (key.startsWith(on.schemaPrefix)) key = key.slice(on.schemaPrefix.length);
  const found = Object.hasOwn(on.attributes, key) ? on.attributes[key] : undefined;
  if (!found) throw invalid(`Filtering on "${path}" is not supported.`);
  return found;
}

const TRUE = sql<SqlBool>`true`;
const FALSE = sql<SqlBool>`false`;

function comparison(
  f: Extract<Filter, { compValue: unknown }>,
  prefix: string,
  { on, companyId }: Context,
): RawBuilder<SqlBool> {
  const path = prefix + f.attrPath;
  const attr = attribute(path, on);
  const value = f.compValue;
  if (value === null) {
    if (f.op === "eq") return sql<SqlBool>`(${attr.column} is null)`;
    if (f.op === "ne") return sql<SqlBool>`(${attr.column} is not null)`;
    throw invalid(`"${f.op}" cannot compare with null.`);
  }
  switch (attr.kind) {
    case "id": {
      if (typeof value !== "string") throw invalid(`"${path}" is a string.`);
      if (f.op !== "eq" && f.op !== "ne") throw invalid(`"${path}" supports eq and ne only.`);
      // Ids are opaque: one that is not ours matches nothing (and every row for ne).
      const id = parseId(value);
      if (f.op === "eq") return id === null ? FALSE : sql<SqlBool>`(${attr.column} = ${id})`;
      return id === null ? TRUE : sql<SqlBool>`(${attr.column} <> ${id})`;
    }
    case "boolean": {
      if (typeof value !== "boolean") throw invalid(`"${path}" is true or false.`);
      if (f.op === "eq") return sql<SqlBool>`(${attr.column}) = ${value}`;
      if (f.op === "ne") return sql<SqlBool>`(${attr.column}) <> ${value}`;
      throw invalid(`"${path}" supports eq and ne only.`);
    }
    case "dateTime": {
      const at = typeof value === "string" ? new Date(value) : null;
      if (!at || Number.isNaN(at.getTime())) throw invalid(`"${path}" is compared with a date and time.`);
      if (f.op === "co" || f.op === "sw" || f.op === "ew")
        throw invalid(`"${f.op}" does not apply to "${path}".`);
      return sql<SqlBool>`(${attr.column} ${sql.raw(SQL_ORDER[f.op])} ${at}::timestamptz)`;
    }
    case "string": {
      if (typeof value !== "string") throw invalid(`"${path}" is a string.`);
      const col = attr.caseExact ? attr.column : sql`lower(${attr.column})`;
      const val = attr.caseExact ? value : value.toLowerCase();
      if (attr.column === userName && f.op === "eq") return userNameIs(companyId, value);
      switch (f.op) {
        case "co":
          return sql<SqlBool>`(strpos(${col}, ${val}) > 0)`;
        case "sw":
          return sql<SqlBool>`starts_with(${col}, ${val})`;
        case "ew":
          return sql<SqlBool>`(right(${col}, ${val.length}) = ${val})`;
        case "ne":
          // a missing attribute is not equal to anything
          return sql<SqlBool>`coalesce(${col} <> ${val}, true)`;
        default:
          return sql<SqlBool>`(${col} ${sql.raw(SQL_ORDER[f.op])} ${val})`;
      }
    }
  }
}

/** The SQL operator of each ordering comparison: a fixed table, never the filter's text. */
const SQL_ORDER: Record<"eq" | "gt" | "ge" | "lt" | "le" | "ne", string> = {
  eq: "=",
  ne: "<>",
  gt: ">",
  ge: ">=",
  lt: "<",
  le: "<=",
};

function translate(f: Filter, prefix: string, budget: { nodes: number }, ctx: Context): RawBuilder<SqlBool> {
  if (++budget.nodes > MAX_NODES) throw invalid(`A filter may have at most ${MAX_NODES} terms.`);
  switch (f.op) {
    case "and":
    case "or": {
      const parts = f.filters.map((g) => translate(g, prefix, budget, ctx));
      return sql<SqlBool>`(${sql.join(parts, sql.raw(f.op === "and" ? " and " : " or "))})`;
    }
    case "not":
      return sql<SqlBool>`(not coalesce(${translate(f.filter, prefix, budget, ctx)}, false))`;
    case "[]": {
      if (prefix) throw invalid("Value filters cannot be nested.");
      // emails[type eq "work"]: Switchboard keeps one email per person, so the value filter
      // is about that one email (the parser splits `emails[…].value eq x` into two terms).
      if (ctx.on !== USER_FILTER || f.attrPath.toLowerCase() !== "emails")
        throw invalid(`"${f.attrPath}" has no value filter.`);
      return translate(f.valFilter, "emails.", budget, ctx);
    }
    case "pr": {
      const attr = attribute(prefix + f.attrPath, ctx.on);
      return attr.kind === "string"
        ? sql<SqlBool>`(coalesce(${attr.column}, '') <> '')`
        : sql<SqlBool>`(${attr.column} is not null)`;
    }
    default:
      return comparison(f as Extract<Filter, { compValue: unknown }>, prefix, ctx);
  }
}

/**
 * The SQL of a SCIM filter on a query the caller scopes to `companyId`;
 * invalidFilter (400) for anything Switchboard does not understand.
 */
export function filterSql(
  filter: string,
  companyId: number,
  on: FilterTarget = USER_FILTER,
): RawBuilder<SqlBool> {
  if (filter.length > MAX_FILTER_LENGTH)
    throw invalid(`A filter may have at most ${MAX_FILTER_LENGTH} characters.`);
  let tree: Filter;
  try {
    tree = parse(filter);
  } catch (err) {
    throw invalid(`The filter cannot be read: ${(err as Error).message}`);
  }
  return translate(tree, "", { nodes: 0 }, { on, companyId });
}
