/**
 * The Deleted Users tab, restore and permanent deletion. The 72-hour limit
 * holds by the clock at every read and every restore, whether or not the
 * anonymization job has run yet.
 */
import { sql, type Kysely, type Transaction } from "kysely";
import type { Database } from "../../db/schema.ts";
import type { Actor } from "../auth/actor.server.ts";
import { provisioningActorName } from "../provisioning/tokens.server.ts";
import { PERSON_COLUMNS, usersInScope } from "../auth/scopes.server.ts";
import { recordAudit } from "../audit/record.server.ts";
import { anonymizeUsers, RESTORE_WINDOW_MS, vacuumOwed } from "./anonymize.server.ts";
import { missingSeats } from "../licenses/pools.server.ts";
import { returningStatus } from "./suspend.server.ts";
import { fromPool, heldForRestore, lockHolders } from "../numbers/moves.server.ts";
import { refused, type Result } from "../refusal.server.ts";
import {
  boundedTotal,
  keysetPage,
  nextCursor,
  inKeyOrder,
  positionOf,
  walkInKeyOrder,
  readCursor,
  type KeyColumn,
  type Position,
} from "../paging.server.ts";

export const DELETED_PAGE_SIZE = 50;

const restorable = (now: Date) => new Date(now.getTime() - RESTORE_WINDOW_MS);

/**
 * Why this admin may neither restore nor permanently delete this deleted
 * user, or null if they may: THE rule for both (and for the Deleted Users
 * tab and the two confirmation pages, which show its reason instead of the
 * buttons), so that the two cannot drift. Scope (the company, an Office
 * Admin's offices) is usersInScope's. A Company Admin's 72 hours are for
 * Company Admins to use or to end, as deleting one is (delete.server.ts):
 * an Office Admin who may not restore a Company Admin may not destroy the
 * chance either.
 */
export function deletedUserRefusal(
  actor: Pick<Actor, "person">,
  user: { isCompanyAdmin: boolean },
): string | null {
  if (user.isCompanyAdmin && !actor.person.isCompanyAdmin)
    return "Only a Company Admin can restore or permanently delete a Company Admin.";
  return null;
}

/** Restore and permanent deletion answer alike; refused by deletedUserRefusal, the refusal is `forbidden`. */
export type DeletedUserResult = Result<{ name: string }>;

/** The deleted users an admin can still restore: their scope, within the 72 hours. */
const restorableInScope = (db: Kysely<Database>, actor: Actor, now: Date) =>
  db
    .selectFrom("users as u")
    .where(usersInScope(actor))
    .where("u.status", "=", "deleted")
    .where("u.anonymized_at", "is", null)
    .where("u.deleted_at", ">", restorable(now));

/** What the Deleted Users tab, and the restore and purge pages, show of a deleted user. */
const DELETED_COLUMNS = [
  ...PERSON_COLUMNS,
  "u.license_type",
  "u.deleted_at",
  "u.is_company_admin",
  "o.name as office_name",
] as const;

/** The tab's order, most recent first: deleted_at, ties by id, both descending (users_deleted_idx backwards). */
const DELETED_KEYS: KeyColumn[] = [{ column: sql`u.deleted_at`, type: "micros" }];
const DELETED_CURSOR = { keys: DELETED_KEYS, tiers: 1, tiered: false };

/** Up to `limit` deleted users after `after` (or from the start), most recent first or (`reverse`) oldest first. */
async function walkDeleted(
  db: Kysely<Database>,
  actor: Actor,
  now: Date,
  after: Position | null,
  reverse: boolean,
  limit: number,
) {
  const descending = !reverse;
  const qb = restorableInScope(db, actor, now)
    .innerJoin("offices as o", "o.id", "u.office_id")
    .leftJoin("users as d", "d.id", "u.deleted_by_user_id")
    .leftJoin("provisioning_tokens as dt", "dt.id", "u.deleted_by_token_id")
    .select([
      ...DELETED_COLUMNS,
      "d.first_name as deleted_by_first",
      "d.last_name as deleted_by_last",
      "dt.name as deleted_by_token",
      positionOf(DELETED_KEYS).as("position"),
    ]);
  return walkInKeyOrder(qb, DELETED_KEYS, sql`u.id`, after, descending, limit);
}

/** A keyset page of the tab (`cursor` as input.ts's cursorField reads it), and its total counted up to a bound. */
export async function listDeleted(db: Kysely<Database>, actor: Actor, now: Date, cursor?: string) {
  const [page, total] = await Promise.all([
    keysetPage(readCursor(cursor, DELETED_CURSOR), DELETED_PAGE_SIZE, false, (after, reverse, limit) =>
      walkDeleted(db, actor, now, after, reverse, limit),
    ),
    // Counted along the page's index, in its order (as the pool's count is: pool.server.ts).
    boundedTotal(
      db,
      inKeyOrder(restorableInScope(db, actor, now).select("u.id"), DELETED_KEYS, sql`u.id`, false),
    ),
  ]);
  return {
    total,
    atStart: page.atStart,
    atEnd: page.atEnd,
    prev: page.prev,
    next: page.next,
    users: page.rows.map((r) => ({
      id: r.id,
      name: `${r.first_name} ${r.last_name}`,
      email: r.email!,
      officeName: r.office_name,
      licenseType: r.license_type,
      deletedAt: r.deleted_at!,
      deletedBy:
        r.deleted_by_token != null
          ? provisioningActorName(r.deleted_by_token)
          : r.deleted_by_first
            ? `${r.deleted_by_first} ${r.deleted_by_last}`
            : "Deleted user",
      msLeft: r.deleted_at!.getTime() + RESTORE_WINDOW_MS - now.getTime(),
      refusal: deletedUserRefusal(actor, { isCompanyAdmin: r.is_company_admin }),
    })),
  };
}

