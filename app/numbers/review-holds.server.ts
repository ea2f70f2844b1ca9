/**
 * Review holds (not to be confused with the 72-hour restore hold of a
 * deleted user's numbers, `held_until`: "hold" alone means that one). A
 * transfer to another country gives the user a new local number, and the
 * review shows which one before the admin confirms: that number is held
 * for the review, so no other offer (Add User, Reassign, another review)
 * and no other claim can take it, until the admin confirms (the transfer
 * spends the review hold), leaves (Back, Cancel, signing out) or
 * REVIEW_HOLD_MINUTES pass. Review holds change no user, so they write no
 * audit entry.
 *
 * How a review hold and a claim exclude each other: both lock the number first
 * (its pool row, or the provider's through `claimable`). A review hold skips the
 * numbers someone else has locked and inserts its row (one per number: the
 * primary key) while holding the lock; a claim waits for the lock, then
 * looks for a live hold in a new statement (`reviewHoldOn`) and refuses if it
 * finds one. The locks never overlap, so whichever comes second sees what
 * the first did: a claimed number is no longer free, a held one is held.
 */
import { sql, type Kysely, type Transaction } from "kysely";
import type { Database } from "../../db/schema.ts";
import type { Actor } from "../auth/actor.server.ts";
import { formatDateTime } from "../ui/format.ts";
import { formatNumber } from "./format.server.ts";
import type { NumberProvider } from "./provider.server.ts";

type Db = Kysely<Database> | Transaction<Database>;

export const REVIEW_HOLD_MINUTES = 15;

/** Another round of candidates is only needed when others take numbers at the same instant. */
const ATTEMPTS = 3;
/** Provider numbers asked for beyond those needed: reviews at the same instant lock the first ones. */
const PROVIDER_SLACK = 10;

/** The filter of every offer: no live hold on the number whose E.164 is in `e164Column`. */
export const notHeldForReview = (e164Column: string, now: Date) =>
  sql<boolean>`not exists (select 1 from review_holds h where h.e164 = ${sql.ref(e164Column)} and h.expires_at > ${now})`;

/**
 * An office's local numbers in the Reserved Pool that may be offered at
 * `now`, newest first: not on hold for a deleted user who may be restored,
 * not held for a transfer review.
 */
export function offerablePoolNumbers(db: Db, companyId: number, officeId: number, now: Date) {
  return db
    .selectFrom("phone_numbers as n")
    .where("n.company_id", "=", companyId)
    .where("n.office_id", "=", officeId)
    .where("n.state", "=", "reserved")
    .where("n.kind", "=", "local")
    .where((eb) => eb.or([eb("n.held_until", "is", null), eb("n.held_until", "<=", now)]))
    .where(notHeldForReview("n.e164", now))
    .orderBy("n.unassigned_at", "desc")
    .orderBy("n.id", "desc");
}

export interface ReviewHold {
  e164: string;
  source: "pool" | "provider";
  expiresAt: Date;
}

/**
 * This sign-in's live holds for these users' transfer to `officeId`, by
 * user. Under `lock` (the confirmation) the hold rows are locked, so a
 * Back or Cancel in another tab waits for the transfer instead.
 */
export async function reviewHoldsOf(
  db: Db,
  actor: Actor,
  userIds: number[],
  officeId: number,
  now: Date,
  lock = false,
) {
  if (userIds.length === 0) return new Map<number, ReviewHold>();
  let qb = db
    .selectFrom("review_holds")
    .select(["user_id", "e164", "source", "expires_at"])
    .where("session_id", "=", actor.sessionId)
    .where("company_id", "=", actor.company.id)
    .where("office_id", "=", officeId)
    .where("user_id", "in", userIds)
    .where("expires_at", ">", now)
    .orderBy("e164");
  if (lock) qb = qb.forUpdate();
  const rows = await qb.execute();
  return new Map(rows.map((r) => [r.user_id, { e164: r.e164, source: r.source, expiresAt: r.expires_at }]));
}

/**
 * Holds one new local number in `office` for each of `userIds`, in order:
 * the office's Reserved Pool first (newest first), then the number
 * provider. The caller drops their earlier holds first (dropReviewHolds). Users
 * left without one (none free) get none; the review says so.
 */
