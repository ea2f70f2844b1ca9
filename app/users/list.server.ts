/**
 * Office > Users, "Active or Pending Users": search, filters, sorting and
 * keyset pages, all in SQL. Every search and sort has an index behind it, and
 * the total comes from maintained counters or a bounded count (countUsers).
 */
import { sql, type ExpressionBuilder, type Kysely, type RawBuilder, type SqlBool } from "kysely";
import type { Database, UserLicenseType, UserStatus } from "../../db/schema.ts";
import { PAGE_SIZE, type ListParams, type Permission } from "./list-params.ts";
import type { Actor } from "../auth/actor.server.ts";
import { PERSON_COLUMNS, userCountsInScope, usersInScope } from "../auth/scopes.server.ts";
import {
  beyond,
  countUpTo,
  EXACT_COUNT_UP_TO,
  keysetPage,
  inKeyOrder,
  positionOf,
  readCursor,
  totalPast,
  type KeyColumn,
  type Position,
} from "../paging.server.ts";
import { formatNumber, searchDigits } from "../numbers/format.server.ts";
import { userMenu } from "./menu.server.ts";
import type { UserMenu } from "../ui/user-options.tsx";
import type { Total } from "../ui/list.tsx";

/**
 * Words in the search box that mean a permission or a license rather than a
 * name. A Map, not an object: a search for "constructor" or "__proto__" is a
 * name like any other, not a key every object has.
 */
const SEARCH_WORDS = new Map<
  string,
  { permission?: Permission; license?: UserLicenseType; status?: ListParams["status"] }
>([
  ["admin", { permission: "admin" }],
  ["admins", { permission: "admin" }],
  ["company admin", { permission: "company_admin" }],
  ["office admin", { permission: "office_admin" }],
  ["proxy", { permission: "proxy" }],
  ["proxy access", { permission: "proxy" }],
  ["connect", { license: "connect" }],
  ["sell", { license: "sell" }],
  ["support", { license: "support" }],
  ["suspended", { status: "suspended" }],
]);
const searchWord = (q: string) => SEARCH_WORDS.get(q.toLowerCase().replace(/\s+/g, " "));

/** What the search and filters ask for: a search word stands for a permission, license or status filter. */
function meaningOf(p: ListParams) {
  const word = searchWord(p.q);
  return {
    word,
    permission: p.permission ?? word?.permission,
    license: p.license ?? word?.license,
    status: p.status ?? word?.status,
  };
}

/** A search for a name or email (letters, and not one of the search's words). */
const isNameSearch = (q: string) => /\p{L}/u.test(q) && !searchWord(q);

/** Escapes LIKE's wildcards so a typed % or _ matches itself. */
export const likeContains = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * A name search's words shorter than this match only as the start of a first
 * name, last name or email: the trigram index cannot serve them, and "any
 * part" of one or two letters matches nearly everyone.
 */
const ANY_PART_MIN_LENGTH = 3;

/**
 * A user (`u`) whose names or email hold this lower-case term anywhere: a LIKE
 * on users_search_trgm_idx. The index reads, for each trigram of the term,
 * every user who has it, and a company's email domain is in all its people's
 * addresses: a whole email ("chiamaka.larsen.274329@acme.test") read the list
 * of nearly all million users for "acm", "cme", "tes" and "est", 70 to 90 ms.
 * So when what comes before the last "@" has trigrams of its own (pg_trgm
 * takes them from runs of letters and digits), the index is given that part
 * and the "@", and the whole term is checked, unindexed, on the users it finds.
 * The price falls on a small company among big ones (the index spans them
 * all): "john@smallco.com" now reads every John's entry, not smallco's few.
 */
export function searchTextHolds(term: string): RawBuilder<boolean> {
  const at = term.lastIndexOf("@");
  if (at < 0 || !/[\p{L}\p{N}]{3}/u.test(term.slice(0, at)))
    return sql<boolean>`u.search_text like ${likeContains(term)}`;
  return sql<boolean>`(u.search_text like ${likeContains(term.slice(0, at + 1))} and strpos(u.search_text, ${term}) > 0)`;
}

/**
 * A name search lists its matches in tiers, one after the other, each in the
 * list's sort order: users whose first name starts with the first word, then
 * those whose last name does, then those whose email does ("prefix" matches:
 * every other word starts one of the three too), then those that hold each
 * word anywhere ("part", for words of ANY_PART_MIN_LENGTH letters or more).
 * Sorted by email, the email's tier comes first. A tier per field because a
 * prefix of one field is a range of an index on it: the first name's tier is
 * a range of the name sort's own index (sort_name begins with the first
 * name), walked in order like an unsearched page, and the email's of the
 * email sort's. Each user is in one tier: the first that holds them.
 */
