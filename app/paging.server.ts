/**
 * Keyset pages and bounded counts, shared by the long lists (Active or
 * Pending Users, Reserved Numbers, Deleted Users). A page starts where its
 * cursor points and reads one row more than it shows, so that any page costs
 * what the first does; a total is counted exactly up to EXACT_COUNT_UP_TO and
 * estimated past it, so that no page counts every row.
 */
import { sql, type Kysely, type RawBuilder, type SelectQueryBuilder } from "kysely";
import type { Database } from "../db/schema.ts";
import { parseId } from "./input.ts";
import type { Total } from "./ui/list.tsx";

/**
 * How a sort's key column is compared as it travels in a cursor: text as is,
 * an id as digits, a timestamp as microseconds since the epoch (a JS Date, or
 * a timestamp's text in another time zone, would lose or shift them).
 */
type KeyType = "text" | "id" | "micros";
export interface KeyColumn {
  column: RawBuilder<unknown>;
  type: KeyType;
}

/** A key column's value in a cursor: its text, from SQL. */
const keyText = (k: KeyColumn) =>
  k.type === "micros"
    ? sql`(extract(epoch from ${k.column}) * 1000000)::bigint::text`
    : sql`${k.column}::text`;

/** The select-list column `position`: a row's key values as text, for its cursor. */
export const positionOf = (keys: KeyColumn[]) => sql<string[]>`array[${sql.join(keys.map(keyText))}]`;

/** A cursor's value, compared with its column. */
const keyValue = (k: KeyColumn, value: string) =>
  k.type === "micros"
    ? sql`timestamptz 'epoch' + ${value}::bigint * interval '1 microsecond'`
    : k.type === "id"
      ? sql`${Number(value)}::int`
      : sql`${value}::text`;

/**
 * A row's place in a sort: its tier (a list read in parts one after the
 * other, as the users list's name search is; 0 otherwise), its key columns'
 * values, then its id.
 */
export interface Position {
  tier: number;
  keys: string[];
  id: number;
}

const KEY_FORMATS: Record<KeyType, RegExp> = {
  // No NUL (PostgreSQL's text cannot hold it); any other character a name can have.
  text: /^[^\0]{0,1000}$/,
  id: /^[1-9][0-9]{0,8}$/,
  micros: /^-?[0-9]{1,16}$/,
};

/** A position as a URL-safe string, and back: a tiered list's cursor leads with its tier. */
const encodePosition = (p: Position, tiered: boolean) =>
  Buffer.from(JSON.stringify([...(tiered ? [p.tier] : []), ...p.keys, p.id])).toString("base64url");

/**
 * How a list is ordered, as its cursors hold it: its key columns, and for a
 * tiered list how many tiers (a list of one tier writes none in its cursors).
 */
export interface CursorShape {
  keys: KeyColumn[];
  tiers: number;
  tiered: boolean;
}

/**
 * The position a cursor names, if it is one this sort could have written:
 * anything else (a cursor of another sort, edited by hand, or garbage) is
 * null, and the list shows its first page.
 */
