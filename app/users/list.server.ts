/**
 * Office > Users, "Active or Pending Users": search, filters, sorting and
 * pagination, all in SQL. One statement answers a page and its total; every
 * search and sort has an index behind it (see the initial migration).
 */
import { sql, type ExpressionBuilder, type Kysely, type SqlBool } from "kysely";
import type { Database, UserLicenseType } from "../../db/schema.ts";
import { PAGE_SIZE, type ListParams, type Permission } from "./list-params.ts";
import type { Actor } from "../auth/actor.server.ts";
import { PERSON_COLUMNS, usersInScope } from "../auth/scopes.server.ts";
import { formatNumber, searchDigits } from "../numbers/format.server.ts";

/**
 * Words in the search box that mean a permission or a license rather than a
 * name. A Map, not an object: a search for "constructor" or "__proto__" is a
 * name like any other, not a key every object has.
 */
const SEARCH_WORDS = new Map<string, { permission?: Permission; license?: UserLicenseType }>([
  ["admin", { permission: "admin" }],
  ["admins", { permission: "admin" }],
  ["company admin", { permission: "company_admin" }],
  ["office admin", { permission: "office_admin" }],
  ["proxy", { permission: "proxy" }],
  ["proxy access", { permission: "proxy" }],
  ["connect", { license: "connect" }],
  ["sell", { license: "sell" }],
  ["support", { license: "support" }],
]);
const searchWord = (q: string) => SEARCH_WORDS.get(q.toLowerCase().replace(/\s+/g, " "));

/** Escapes LIKE's wildcards so a typed % or _ matches itself. */
export const likeContains = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The users this list (or its export) holds for this search and these filters. */
function filteredUsers(db: Kysely<Database>, actor: Actor, p: ListParams) {
  let qb = db.selectFrom("users as u").where(usersInScope(actor)).where("u.status", "<>", "deleted");

  const word = searchWord(p.q);
  const permission = p.permission ?? word?.permission;
  const license = p.license ?? word?.license;
  if (p.q && !word) {
    const digits = searchDigits(p.q);
    if (digits) {
      qb = qb.where("u.id", "in", (eb) =>
        eb
          .selectFrom("phone_numbers as n")
          .select("n.assigned_user_id")
          .where("n.company_id", "=", actor.company.id)
          .where("n.digits", "like", likeContains(digits))
          .where("n.assigned_user_id", "is not", null)
          .$narrowType<{ assigned_user_id: number }>(),
      );
    } else {
      for (const term of p.q.toLowerCase().split(/\s+/).filter(Boolean)) {
        qb = qb.where("u.search_text", "like", likeContains(term));
      }
    }
  }
  if (license) qb = qb.where("u.license_type", "=", license);
  if (p.status) qb = qb.where("u.status", "=", p.status);
  if (p.office) qb = qb.where("u.office_id", "=", p.office);
  if (permission) {
    qb = qb.where((eb) => {
      const officeAdmin = eb.exists(
        eb
          .selectFrom("office_admins as oa")
          .select(sql`1`.as("one"))
          .whereRef("oa.user_id", "=", "u.id"),
      );
      const proxy = actor.higherTier
        ? eb.or([eb("u.has_proxy_access", "=", true), eb("u.is_company_admin", "=", true)])
        : eb("u.has_proxy_access", "=", true);
      switch (permission) {
        case "company_admin":
          return eb("u.is_company_admin", "=", true);
        case "office_admin":
          return officeAdmin;
        case "admin":
          return eb.or([eb("u.is_company_admin", "=", true), officeAdmin]);
        case "proxy":
          return proxy;
        case "none":
          return eb.and([eb("u.is_company_admin", "=", false), eb.not(officeAdmin)]);
      }
    });
  }
  return qb;
}

/** A listed user's primary number, for the select list of a query on `users as u`. */
const primaryE164 = (eb: ExpressionBuilder<Database & { u: Database["users"] }, "u">) =>
  eb
    .selectFrom("phone_numbers as n")
    .select("n.e164")
    .whereRef("n.assigned_user_id", "=", "u.id")
    .where("n.is_primary", "=", true)
    .limit(1)
    .as("primary_e164");