type PrefixTier = "first" | "last" | "email";
type Tier = PrefixTier | "part";

const searchTerms = (q: string) => q.toLowerCase().split(/\s+/).filter(Boolean);

/** The prefix tiers in the order a sort lists them: the one its index walks in order first. */
const prefixTiers = (sort: ListParams["sort"]): PrefixTier[] =>
  sort === "email" ? ["email", "first", "last"] : ["first", "last", "email"];

/** The tiers a name search lists, in order: "part" only when a word is long enough to match any part. */
const tiersOf = (p: ListParams): Tier[] => [
  ...prefixTiers(p.sort),
  ...(searchTerms(p.q).some((t) => t.length >= ANY_PART_MIN_LENGTH) ? (["part"] as const) : []),
];

type UsersEb = ExpressionBuilder<Database & { u: Database["users"] }, "u">;

/**
 * `column` starts with `prefix`, as a range its btree index answers: the
 * databases' collations (C.UTF-8 on the server, C in PGlite) order text by
 * code point, so what starts with "mar" is what lies from "mar" up to "mas".
 * No LIKE: under those collations LIKE cannot use a btree index of the
 * default operator class, and its estimate on top of the range's would count
 * the same condition twice.
 */
function startsWith(column: RawBuilder<unknown>, prefix: string) {
  const chars = Array.from(prefix);
  const last = chars.pop()!.codePointAt(0)!;
  if (last === 0x10ffff) return sql<boolean>`starts_with(${column}, ${prefix})`;
  // The code point after the last, skipping the surrogates PostgreSQL's text cannot hold.
  const next = chars.join("") + String.fromCodePoint(last + 1 === 0xd800 ? 0xe000 : last + 1);
  return sql<boolean>`(${column} >= ${prefix} and ${column} < ${next})`;
}

/**
 * The indexed expressions of the fields a word can start. The first name's is
 * sort_name when the sort's keys hold it (sort_name is the first name, a
 * space and the last name, and a word holds no space), so that its tier walks
 * the sort's own index; otherwise lower(first_name), a range of
 * users_company_given_name_idx. The last name's and the email's are ranges of
 * users_company_family_name_idx and users_company_email_idx.
 */
const FIELDS = {
  first: (sortedByName: boolean) => (sortedByName ? sql`u.sort_name` : sql`lower(u.first_name)`),
  last: () => sql`lower(u.last_name)`,
  email: () => sql`lower(u.email)`,
};

/** The users a name search matches: all of them (no tier: the count, a bulk action), or one tier's. */
const nameMatches = (p: ListParams, tier: Tier | undefined) => (eb: UsersEb) => {
  const [head, ...rest] = searchTerms(p.q);
  const sortedByName = sortKeys(p.sort).includes(NAME_KEY);
  const fields = prefixTiers(p.sort);
  const starts = (field: PrefixTier, term: string) => startsWith(FIELDS[field](sortedByName), term);
  const startsAny = (term: string) => eb.or(fields.map((field) => starts(field, term)));
  const others = rest.map(startsAny);
  const any = eb.and(
    [head!, ...rest].map((t) => (t.length >= ANY_PART_MIN_LENGTH ? searchTextHolds(t) : startsAny(t))),
  );
  if (tier === undefined) return any;
  if (tier === "part") return eb.and([any, eb.not(eb.and([startsAny(head!), ...others]))]);
  // This field's tier: the first word starts it and no earlier field; the other words start any field.
  const earlier = fields.slice(0, fields.indexOf(tier)).map((f) => eb.not(starts(f, head!)));
  return eb.and([starts(tier, head!), ...earlier, ...others]);
};

/** The users this list (or its export) holds for this search and these filters (for a name search, in one tier or all). */
function filteredUsers(db: Kysely<Database>, actor: Actor, p: ListParams, tier?: Tier) {
  let qb = db.selectFrom("users as u").where(usersInScope(actor)).where("u.status", "<>", "deleted");

  const { word, permission, license, status } = meaningOf(p);
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
      qb = qb.where(nameMatches(p, tier));
    }
  }
  if (license) qb = qb.where("u.license_type", "=", license);
  if (status) qb = qb.where("u.status", "=", status);
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
const primaryE164 = (eb: UsersEb) =>
  eb
    .selectFrom("phone_numbers as n")
    .select("n.e164")
    .whereRef("n.assigned_user_id", "=", "u.id")
    .where("n.is_primary", "=", true)
    .limit(1)
    .as("primary_e164");

