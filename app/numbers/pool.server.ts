/**
 * Office > Users, "Reserved Numbers": the numbers the company pays for but
 * nobody uses, in the admin's offices. A number is on hold while its former
 * user may still be restored (held_until in the future), decided by the clock
 * at every read: a hold that has run out reads as Reserved whether or not a
 * job has cleared it. Keyset pages (paging.server.ts) along
 * phone_numbers_pool_company_order_idx or, filtered by office,
 * phone_numbers_pool_office_order_idx; the total is counted up to a bound.
 */
import { sql, type Kysely } from "kysely";
import type { Database, NumberKind } from "../../db/schema.ts";
import type { Actor } from "../auth/actor.server.ts";
import { numbersInScope } from "../auth/scopes.server.ts";
import { likeContains } from "../users/list.server.ts";
import { formatNumber, searchDigits } from "./format.server.ts";
import { POOL_PAGE_SIZE, type PoolParams } from "./pool-params.ts";
import { reviewHoldsOn } from "./review-holds.server.ts";
import {
  boundedTotal,
  keysetPage,
  inKeyOrder,
  positionOf,
  walkInKeyOrder,
  readCursor,
  type KeyColumn,
  type Position,
} from "../paging.server.ts";

/** On hold, by the clock: its former user may still be restored. */
export const isOnHold = (heldUntil: Date | null, now: Date) => heldUntil !== null && heldUntil > now;

function filteredPool(db: Kysely<Database>, actor: Actor, p: PoolParams, now: Date) {
  let qb = db.selectFrom("phone_numbers as n").where(numbersInScope(actor)).where("n.state", "=", "reserved");
  if (p.q) {
    const digits = searchDigits(p.q);
    if (digits) {
      qb = qb.where("n.digits", "like", likeContains(digits));
    } else {
      for (const term of p.q.toLowerCase().split(/\s+/).filter(Boolean)) {
        qb = qb.where(sql<string>`lower(n.last_holder_name)`, "like", likeContains(term));
      }
    }
  }
  if (p.office) qb = qb.where("n.office_id", "=", p.office);
  if (p.kind) qb = qb.where("n.kind", "=", p.kind);
  if (p.state === "on_hold") qb = qb.where("n.held_until", ">", now);
  if (p.state === "reserved")
    qb = qb.where((eb) => eb.or([eb("n.held_until", "is", null), eb("n.held_until", "<=", now)]));
  return qb;
}

/** A number of the Reserved Pool, as its tab shows it (a seat pool's row is licenses/pools.server.ts's PoolRow). */
export interface PoolNumber {
  id: number;
  e164: string;
  formatted: string;
  kind: NumberKind;
  country: string;
  officeName: string;
  lastHolderName: string | null;
  unassignedAt: Date | null;
  /** Set while on hold: the number cannot be reassigned or deleted until then. */
  heldUntil: Date | null;
  /** While on hold, the deleted user who may still be restored and get it back (a row of Deleted Users). */
  heldFor: { id: number; name: string } | null;
  /** Set while held for a transfer under review (app/numbers/review-holds.server.ts). */
  reviewHold: { userName: string; officeName: string; until: Date } | null;
}

/** A hold on a pool number, as its page shows it (the pool is the company's own, so is the hold). */
const reviewHold = (hold: { userName: string; officeName: string; until: Date } | undefined) =>
  hold ? { userName: hold.userName, officeName: hold.officeName, until: hold.until } : null;

/**
 * The pool's order: by when a number came into the pool, its unassigned_at
 * (a number never assigned: its created_at, so that the key has no NULLs and
 * one row comparison pages it either way), ties by id; the indexes'
 * expression (migration 2026-12-03T0810).
 */
const POOL_KEYS: KeyColumn[] = [{ column: sql`coalesce(n.unassigned_at, n.created_at)`, type: "micros" }];
const POOL_CURSOR = { keys: POOL_KEYS, tiers: 1, tiered: false };

/** Up to `limit` numbers after `after` (or from the start), in the order asked or its reverse. */
async function walkPool(
  db: Kysely<Database>,
  actor: Actor,
  p: PoolParams,
  now: Date,
  after: Position | null,
  descending: boolean,
  limit: number,
) {
  const qb = filteredPool(db, actor, p, now)
    .innerJoin("offices as o", "o.id", "n.office_id")
    // Who a hold is for comes in the same statement (no query per row), and is of the number's company.
    .leftJoin("users as h", (join) =>
      join.onRef("h.id", "=", "n.held_for_user_id").onRef("h.company_id", "=", "n.company_id"),
    )
    .select([
      "n.id",
      "n.e164",
      "n.kind",
      "n.country",
      "n.last_holder_name",
      "n.unassigned_at",
      "n.held_until",
      "o.name as office_name",
      "h.id as held_for_id",
      "h.first_name as held_for_first_name",
      "h.last_name as held_for_last_name",
      positionOf(POOL_KEYS).as("position"),
    ]);
  return walkInKeyOrder(qb, POOL_KEYS, sql`n.id`, after, descending, limit);
}

export async function listPool(db: Kysely<Database>, actor: Actor, p: PoolParams, now: Date) {
  const descending = p.dir === "desc";
  const [page, total] = await Promise.all([
    keysetPage(readCursor(p.cursor, POOL_CURSOR), POOL_PAGE_SIZE, false, (after, reverse, limit) =>
      walkPool(db, actor, p, now, after, descending !== reverse, limit),
    ),
    // Counted along the page's own index (in its order), so that the bounded count reads 1,001 entries of
    // it rather than whatever the planner guesses is quicker (a scan of the table that stops when it has them).
    boundedTotal(db, inKeyOrder(filteredPool(db, actor, p, now).select("n.id"), POOL_KEYS, sql`n.id`, false)),
  ]);
  const rows = page.rows;
  const reviewHolds = await reviewHoldsOn(
    db,
    rows.map((r) => r.e164),
    now,
  );
  const numbers: PoolNumber[] = rows.map((r) => ({
    id: r.id,
    e164: r.e164,
    formatted: formatNumber(r.e164)!,
    kind: r.kind,
    country: r.country,
    officeName: r.office_name,
    lastHolderName: r.last_holder_name,
    unassignedAt: r.unassigned_at,
    heldUntil: isOnHold(r.held_until, now) ? r.held_until : null,
    // Anonymization ends a hold, so a held number's user still has a name.
    heldFor:
      isOnHold(r.held_until, now) && r.held_for_id != null
        ? { id: r.held_for_id, name: `${r.held_for_first_name} ${r.held_for_last_name}` }
        : null,
    reviewHold: reviewHold(reviewHolds.get(r.e164)),
  }));
  return { numbers, total, atStart: page.atStart, atEnd: page.atEnd, prev: page.prev, next: page.next };
}