/** Whether a listed user is an Office Admin, for the select list of a query on `users as u`. */
const isOfficeAdmin = (eb: ExpressionBuilder<Database & { u: Database["users"] }, "u">) =>
  eb
    .exists(
      eb
        .selectFrom("office_admins as oa")
        .select(sql`1`.as("one"))
        .whereRef("oa.user_id", "=", "u.id"),
    )
    .as("is_office_admin");

/** The Admin column: the higher role a user holds. */
export const roleOf = (r: { is_company_admin: boolean | null; is_office_admin: SqlBool | null }) =>
  r.is_company_admin ? ("Company Admin" as const) : r.is_office_admin ? ("Office Admin" as const) : null;

/** Proxy access: granted, or a Company Admin's own on a higher-tier plan. */
export const hasProxy = (
  actor: Actor,
  r: { is_company_admin: boolean | null; has_proxy_access: boolean | null },
) => !!r.has_proxy_access || (!!r.is_company_admin && actor.higherTier);

/** Each matching user with what a row of the list shows: office, primary number, role. The list and the export read these. */
export function listedUsers(db: Kysely<Database>, actor: Actor, p: ListParams) {
  return filteredUsers(db, actor, p)
    .innerJoin("offices as o", "o.id", "u.office_id")
    .select([
      ...PERSON_COLUMNS,
      "u.extension",
      "u.license_type",
      "u.is_company_admin",
      "u.has_proxy_access",
      "u.status",
      "o.name as office_name",
      primaryE164,
      isOfficeAdmin,
    ]);
}

export interface UserRow {
  id: number;
  name: string;
  email: string;
  primaryNumber: string | null;
  extension: string | null;
  officeName: string;
  licenseType: UserLicenseType;
  role: "Company Admin" | "Office Admin" | null;
  hasProxyAccess: boolean;
  status: "active" | "pending";
}

export async function listUsers(db: Kysely<Database>, actor: Actor, p: ListParams) {
  // Without a search, the page walks the sort's index and stops after 50 rows.
  // With a name search, walking that index would filter row by row until 50
  // match, which is slow when the matches sort late ("yuna"); sorting by an
  // expression the index cannot serve makes the planner take the trigram
  // index's matches and sort just those.
  const searching = /\p{L}/u.test(p.q) && !searchWord(p.q);
  const sortColumn = {
    name: searching ? sql`(u.sort_name || '')` : sql`u.sort_name`,
    email: searching ? sql`(lower(u.email) || '')` : sql`lower(u.email)`,
    added: searching ? sql`(u.created_at + interval '0 seconds')` : sql`u.created_at`,
  }[p.sort];
  const direction = p.dir === "desc" ? sql`desc` : sql`asc`;

  const page = listedUsers(db, actor, p)
    .orderBy(sql`${sortColumn} ${direction}`)
    .orderBy(sql`u.id ${direction}`)
    .limit(PAGE_SIZE)
    .offset((p.page - 1) * PAGE_SIZE);

  const total = filteredUsers(db, actor, p).select((eb) => eb.fn.countAll<number>().as("total"));

  // One statement: the total, and the page joined to it (a page past the end still brings the total).
  const rows = await db
    .selectFrom(total.as("t"))
    .leftJoinLateral(page.as("p"), (join) => join.onTrue())
    .selectAll("p")
    .select("t.total")
    .execute();

  const count = Number(rows[0]?.total ?? 0);
  const users: UserRow[] = rows
    .filter((r) => r.id !== null)
    .map((r) => ({
      id: r.id!,
      name: `${r.first_name} ${r.last_name}`,
      email: r.email!,
      primaryNumber: formatNumber(r.primary_e164),
      extension: r.extension,
      officeName: r.office_name!,
      licenseType: r.license_type!,
      role: roleOf(r),
      hasProxyAccess: hasProxy(actor, r),
      status: r.status as "active" | "pending",
    }));
  return { users, total: count, page: p.page, pageCount: Math.max(1, Math.ceil(count / PAGE_SIZE)) };
}

/** The ids a bulk action on "all users that match this search" takes, in list order. */
export async function matchingUserIds(db: Kysely<Database>, actor: Actor, p: ListParams, limit: number) {
  const rows = await filteredUsers(db, actor, p)
    .select("u.id")
    .orderBy("u.sort_name")
    .orderBy("u.id")
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}