/** Whether a listed user is an Office Admin, for the select list of a query on `users as u`. */
const isOfficeAdmin = (eb: UsersEb) =>
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
export function listedUsers(db: Kysely<Database>, actor: Actor, p: ListParams, tier?: Tier) {
  return filteredUsers(db, actor, p, tier)
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
  status: Exclude<UserStatus, "deleted">;
  /** The row's Options menu, from the same row: no query per menu. */
  menu: UserMenu;
}

/**
 * Each sort as a keyset: the columns it orders by, then the id. Each has an
 * index that leads with the company and ends with the id (migrations:
 * initial, 2026-12-02T1045_user_list_scale), so a page at any depth starts
 * where the cursor points and reads 51 rows. The office sort is by the
 * office's name: it walks the offices in name order and, in each, the
 * office's users by name (officeSortRows).
 *
 * A name search walks the same keys within each of its tiers (Tier, walk).
 */
function sortKeys(sort: ListParams["sort"]): KeyColumn[] {
  const text = (column: RawBuilder<unknown>): KeyColumn => ({ column, type: "text" });
  const name = NAME_KEY;
  switch (sort) {
    case "name":
      return [name];
    case "email":
      return [text(sql`lower(u.email)`)];
    case "added":
      return [{ column: sql`u.created_at`, type: "micros" }];
    case "license":
      return [text(sql`u.license_type`), name];
    case "status":
      return [text(sql`u.status`), name];
    case "office":
      return [{ column: sql`o.name`, type: "text" }, { column: sql`u.office_id`, type: "id" }, name];
  }
}

/** The name, a key of every sort but email and date added. */
const NAME_KEY: KeyColumn = { column: sql`u.sort_name`, type: "text" };

/** The listed users with what a row and its Options menu show, and each row's position. */
function pageRows(db: Kysely<Database>, actor: Actor, p: ListParams, keys: KeyColumn[], tier?: Tier) {
  return listedUsers(db, actor, p, tier).select([
    // What the Options menu asks the policy about (menu.server.ts).
    "u.office_id",
    sql<number[]>`array(select oa.office_id from office_admins oa where oa.user_id = u.id order by 1)`.as(
      "admin_office_ids",
    ),
    sql<number | null>`case when u.status = 'pending' then (select max(i.id) from invites i
      where i.user_id = u.id and i.used_at is null and i.voided_at is null) end`.as("live_invite_id"),
    "u.created_at",
    "u.first_signed_in_at",
    positionOf(keys).as("position"),
  ]);
}
type PageRow = Awaited<ReturnType<ReturnType<typeof pageRows>["execute"]>>[number];
/** A row as a walk returns it: with the tier it was read from, for its cursor. */
type WalkedRow = PageRow & { tier: number };

/**
 * The list in one sort's order: what every walk along it reads. A name
 * search's list is its tiers one after the other, each in the sort's order
 * (either direction: prefix matches always come first); any other list is one
 * tier, everything.
 */
interface Order {
  db: Kysely<Database>;
  actor: Actor;
  p: ListParams;
  keys: KeyColumn[];
  tiers: (Tier | undefined)[];
}

const isTiered = (tiers: Order["tiers"]) => tiers[0] !== undefined;

function orderOf(db: Kysely<Database>, actor: Actor, p: ListParams): Order {
  return { db, actor, p, keys: sortKeys(p.sort), tiers: isNameSearch(p.q) ? tiersOf(p) : [undefined] };
}

/**
 * Up to `limit` rows after `after` (or from the start) in the list's order,
 * or in its reverse (`descending` already says which way to walk the keys;
 * walking the reverse, the tiers come last to first). Each tier is one
 * statement (two for the office sort) reading at most the rows still wanted,
 * and a tier is read only when the one before it ends within the page.
 */
async function walk(
  order: Order,
  after: Position | null,
  descending: boolean,
  limit: number,
): Promise<WalkedRow[]> {
  const backward = descending !== (order.p.dir === "desc");
  const tiers = order.tiers.map((_, i) => i);
  if (backward) tiers.reverse();
  const rows: WalkedRow[] = [];
  for (const tier of tiers.slice(after ? tiers.indexOf(after.tier) : 0)) {
    const from = after?.tier === tier ? after : null;
    const read = await walkTier(order, order.tiers[tier], from, descending, limit - rows.length);
    rows.push(...read.map((r) => ({ ...r, tier })));
    if (rows.length >= limit) break;
  }
  return rows;
}