export async function holdNewNumbersForReview(
  tx: Transaction<Database>,
  actor: Actor,
  office: { id: number; country: string },
  userIds: number[],
  now: Date,
  provider: NumberProvider,
) {
  const expiresAt = new Date(now.getTime() + REVIEW_HOLD_MINUTES * 60_000);
  const tried = new Set<string>();
  let wanting = userIds;
  for (let attempt = 0; attempt < ATTEMPTS && wanting.length > 0; attempt++) {
    // Candidates are locked first, skipping those another review or a claim has locked right now, so
    // reviews at the same instant take different numbers instead of queueing for the same ones.
    const pool = await offerablePoolNumbers(tx, actor.company.id, office.id, now)
      .select("n.e164")
      .$if(tried.size > 0, (qb) => qb.where("n.e164", "not in", [...tried]))
      .limit(wanting.length)
      .forUpdate()
      .skipLocked()
      .execute();
    const candidates: { e164: string; source: "pool" | "provider" }[] = pool.map((n) => ({
      e164: n.e164,
      source: "pool",
    }));
    if (candidates.length < wanting.length) {
      const short = wanting.length - candidates.length;
      const offered = await provider.findAvailable(
        tx,
        { country: office.country, kind: "local" },
        short + tried.size + PROVIDER_SLACK,
        now,
      );
      const locked = await provider.claimable(
        tx,
        offered.map((n) => n.e164).filter((e164) => !tried.has(e164)),
        short,
      );
      for (const e164 of locked) candidates.push({ e164, source: "provider" });
    }
    if (candidates.length === 0) break;
    for (const c of candidates) tried.add(c.e164);

    const rows = candidates
      .map((c, i) => ({
        e164: c.e164,
        company_id: actor.company.id,
        user_id: wanting[i]!,
        office_id: office.id,
        session_id: actor.sessionId,
        source: c.source,
        expires_at: expiresAt,
        created_at: now,
      }))
      .sort((a, b) => (a.e164 < b.e164 ? -1 : 1));
    // A live hold on one of them (committed after this transaction read the offers) keeps it.
    const inserted = await tx
      .insertInto("review_holds")
      .values(rows)
      .onConflict((oc) =>
        oc
          .column("e164")
          .doUpdateSet((eb) => ({
            company_id: eb.ref("excluded.company_id"),
            user_id: eb.ref("excluded.user_id"),
            office_id: eb.ref("excluded.office_id"),
            session_id: eb.ref("excluded.session_id"),
            source: eb.ref("excluded.source"),
            expires_at: eb.ref("excluded.expires_at"),
            created_at: eb.ref("excluded.created_at"),
          }))
          // Only a hold that ran out is taken over.
          .where("review_holds.expires_at", "<=", now),
      )
      .returning("e164")
      .execute();
    const held = new Set(inserted.map((r) => r.e164));
    const kept = new Set(rows.filter((r) => held.has(r.e164)).map((r) => r.user_id));
    wanting = wanting.filter((id) => !kept.has(id));
  }
}

/** Leaving a review (Back, Cancel): this sign-in's holds for these users go back to being offered. */
export async function dropReviewHolds(db: Db, actor: Actor, userIds: number[]) {
  if (userIds.length === 0) return;
  await db
    .deleteFrom("review_holds")
    .where("session_id", "=", actor.sessionId)
    .where("user_id", "in", userIds)
    .execute();
}

/** A transfer done: every hold for these users is spent, whoever's review it was. */
export async function spendReviewHolds(tx: Transaction<Database>, userIds: number[]) {
  if (userIds.length === 0) return;
  await tx.deleteFrom("review_holds").where("user_id", "in", userIds).execute();
}

/**
 * For a claim (Add User, Reassign, Delete from the pool), after it locked
 * the number: why it is held for someone's transfer, or null. A provider's
 * number may be held by another company: then it is only "taken".
 */
export async function reviewHoldOn(db: Db, actor: Actor, e164: string, now: Date): Promise<string | null> {
  const hold = (await reviewHoldsOn(db, [e164], now)).get(e164);
  if (!hold) return null;
  const number = formatNumber(e164) ?? e164;
  if (hold.companyId !== actor.company.id) return `${number} was just taken by someone else.`;
  return `${number} is held until ${formatDateTime(hold.until)} for ${hold.userName}'s transfer to ${hold.officeName}, which an admin is reviewing. It is free again if they leave that review.`;
}

/** The live holds on these numbers: the company whose review holds each, whose transfer, until when. */
export async function reviewHoldsOn(db: Db, e164s: string[], now: Date) {
  if (e164s.length === 0)
    return new Map<string, { companyId: number; userName: string; officeName: string; until: Date }>();
  const rows = await db
    .selectFrom("review_holds as h")
    .innerJoin("users as u", "u.id", "h.user_id")
    .innerJoin("offices as o", "o.id", "h.office_id")
    .select([
      "h.e164",
      "h.company_id",
      "h.expires_at",
      "u.first_name",
      "u.last_name",
      "o.name as office_name",
    ])
    .where("h.e164", "in", e164s)
    .where("h.expires_at", ">", now)
    .execute();
  return new Map(
    rows.map((r) => [
      r.e164,
      {
        companyId: r.company_id,
        userName: `${r.first_name} ${r.last_name}`,
        officeName: r.office_name,
        until: r.expires_at,
      },
    ]),
  );
}

/** The background job's sweep: holds that ran out are only rows by then. */
export async function sweepReviewHolds(db: Db, now: Date) {
  const { numDeletedRows } = await db
    .deleteFrom("review_holds")
    .where("expires_at", "<=", now)
    .executeTakeFirst();
  return Number(numDeletedRows);
}
