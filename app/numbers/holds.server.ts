/**
 * Number holds. A transfer to another country gives the user a new local
 * number, and the review shows which one before the admin confirms: that
 * number is held for the user, so no other offer (Add User, Reassign,
 * another review) and no other claim can take it, until the admin confirms
 * (the transfer consumes the hold), leaves (Back, Cancel, signing out) or
 * HOLD_MINUTES pass. Holds change no user, so they write no audit entry.
 *
 * How a hold and a claim exclude each other, without either waiting on
 * the other: a hold inserts its row (one per number: the primary key),
 * then locks the number (the pool row, or the provider's through
 * `claimable`) skipping any that someone is claiming right now, and drops
 * the holds it could not lock. A claim locks the number first, then looks
 * for a live hold in a new statement (`holdOn`) and refuses if it finds
 * one. The two locks never overlap, so whichever locks second sees the
 * other's outcome.
 */
import { sql, type Kysely, type Transaction } from "kysely";
import type { Database } from "../../db/schema.ts";
import type { Actor } from "../auth/actor.server.ts";
import { formatDateTime } from "../ui/format.ts";
import { formatNumber } from "./format.server.ts";
import type { NumberProvider } from "./provider.server.ts";

type Db = Kysely<Database> | Transaction<Database>;

export const HOLD_MINUTES = 15;

/** Holding more than one batch of candidates is only needed when others take numbers at the same instant. */
const ATTEMPTS = 3;

/** The filter of every offer: no live hold on the number whose E.164 is in `e164Column`. */
export const notHeld = (e164Column: string, now: Date) =>
  sql<boolean>`not exists (select 1 from number_holds h where h.e164 = ${sql.ref(e164Column)} and h.expires_at > ${now})`;

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
    .where(notHeld("n.e164", now))
    .orderBy("n.unassigned_at", "desc")
    .orderBy("n.id", "desc");
}

export interface HeldNumber {
  e164: string;
  source: "pool" | "provider";
  expiresAt: Date;
}

/**
 * This sign-in's live holds for these users' transfer to `officeId`, by
 * user. Under `lock` (the confirmation) the hold rows are locked, so a
 * Back or Cancel in another tab waits for the transfer instead.
 */
