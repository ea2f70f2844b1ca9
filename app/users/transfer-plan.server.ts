/**
 * Transfer user(s), the plan: everything a transfer decides on (seats
 * counted down user by user, numbers moving, going to the pool or new,
 * groups and admin rights ending, refusals) and the key the review carries,
 * read for the whole set at once; under lock for the confirmation.
 */
import { reviewKey } from "../review-key.server.ts";
import { sql, type Transaction } from "kysely";
import type {
  AddonLicenseType,
  Database,
  LicenseType,
  NumberKind,
  UserLicenseType,
} from "../../db/schema.ts";
import type { Actor } from "../auth/actor.server.ts";
import { mayTransferUsers, reasonOf } from "../auth/policy.server.ts";
import { formatNumber } from "../numbers/format.server.ts";
import { REVIEW_HOLD_MINUTES, reviewHoldsOf, type ReviewHold } from "../numbers/review-holds.server.ts";
import { seatFor } from "../numbers/moves.server.ts";
import { LICENSE_NAMES } from "../ui/format.ts";
import { lockPoolsOf } from "../licenses/pools.server.ts";
import {
  anyOf,
  companyOffices,
  nameOf,
  officeChoices,
  readUsers,
  userRefusal,
  type Db,
  type UserRow,
} from "./transfer-offices.server.ts";

type TransferNumber = {
  id: number;
  e164: string;
  formatted: string;
  kind: NumberKind;
  addon: AddonLicenseType | null;
};

export interface TransferPreview {
  user: {
    id: number;
    name: string;
    email: string | null;
    status: UserRow["status"];
    licenseType: UserLicenseType;
    hasMeetingsSeat: boolean;
  };
  from: { id: number; name: string; country: string };
  to: { id: number; name: string; country: string };
  international: boolean;
  refusal: string | null;
  /** Unassigned seats of the user's license type in the new office (after those the users listed before take). */
  freeSeats: number;
  groupsEnding: { id: number; name: string }[];
  adminRightsEnding: boolean;
  /** Same country: the numbers that move with the user. */
  numbersMoving: TransferNumber[];
  /** Another country: the numbers that go to the old office's Reserved Pool. */
  numbersRemoved: TransferNumber[];
  /** Another country: the new local number, held for the user until `heldUntil`. */
  newNumber: null | {
    e164: string;
    formatted: string;
    source: "pool" | "provider";
    poolId: number | null;
    heldUntil: Date;
    addon: AddonLicenseType | null;
  };
  /** Another country, and nothing else stops the transfer: a new local number is needed. */
  needsNewNumber: boolean;
  key: string;
}

/** The numbers among these holds still in `officeId`'s Reserved Pool, in id order; locked under `lock`. */
async function heldPoolNumbers(db: Db, actor: Actor, officeId: number, holds: ReviewHold[], lock: boolean) {
  const inPool = holds.filter((h) => h.source === "pool").map((h) => h.e164);
  if (inPool.length === 0) return [];
  let query = db
    .selectFrom("phone_numbers")
    .select(["id", "e164"])
    .where("company_id", "=", actor.company.id)
    .where("office_id", "=", officeId)
    .where("state", "=", "reserved")
    .where("kind", "=", "local")
    .where("e164", "=", sql<string>`any(${sql.val(inPool)}::text[])`)
    .orderBy("id");
  if (lock) query = query.forUpdate();
  return query.execute();
}

/**
 * Everything the transfer of these users to `officeId` decides on, in a
 * constant number of queries whatever their count. Seats are counted down
 * user by user in list order, so the review never promises one seat twice.
 * A user moving to another country gets the new local number `held` for
 * them (under lock: if it is still free); with `held` "to hold" (Next,
 * before holding), each is assumed to get one, and `needsNewNumber` says
 * who needs one.
 */