/**
 * A key column as an expression no index holds: the keys of a tier whose
 * order no index gives (walksSortIndex), so that the planner takes the tier's
 * matches from its own index (its field's range, or the trigram index's
 * matches) and sorts them, rather than walk the sort's index in the hope of
 * meeting them. That hope fails because the fields go together: emails begin
 * with first names, so the email tier of "mar", which the planner expects to
 * hold 1,600 users, holds none once the first names took them, and the walk
 * read all 100,000 rows (86 ms). The values, and so the cursors, are the same.
 */
const unindexed = (k: KeyColumn): KeyColumn => {
  if (k.type === "text") return { ...k, column: sql`(${k.column} || '')` };
  if (k.type === "micros") return { ...k, column: sql`(${k.column} + interval '0 seconds')` };
  return k;
};

/**
 * Whether a tier's rows come in the sort's order from the sort's own index:
 * the whole list (no name search), and the prefix tier whose range is one of
 * a sort key (FIELDS): the first name's for the sorts by name, the email's for
 * the email sort.
 */
const walksSortIndex = (sort: ListParams["sort"], tier: Tier | undefined) =>
  tier === undefined ||
  (tier === "first" && sortKeys(sort).includes(NAME_KEY)) ||
  (tier === "email" && sort === "email");

/** Up to `limit` rows of one tier after `after` (or from its start), in the sort's order or its reverse. */
async function walkTier(
  { db, actor, p, keys: sortKeys }: Order,
  tier: Tier | undefined,
  after: Position | null,
  descending: boolean,
  limit: number,
): Promise<PageRow[]> {
  const keys = walksSortIndex(p.sort, tier) ? sortKeys : sortKeys.map(unindexed);
  if (p.sort === "office") return officeSortRows({ db, actor, p, keys }, tier, after, descending, limit);
  let qb = pageRows(db, actor, p, keys, tier);
  if (after) qb = qb.where(beyond(keys, sql`u.id`, after, descending));
  return inKeyOrder(qb, keys, sql`u.id`, descending)
    .limit(limit)
    .execute();
}

/**
 * The office sort: offices by name (ties by id), each office's users by name.
 * The rest of the cursor's office first (its index, users_office_name_idx,
 * from the cursor on), then, if the page is not full, the offices after it,
 * each read through the same index for at most the rows still wanted: two
 * statements at most, however deep the page or large the office.
 */
async function officeSortRows(
  { db, actor, p, keys }: Pick<Order, "db" | "actor" | "p" | "keys">,
  tier: Tier | undefined,
  after: Position | null,
  descending: boolean,
  limit: number,
): Promise<PageRow[]> {
  const dir = descending ? sql`desc` : sql`asc`;
  const name = keys[2]!;
  const rows: PageRow[] = [];
  if (after) {
    rows.push(
      ...(await pageRows(db, actor, p, keys, tier)
        .where("u.office_id", "=", Number(after.keys[1]))
        .where(
          beyond([name], sql`u.id`, { tier: after.tier, keys: [after.keys[2]!], id: after.id }, descending),
        )
        .orderBy(sql`${name.column} ${dir}`)
        .orderBy(sql`u.id ${dir}`)
        .limit(limit)
        .execute()),
    );
  }
  const wanted = limit - rows.length;
  if (wanted <= 0) return rows;
  let offices = db
    .selectFrom("offices as oo")
    .select(["oo.id", "oo.name"])
    .where("oo.company_id", "=", actor.company.id)
    .orderBy(sql`oo.name ${dir}`)
    .orderBy(sql`oo.id ${dir}`);
  if (after)
    offices = offices.where(
      sql<boolean>`(oo.name, oo.id) ${descending ? sql`<` : sql`>`} (${after.keys[0]!}::text, ${Number(after.keys[1])}::int)`,
    );
  const next = await db
    .selectFrom(offices.as("oo"))
    .innerJoinLateral(
      pageRows(db, actor, p, keys, tier)
        .where(sql<boolean>`u.office_id = oo.id`)
        .select("u.sort_name")
        .orderBy(sql`${name.column} ${dir}`)
        .orderBy(sql`u.id ${dir}`)
        .limit(wanted)
        .as("p"),
      (join) => join.onTrue(),
    )
    .selectAll("p")
    .orderBy(sql`oo.name ${dir}`)
    .orderBy(sql`oo.id ${dir}`)
    .orderBy(sql`p.sort_name ${dir}`)
    .orderBy(sql`p.id ${dir}`)
    .limit(wanted)
    .execute();
  return [...rows, ...next];
}