/**
 * The cursor of the page of Deleted Users that starts with this user, so
 * that a link from their held number lands on their row; null if they are not
 * listed (restored, anonymized, or not this admin's). Most recent first, the
 * rows from theirs on are those before (their deleted_at, their id + 1).
 */
export async function deletedCursorOf(db: Kysely<Database>, actor: Actor, now: Date, userId: number) {
  const user = await restorableInScope(db, actor, now)
    .where("u.id", "=", userId)
    .select(positionOf(DELETED_KEYS).as("position"))
    .executeTakeFirst();
  return user ? nextCursor({ tier: 0, keys: user.position, id: userId + 1 }) : null;
}

/** One deleted user still within reach, for the restore and purge pages; null if not (any more). */
export async function findDeleted(db: Kysely<Database>, actor: Actor, userId: number, now: Date) {
  const u = await restorableInScope(db, actor, now)
    .innerJoin("offices as o", "o.id", "u.office_id")
    .where("u.id", "=", userId)
    .select(DELETED_COLUMNS)
    .executeTakeFirst();
  return (
    u && {
      id: u.id,
      name: `${u.first_name} ${u.last_name}`,
      email: u.email!,
      officeName: u.office_name,
      licenseType: u.license_type,
      refusal: deletedUserRefusal(actor, { isCompanyAdmin: u.is_company_admin }),
    }
  );
}

/**
 * Inside the changing transaction: the deleted user, row-locked (which
 * orders a restore or a permanent deletion against a concurrent purge, which
 * skips locked rows), if this admin may restore or permanently delete them
 * now; else why not. Both ask this, and nothing else, before changing anything.
 */
async function lockDeleted(tx: Transaction<Database>, actor: Actor, userId: number, now: Date) {
  const u = await tx
    .selectFrom("users as u")
    .where(usersInScope(actor))
    .where("u.id", "=", userId)
    .select([
      "u.id",
      "u.first_name",
      "u.last_name",
      "u.status",
      "u.anonymized_at",
      "u.deleted_at",
      "u.office_id",
      "u.license_type",
      "u.is_company_admin",
      "u.has_meetings_seat",
      "u.first_signed_in_at",
    ])
    .forNoKeyUpdate()
    .executeTakeFirst();
  const refuse = (message: string, kind?: "forbidden") => ({ user: null, refusal: refused(message, kind) });
  if (!u || u.status !== "deleted") return refuse("This user is not among your Deleted Users.");
  if (u.anonymized_at || u.deleted_at! <= restorable(now))
    return refuse("This user can no longer be restored: the 72 hours have passed.");
  const forbidden = deletedUserRefusal(actor, { isCompanyAdmin: u.is_company_admin });
  if (forbidden) return refuse(forbidden, "forbidden");
  return { user: { ...u, name: `${u.first_name} ${u.last_name}` }, refusal: null };
}

/**
 * Gives the user back their account, license seat, held numbers and
 * memberships. Needs a free seat of their license type in their office, and
 * the add-ons their numbers held; refuses clearly otherwise.
 */
export async function restoreUser(
  db: Kysely<Database>,
  actor: Actor,
  userId: number,
  now: Date,
): Promise<DeletedUserResult> {
  return db.transaction().execute(async (tx) => {
    const { user: u, refusal } = await lockDeleted(tx, actor, userId, now);
    if (!u) return refusal;
    const name = u.name;

    // The numbers held for them, and the seat each will take again (seatFor).
    await lockHolders(tx, [u.id]);
    const held = await heldForRestore(tx, { id: u.id, licenseType: u.license_type }, now);

    const missing = await missingSeats(
      tx,
      u.office_id,
      { licenseType: u.license_type, hasMeetingsSeat: u.has_meetings_seat },
      held.flatMap((n) => (n.addon ? [n.addon] : [])),
    );
    if (missing) return refused(`${name} cannot be restored: ${missing}`);

    const status = returningStatus(u);
    await tx
      .updateTable("users")
      // A suspended user deleted comes back unsuspended: active, or pending if they never signed in.
      .set({ status, deleted_at: null, deleted_by_user_id: null, deleted_by_token_id: null })
      .where("id", "=", u.id)
      .execute();
    await fromPool(tx, held);
    await recordAudit(
      tx,
      actor,
      {
        action: "user.restored",
        targetType: "user",
        targetId: u.id,
        targetLabel: name,
        officeId: u.office_id,
        before: { status: "deleted" },
        after: { status, numbers: held.map((n) => n.e164) },
      },
      now,
    );
    return { ok: true, name };
  });
}

/** Ends the 72-hour wait early: the user is anonymized now. Allowed exactly when a restore would be (lockDeleted). */
export async function permanentlyDelete(
  db: Kysely<Database>,
  actor: Actor,
  userId: number,
  now: Date,
): Promise<DeletedUserResult> {
  const result = await db.transaction().execute(async (tx): Promise<DeletedUserResult> => {
    const { user: u, refusal } = await lockDeleted(tx, actor, userId, now);
    if (!u) return refusal;
    await anonymizeUsers(tx, [u.id], now, "permanently_deleted", actor);
    return { ok: true, name: u.name };
  });
  if (result.ok) await vacuumOwed(db);
  return result;
}