export async function readPreviews(
  db: Db,
  actor: Actor,
  users: UserRow[],
  officeId: number,
  lock: boolean,
  held: Map<number, ReviewHold> | "to hold",
): Promise<TransferPreview[] | null> {
  const offices = await companyOffices(db, actor);
  const to = offices.find((o) => o.id === officeId);
  if (!to) return null;
  if (users.length === 0) return [];
  const ids = users.map((u) => u.id);

  let numbersQuery = db
    .selectFrom("phone_numbers")
    .select(["id", "e164", "kind", "addon_license_type", "is_primary", "assigned_user_id"])
    .where("company_id", "=", actor.company.id)
    .where("assigned_user_id", "=", anyOf(ids))
    .where("state", "=", "assigned")
    .orderBy("assigned_user_id")
    .orderBy("is_primary", "desc")
    .orderBy("e164");
  if (lock) numbersQuery = numbersQuery.forUpdate();
  const numbers = await numbersQuery.execute();
  const groups = await db
    .selectFrom("group_members as gm")
    .innerJoin("groups as g", "g.id", "gm.group_id")
    .innerJoin("users as u", "u.id", "gm.user_id")
    .select(["gm.user_id", "g.id", "g.name"])
    .where("gm.user_id", "=", anyOf(ids))
    .whereRef("g.office_id", "=", "u.office_id")
    .orderBy("g.name")
    .execute();
  const admins = await db
    .selectFrom("office_admins as oa")
    .innerJoin("users as u", (j) =>
      j.onRef("u.id", "=", "oa.user_id").onRef("u.office_id", "=", "oa.office_id"),
    )
    .select("oa.user_id")
    .where("oa.user_id", "=", anyOf(ids))
    .execute();
  const pools = await db
    .selectFrom("license_pools")
    .select(["license_type", "purchased", "assigned"])
    .where("office_id", "=", to.id)
    .execute();
  const free = new Map<LicenseType, number>(pools.map((p) => [p.license_type, p.purchased - p.assigned]));
  const unassigned = (type: LicenseType) => free.get(type) ?? 0;

  const numbersOf = (u: UserRow) =>
    numbers
      .filter((n) => n.assigned_user_id === u.id)
      .map((n) => ({
        id: n.id,
        e164: n.e164,
        formatted: formatNumber(n.e164) ?? n.e164,
        kind: n.kind,
        addon: n.addon_license_type,
        isPrimary: n.is_primary,
      }));
  const primaryOf = (u: UserRow) => numbersOf(u).find((n) => n.isPrimary && n.kind === "local");
  const baseRefusal = (u: UserRow) =>
    reasonOf(mayTransferUsers(actor)) ??
    userRefusal(u) ??
    (u.office_id === to.id ? `Already works in ${to.name}.` : officeChoices(u, [to])[0]!.disabledReason);

  // The held pool numbers that are still in the pool (locked under `lock`: the confirmation assigns them).
  const heldNumbers = held === "to hold" ? [] : [...held.values()];
  const freePool = new Map(
    (await heldPoolNumbers(db, actor, to.id, heldNumbers, lock)).map((n) => [n.e164, n.id]),
  );
  type NewNumber = NonNullable<TransferPreview["newNumber"]>;
  const heldNumber = (u: UserRow): Omit<NewNumber, "addon"> | null => {
    const h = held === "to hold" ? undefined : held.get(u.id);
    if (!h) return null;
    const poolId = freePool.get(h.e164) ?? null;
    // A held pool number no longer in the pool: its hold was overtaken (it ran out). A provider's
    // number is provisioned when applied; if it is gone by then, the transfer is refused as stale.
    if (h.source === "pool" && !poolId) return null;
    return {
      e164: h.e164,
      formatted: formatNumber(h.e164) ?? h.e164,
      source: h.source,
      poolId,
      heldUntil: h.expiresAt,
    };
  };

  return users.map((user) => {
    const own = numbersOf(user);
    const international = to.country !== user.office_country;
    const primary = primaryOf(user);
    const numbersMoving = international ? [] : own;
    const numbersRemoved = international ? own.filter((n) => n.kind === "local" || n.kind === "fax") : [];
    const groupsEnding = groups.filter((g) => g.user_id === user.id).map((g) => ({ id: g.id, name: g.name }));
    const adminRightsEnding = admins.some((a) => a.user_id === user.id);
    const freeSeats = unassigned(user.license_type);

    // The seats this user takes in the new office: license, Meetings, and the add-ons of their numbers
    // (a new number, as their primary, takes its seat: seatFor).
    const needed = new Map<LicenseType, number>([[user.license_type, 1]]);
    const add = (type: LicenseType) => needed.set(type, (needed.get(type) ?? 0) + 1);
    if (user.has_meetings_seat) add("meetings");
    for (const n of numbersMoving) if (n.addon) add(n.addon);
    const newNumberSeat = primary
      ? seatFor("local", { licenseType: user.license_type, primary: true })
      : null;
    if (international && newNumberSeat) add(newNumberSeat);

    let refusal = baseRefusal(user);
    if (!refusal) {
      for (const [type, count] of needed) {
        if (unassigned(type) >= count) continue;
        refusal =
          type === user.license_type
            ? `${to.name} has no unassigned ${LICENSE_NAMES[type]} license left for this user. Transfer one from another office first (Company Settings > Licenses).`
            : type === "meetings"
              ? `${to.name} has no unassigned ${LICENSE_NAMES.meetings} license left for this user. Transfer one from another office first.`
              : `${to.name} has no unassigned ${LICENSE_NAMES[type]} add-on left for this user's number. Transfer one from another office first.`;
        break;
      }
    }
    let newNumber: TransferPreview["newNumber"] = null;
    const needsNewNumber = !refusal && international && !!primary;
    if (needsNewNumber && held !== "to hold") {
      const n = heldNumber(user);
      if (n) newNumber = { ...n, addon: newNumberSeat };
      else {
        refusal = `No local number in ${to.country} is held for this user: none was free in ${to.name}'s Reserved Pool or from the number provider, or the ${REVIEW_HOLD_MINUTES}-minute hold ran out. Go Back and choose Next to look again.`;
      }
    }
    if (!refusal) for (const [type, count] of needed) free.set(type, unassigned(type) - count);

    const key = reviewKey([
      user.office_id,
      to.id,
      user.license_type,
      user.has_meetings_seat,
      groupsEnding.map((g) => g.id).join(","),
      adminRightsEnding,
      own.map((n) => `${n.id}:${n.addon ?? ""}`).join(","),
      newNumber ? `${newNumber.source}:${newNumber.e164}` : null,
      refusal,
    ]);
    return {
      user: {
        id: user.id,
        name: nameOf(user),
        email: user.email,
        status: user.status,
        licenseType: user.license_type,
        hasMeetingsSeat: user.has_meetings_seat,
      },
      from: { id: user.office_id, name: user.office_name, country: user.office_country },
      to: { id: to.id, name: to.name, country: to.country },
      international,
      refusal,
      freeSeats,
      groupsEnding,
      adminRightsEnding,
      numbersMoving: numbersMoving.map(({ isPrimary: _, ...n }) => n),
      numbersRemoved: numbersRemoved.map(({ isPrimary: _, ...n }) => n),
      newNumber,
      needsNewNumber,
      key,
    };
  });
}