function decodePosition(encoded: string, { keys, tiers, tiered }: CursorShape): Position | null {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(encoded, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  if (!Array.isArray(value) || value.length !== keys.length + 1 + Number(tiered)) return null;
  const tier = tiered ? value[0] : 0;
  if (!Number.isInteger(tier) || tier < 0 || tier >= tiers) return null;
  const id = parseId(String(value.at(-1)));
  const texts = value.slice(Number(tiered), -1);
  if (id === null || typeof value.at(-1) !== "number") return null;
  if (!texts.every((v, i) => typeof v === "string" && KEY_FORMATS[keys[i]!.type].test(v))) return null;
  return { tier, keys: texts as string[], id };
}

/** The cursor parameter read: where the page starts. */
export type Start = { from: "first" } | { from: "last" } | { from: "next" | "prev"; position: Position };

/** A page's cursor parameter (input.ts, cursorField), as the server reads it: anything it did not write, the first page. */
export function readCursor(cursor: string | undefined, shape: CursorShape): Start {
  if (cursor === "last") return { from: "last" };
  const [direction, encoded] = cursor?.split(".") ?? [];
  const position = encoded ? decodePosition(encoded, shape) : null;
  if (!position || (direction !== "next" && direction !== "prev")) return { from: "first" };
  return { from: direction, position };
}

/** The cursor of the rows after a position: a link to the page that starts there. */
export const nextCursor = (p: Position, tiered = false) => `next.${encodePosition(p, tiered)}`;

/** `(key columns, id) > position` (or `<`), the keyset's condition, which the sort's index answers. */
export const beyond = (keys: KeyColumn[], id: RawBuilder<unknown>, at: Position, descending: boolean) =>
  sql<boolean>`(${sql.join([...keys.map((k) => k.column), id])}) ${descending ? sql`<` : sql`>`} (${sql.join([
    ...keys.map((k, i) => keyValue(k, at.keys[i]!)),
    sql`${at.id}`,
  ])})`;

/** A query ordered by the keys and then the id, in a walk's direction: the order of the list's index. */
export const inKeyOrder = <DB, TB extends keyof DB, O>(
  qb: SelectQueryBuilder<DB, TB, O>,
  keys: KeyColumn[],
  id: RawBuilder<unknown>,
  descending: boolean,
) =>
  [...keys.map((k) => k.column), id].reduce(
    (ordered, column) => ordered.orderBy(sql`${column} ${descending ? sql`desc` : sql`asc`}`),
    qb,
  );

/**
 * A walk of a list without tiers (Reserved Numbers, Deleted Users): up to `limit` rows after `after` (or
 * from the start) in the keys' order, each as tier 0, which is what `keysetPage` reads.
 */
export async function walkInKeyOrder<DB, TB extends keyof DB, O>(
  qb: SelectQueryBuilder<DB, TB, O>,
  keys: KeyColumn[],
  id: RawBuilder<unknown>,
  after: Position | null,
  descending: boolean,
  limit: number,
) {
  const from = after ? qb.where(beyond(keys, id, after, descending)) : qb;
  const rows = await inKeyOrder(from, keys, id, descending).limit(limit).execute();
  return rows.map((r) => ({ ...r, tier: 0 }));
}

/** A row as a walk reads it: its id, and its position's tier (0 untiered) and keys. */
interface Walked {
  id: number;
  tier: number;
  position: string[];
}

/**
 * One keyset page from where its cursor starts: `walk` reads up to `limit`
 * rows after a position (or from the start), in the list's order or (when
 * `reverse`) in its reverse. Last is the reversed order's first page. A
 * cursor whose rows are gone since lands on the nearest page: nothing after
 * it, the last; fewer than a page before it, the first (shown full).
 */
export async function keysetPage<R extends Walked>(
  start: Start,
  pageSize: number,
  tiered: boolean,
  walk: (after: Position | null, reverse: boolean, limit: number) => Promise<R[]>,
) {
  const more = pageSize + 1;
  const first = async () => {
    const rows = await walk(null, false, more);
    return { rows: rows.slice(0, pageSize), atStart: true, atEnd: rows.length <= pageSize };
  };
  const last = async () => {
    const rows = await walk(null, true, more);
    return { rows: rows.slice(0, pageSize).reverse(), atStart: rows.length <= pageSize, atEnd: true };
  };
  const page = await (async () => {
    switch (start.from) {
      case "first":
        return first();
      case "last":
        return last();
      case "next": {
        const rows = await walk(start.position, false, more);
        if (rows.length === 0) return last();
        return { rows: rows.slice(0, pageSize), atStart: false, atEnd: rows.length <= pageSize };
      }
      case "prev": {
        const rows = await walk(start.position, true, more);
        if (rows.length <= pageSize) return first();
        return { rows: rows.slice(0, pageSize).reverse(), atStart: false, atEnd: false };
      }
    }
  })();
  const cursor = (row: R | undefined) =>
    row ? encodePosition({ tier: row.tier, keys: row.position, id: row.id }, tiered) : null;
  return {
    rows: page.rows,
    atStart: page.atStart,
    atEnd: page.atEnd,
    prev: page.atStart ? null : `prev.${cursor(page.rows[0])}`,
    next: page.atEnd ? null : `next.${cursor(page.rows.at(-1))}`,
  };
}

/** Up to this many matches are counted exactly; past it, the planner's estimate ("about"). */
export const EXACT_COUNT_UP_TO = 1000;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any query's rows: only counted or explained
type Matches = SelectQueryBuilder<any, any, any>;

/** How many rows `matches` has, counted up to `upTo` (a bounded walk of its index, never a scan of all). */
export async function countUpTo(db: Kysely<Database>, matches: Matches, upTo: number) {
  const counted = await db
    .selectFrom(matches.limit(upTo).as("m"))
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(counted.n);
}

/**
 * A total from `counted` rows of `matches`, counted up to EXACT_COUNT_UP_TO + 1:
 * exact up to EXACT_COUNT_UP_TO; past it, "about" the planner's estimate (two
 * figures), or "more than" EXACT_COUNT_UP_TO when the estimate is below what
 * was found.
 */
export async function totalPast(counted: number, matches: Matches): Promise<Total> {
  if (counted <= EXACT_COUNT_UP_TO) return { n: counted, is: "exact" };
  const [explained] = await matches.explain("json");
  const estimate = Number(
    (explained?.["QUERY PLAN"] as [{ Plan: { "Plan Rows": number } }] | undefined)?.[0]?.Plan["Plan Rows"] ??
      0,
  );
  if (estimate <= EXACT_COUNT_UP_TO) return { n: EXACT_COUNT_UP_TO, is: "more than" };
  return { n: Number(estimate.toPrecision(2)), is: "about" };
}

/** The total of `matches` (a query selecting one column per row), without counting past EXACT_COUNT_UP_TO. */
export const boundedTotal = async (db: Kysely<Database>, matches: Matches) =>
  totalPast(await countUpTo(db, matches, EXACT_COUNT_UP_TO + 1), matches);