export async function heldFor(db: Db, actor: Actor, userIds: number[], officeId: number, now: Date, lock = false) {
  if (userIds.length === 0) return new Map<number, HeldNumber>();
  let qb = db
    .selectFrom("number_holds")
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
 * provider. The caller drops their earlier holds first (dropHolds). Users
 * left without one (none free) get none; the review says so.
 */
export async function holdNewNumbers(
  tx: Transaction<Database>,
  actor: Actor,
  office: { id: number; country: string },
  userIds: number[],
  now: Date,
  provider: NumberProvider,
) {
  const expiresAt = new Date(now.getTime() + HOLD_MINUTES * 60_000);
  const tried = new Set<string>();
  let wanting = userIds;
  for (let attempt = 0; attempt < ATTEMPTS && wanting.length > 0; attempt++) {
    const pool = await offerablePoolNumbers(tx, actor.company.id, office.id, now)
      .select("n.e164")
      .$if(tried.size > 0, (qb) => qb.where("n.e164", "not in", [...tried]))
      .limit(wanting.length)
      .execute();
    const candidates: { e164: string; source: "pool" | "provider" }[] = pool.map((n) => ({ e164: n.e164, source: "pool" }));
    if (candidates.length < wanting.length) {
      const fresh = await provider.findAvailable(tx, { country: office.country, kind: "local" }, wanting.length - candidates.length + tried.size, now);
      for (const n of fresh) if (!tried.has(n.e164) && candidates.length < wanting.length) candidates.push({ e164: n.e164, source: "provider" });
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
      // Inserted in one order everywhere, so two holds of overlapping numbers queue instead of deadlocking.
      .sort((a, b) => (a.e164 < b.e164 ? -1 : 1));
    const inserted = await tx
      .insertInto("number_holds")
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
          .where("number_holds.expires_at", "<=", now),
      )
      .returning(["e164", "source"])
      .execute();

    // Locked to the end of this transaction; a number someone is claiming right now is skipped (see above).
    const held = new Set<string>();
    const poolHeld = inserted.filter((r) => r.source === "pool").map((r) => r.e164);
    if (poolHeld.length > 0) {
      const free = await tx
        .selectFrom("phone_numbers")
        .select("e164")
        .where("e164", "in", poolHeld)
        .where("company_id", "=", actor.company.id)
        .where("office_id", "=", office.id)
        .where("state", "=", "reserved")
        .orderBy("id")
        .forUpdate()
        .skipLocked()
        .execute();
      for (const r of free) held.add(r.e164);
    }
    for (const e164 of await provider.claimable(tx, inserted.filter((r) => r.source === "provider").map((r) => r.e164))) held.add(e164);
    const lost = inserted.filter((r) => !held.has(r.e164)).map((r) => r.e164);
    if (lost.length > 0) await tx.deleteFrom("number_holds").where("e164", "in", lost).execute();

    const kept = new Set(rows.filter((r) => held.has(r.e164)).map((r) => r.user_id));
    wanting = wanting.filter((id) => !kept.has(id));
  }
}

/** Leaving a review (Back, Cancel): this sign-in's holds for these users go back to being offered. */
export async function dropHolds(db: Db, actor: Actor, userIds: number[]) {
  if (userIds.length === 0) return;
  await db.deleteFrom("number_holds").where("session_id", "=", actor.sessionId).where("user_id", "in", userIds).execute();
}

/** A transfer done: every hold for these users is spent, whoever's review it was. */
export async function spendHolds(tx: Transaction<Database>, userIds: number[]) {
  if (userIds.length === 0) return;
  await tx.deleteFrom("number_holds").where("user_id", "in", userIds).execute();
}

/**
 * For a claim (Add User, Reassign, Delete from the pool), after it locked
 * the number: why it is held for someone's transfer, or null. A provider's
 * number may be held by another company: then it is only "taken".
 */
export async function holdOn(db: Db, actor: Actor, e164: string, now: Date): Promise<string | null> {
  const hold = await db
    .selectFrom("number_holds as h")
    .innerJoin("users as u", "u.id", "h.user_id")
    .innerJoin("offices as o", "o.id", "h.office_id")
    .select(["h.company_id", "h.expires_at", "u.first_name", "u.last_name", "o.name as office_name"])
    .where("h.e164", "=", e164)
    .where("h.expires_at", ">", now)
    .executeTakeFirst();
  if (!hold) return null;
  if (hold.company_id !== actor.company.id) return `${formatNumber(e164) ?? e164} was just taken by someone else.`;
  return `${formatNumber(e164) ?? e164} is held until ${formatDateTime(hold.expires_at)} for ${hold.first_name} ${hold.last_name}'s transfer to ${hold.office_name}, which an admin is reviewing. It is free again if they leave that review.`;
}

/** The holds on these numbers, for the Reserved Numbers page: whose transfer, until when. */
export async function holdsOn(db: Db, e164s: string[], now: Date) {
  if (e164s.length === 0) return new Map<string, { userName: string; officeName: string; until: Date }>();
  const rows = await db
    .selectFrom("number_holds as h")
    .innerJoin("users as u", "u.id", "h.user_id")
    .innerJoin("offices as o", "o.id", "h.office_id")
    .select(["h.e164", "h.expires_at", "u.first_name", "u.last_name", "o.name as office_name"])
    .where("h.e164", "in", e164s)
    .where("h.expires_at", ">", now)
    .execute();
  return new Map(rows.map((r) => [r.e164, { userName: `${r.first_name} ${r.last_name}`, officeName: r.office_name, until: r.expires_at }]));
}

/** The background job's sweep: holds that ran out are only rows by then. */
export async function sweepHolds(db: Db, now: Date) {
  const { numDeletedRows } = await db.deleteFrom("number_holds").where("expires_at", "<=", now).executeTakeFirst();
  return Number(numDeletedRows);
}