/**
 * A confirmation's reads, locked in the order every writer of these rows
 * takes them: the users (id order), this sign-in's holds for them (so a Back
 * or Cancel in another tab waits for the transfer), the pool numbers they
 * hold (id order: Add User and Import take a number before the pools), every
 * license pool involved (see lockPoolsOf), then the users' own numbers. Null
 * previews when the office is not the company's.
 */
export async function lockedPreviews(
  tx: Transaction<Database>,
  actor: Actor,
  userIds: number[],
  officeId: number,
  now: Date,
) {
  const users = await readUsers(tx, actor, userIds, true);
  if (!(await companyOffices(tx, actor)).some((o) => o.id === officeId)) return { users, previews: null };
  const held = await reviewHoldsOf(
    tx,
    actor,
    users.map((u) => u.id),
    officeId,
    now,
    true,
  );
  await heldPoolNumbers(tx, actor, officeId, [...held.values()], true);
  await lockPoolsOf(tx, [officeId, ...users.map((u) => u.office_id)]);
  return { users, previews: await readPreviews(tx, actor, users, officeId, true, held) };
}

/**
 * The previews of these users' transfer to `officeId`, with the numbers
 * this sign-in's review holds for them; null when the office is not the
 * company's. Read without locks: a confirmation reads through lockedPreviews.
 */
export async function previewsOf(db: Db, actor: Actor, users: UserRow[], officeId: number, now: Date) {
  const held = await reviewHoldsOf(
    db,
    actor,
    users.map((u) => u.id),
    officeId,
    now,
  );
  return readPreviews(db, actor, users, officeId, false, held);
}