/** One page of the list: its rows, and the cursors of the pages around it (null: none). */
function keysetPageOf(db: Kysely<Database>, actor: Actor, p: ListParams) {
  const order = orderOf(db, actor, p);
  const tiered = isTiered(order.tiers);
  const start = readCursor(p.cursor, { keys: order.keys, tiers: order.tiers.length, tiered });
  const descending = p.dir === "desc";
  return keysetPage(start, PAGE_SIZE, tiered, (after, reverse, limit) =>
    walk(order, after, descending !== reverse, limit),
  );
}

/** Every user of the list in its order, `batchSize` at a time: the export's batches. */
export async function* usersInListOrder(
  db: Kysely<Database>,
  actor: Actor,
  p: ListParams,
  batchSize: number,
): AsyncGenerator<PageRow[]> {
  const order = orderOf(db, actor, p);
  let after: Position | null = null;
  for (;;) {
    const rows = await walk(order, after, p.dir === "desc", batchSize);
    yield rows;
    if (rows.length < batchSize) return;
    const end = rows.at(-1)!;
    after = { tier: end.tier, keys: end.position, id: end.id! };
  }
}

/**
 * The list's total without counting rows: with no search and no permission
 * filter, the sum of the counters (user_counts, kept by triggers) for the
 * filters' offices, statuses and license types, exact at any size. Otherwise
 * the matches are counted up to EXACT_COUNT_UP_TO + 1 (a bounded walk of the
 * search's index: a name search's tier by tier, each a range of a btree index
 * read only when the tiers before it held fewer, so that a search with many
 * prefix matches never asks the trigram index; one statement, so that the
 * embedded database, in its thread, is crossed to once); past that, "about" the
 * planner's estimate (two figures), or "more than" EXACT_COUNT_UP_TO when the
 * estimate is below what was found.
 */
export async function countUsers(db: Kysely<Database>, actor: Actor, p: ListParams): Promise<Total> {
  const { word, permission, license, status } = meaningOf(p);
  if ((!p.q || word) && !permission) {
    let qb = db.selectFrom("user_counts as c").where(userCountsInScope(actor));
    if (p.office) qb = qb.where("c.office_id", "=", p.office);
    if (license) qb = qb.where("c.license_type", "=", license);
    if (status) qb = qb.where("c.status", "=", status);
    const row = await qb.select(sql<number>`coalesce(sum(c.n), 0)::int`.as("n")).executeTakeFirstOrThrow();
    return { n: Number(row.n), is: "exact" };
  }
  // The tiers one after another (UNION ALL, whose Append reads its parts in order): the LIMIT stops
  // it once enough are found, before the later tiers' indexes are read.
  const [first, ...later] = orderOf(db, actor, p).tiers.map((tier) =>
    filteredUsers(db, actor, p, tier).select("u.id"),
  );
  const matches = later.reduce((all, tier) => all.unionAll(tier), first!);
  const n = await countUpTo(db, matches, EXACT_COUNT_UP_TO + 1);
  return totalPast(n, filteredUsers(db, actor, p).select("u.id"));
}

export async function listUsers(db: Kysely<Database>, actor: Actor, p: ListParams) {
  const [page, total] = await Promise.all([keysetPageOf(db, actor, p), countUsers(db, actor, p)]);
  const users: UserRow[] = page.rows.map((r) => {
    const name = `${r.first_name} ${r.last_name}`;
    const status = r.status as Exclude<UserStatus, "deleted">;
    return {
      id: r.id!,
      name,
      email: r.email!,
      primaryNumber: formatNumber(r.primary_e164),
      extension: r.extension,
      officeName: r.office_name!,
      licenseType: r.license_type!,
      role: roleOf(r),
      hasProxyAccess: hasProxy(actor, r),
      status,
      menu: userMenu(actor, {
        id: r.id!,
        name,
        status,
        officeId: r.office_id!,
        isCompanyAdmin: r.is_company_admin!,
        adminOffices: (r.admin_office_ids ?? []).map((id) => ({ id: Number(id) })),
        proxyAccessGranted: r.has_proxy_access!,
        liveInviteId: r.live_invite_id,
      }),
    };
  });
  return { users, total, atStart: page.atStart, atEnd: page.atEnd, prev: page.prev, next: page.next };
}

/** The ids a bulk action on "all users that match this search" takes, in name order (not the list's sort or tiers). */
export async function matchingUserIds(db: Kysely<Database>, actor: Actor, p: ListParams, limit: number) {
  const rows = await filteredUsers(db, actor, p)
    .select("u.id")
    .orderBy("u.sort_name")
    .orderBy("u.id")
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}
