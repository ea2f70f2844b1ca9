/**
 * Transfer user, as docs/domain.md says ("Transfers of licenses and users"):
 * the user keeps license (the seat moves with them to the new office's
 * pool), numbers and settings; only the office changes. Memberships of the old office's groups and admin rights over the
 * old office end. To an office in another country, the local and fax
 * numbers go to the old office's Reserved Pool (with the last-holder
 * snapshot) and a new local number in the new country is assigned, from the
 * new office's Reserved Pool if one is free, else from the number provider.
 *
 * Transfer users (the bulk action) is the same for a set: the review lists
 * each user's changes or why they are skipped, and the confirm moves them
 * all in one transaction. Everything is read and written for the whole set
 * at once, so one user is a set of one, and a bulk transfer runs a constant
 * number of statements whatever its size (provider numbers aside, see
 * applyTransfers).
 *
 * Next (a POST) holds the new local numbers the review will show
 * (app/numbers/holds.server.ts): held for the user until the admin confirms
 * or leaves. The review shows a preview; the confirmation carries its key
 * (per user), and the transfer re-reads everything under lock, the held
 * numbers too, and refuses if anything differs, so nothing happens that the
 * admin did not see.
 */
import { createHash } from "node:crypto";
import { sql, type Kysely, type Transaction } from "kysely";
import type {
  AddonLicenseType,
  Database,
  LicenseType,
  NumberKind,
  UserLicenseType,
} from "../../db/schema.ts";
import { userTransferRefusal, usersInScope, type Actor } from "../auth/actor.server.ts";
import { recordAudit } from "../audit/record.server.ts";
import { formatNumber } from "../numbers/format.server.ts";
import { localNumberProvider, type NumberProvider } from "../numbers/provider.server.ts";
import {
  dropHolds,
  heldFor,
  HOLD_MINUTES,
  holdNewNumbers,
  spendHolds,
  type HeldNumber,
} from "../numbers/holds.server.ts";
import { sendToPool } from "../numbers/remove.server.ts";
import { formatDateTime, LICENSE_NAMES } from "../ui/format.ts";
import { Refusal, refusing, type Outcome, type Result } from "../refusal.server.ts";
import { lockPoolsOf } from "../licenses/pools.server.ts";
import type { TransferConfirmInput } from "./transfer-schema.ts";
import { seenEntry, type BulkTransferInput } from "./bulk-params.ts";
import { recordBulkResult, type BulkOutcome } from "./bulk-targets.server.ts";

type Db = Kysely<Database> | Transaction<Database>;

export interface TransferOffice {
  id: number;
  name: string;
  country: string;
  priceLevel: string;
  /** Why it cannot be chosen, or null. */
  disabledReason: string | null;
}

const anyOf = (ids: number[]) => sql<number>`any(${sql.val(ids)}::int[])`;

/**
 * The users, in list order. Under `lock` their rows are locked first, in id
 * order like every bulk action's (bulk-targets.server.ts), so two changes of
 * overlapping sets queue instead of deadlocking. The lock takes no join: after waiting, PostgreSQL rechecks a
 * locked row against the joined rows it read before the wait, so a user
 * just moved by the other transfer would drop out instead of showing as changed.
 */
async function readUsers(db: Db, actor: Actor, userIds: number[], lock: boolean) {
  if (userIds.length === 0) return [];
  if (lock) {
    await db
      .selectFrom("users as u")
      .select("u.id")
      .where(usersInScope(actor))
      .where("u.id", "=", anyOf(userIds))
      .orderBy("u.id")
      .forUpdate()
      .execute();
  }
  return db
    .selectFrom("users as u")
    .innerJoin("offices as o", "o.id", "u.office_id")
    .select([
      "u.id",
      "u.first_name",
      "u.last_name",
      "u.email",
      "u.status",
      "u.license_type",
      "u.has_meetings_seat",
      "u.office_id",
      "o.name as office_name",
      "o.country as office_country",
      "o.price_level as office_price_level",
    ])
    .where(usersInScope(actor))
    .where("u.id", "=", anyOf(userIds))
    .orderBy("u.sort_name")
    .orderBy("u.id")
    .execute();
}
type UserRow = Awaited<ReturnType<typeof readUsers>>[number];

const nameOf = (u: UserRow) => `${u.first_name} ${u.last_name}`;

async function companyOffices(db: Db, actor: Actor) {
  return db
    .selectFrom("offices")
    .select(["id", "name", "country", "price_level"])
    .where("company_id", "=", actor.company.id)
    .orderBy("name")
    .execute();
}
type OfficeRow = Awaited<ReturnType<typeof companyOffices>>[number];

function officeChoices(user: UserRow, offices: OfficeRow[]): TransferOffice[] {
  return offices.map((o) => ({
    id: o.id,
    name: o.name,
    country: o.country,
    priceLevel: o.price_level,
    disabledReason:
      o.id === user.office_id
        ? `${nameOf(user)}'s office now.`
        : o.price_level !== user.office_price_level
          ? `At another price level (${o.price_level}; ${user.office_name} is ${user.office_price_level}): licenses do not move between price levels.`
          : null,
  }));
}

/**
 * For several users: an office can be chosen if it is at the price level
 * of some of their offices and not everyone's office already; the review
 * then says, user by user, who is skipped and why.
 */
function officeChoicesForAll(users: UserRow[], offices: OfficeRow[]): TransferOffice[] {
  if (users.length === 1) return officeChoices(users[0]!, offices);
  const levels = [...new Set(users.map((u) => u.office_price_level))].sort();
  return offices.map((o) => ({
    id: o.id,
    name: o.name,
    country: o.country,
    priceLevel: o.price_level,
    disabledReason: users.every((u) => u.office_id === o.id)
      ? `Every selected user works in ${o.name} now.`
      : !levels.includes(o.price_level)
        ? `At another price level (${o.price_level}; the selected users' offices are ${levels.join(", ")}): licenses do not move between price levels.`
        : null,
  }));
}

/*
 * The reasons below name no one: a bulk transfer keeps them in the audit
 * log as outcomes, which anonymization does not rewrite, and the page
 * showing them names the user beside them.
 */

/** Why this user cannot be transferred at all, or null. */
function userRefusal(user: UserRow): string | null {
  if (user.status === "deleted") return "Deleted: a deleted user cannot be transferred.";
  if (user.status === "pending")
    return "Has not accepted the invite yet: only active users can be transferred.";
  return null;
}

/** The user and the offices they could move to; null if the user is not in scope. */
export async function transferChoices(db: Kysely<Database>, actor: Actor, userId: number) {
  const [user] = await readUsers(db, actor, [userId], false);
  if (!user) return null;
  return {
    user: { id: user.id, name: nameOf(user), officeName: user.office_name },
    refusal: userTransferRefusal(actor) ?? userRefusal(user),
    offices: officeChoices(user, await companyOffices(db, actor)),
  };
}

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

/**
 * Everything the transfer of these users to `officeId` decides on, in a
 * constant number of queries whatever their count. Seats are counted down
 * user by user in list order, so the review never promises one seat twice.
 * A user moving to another country gets the new local number `held` for
 * them (under lock: if it is still free); with `held` "to hold" (Next,
 * before holding), each is assumed to get one, and `needsNewNumber` says
 * who needs one.
 */
async function readPreviews(
  db: Db,
  actor: Actor,
  users: UserRow[],
  officeId: number,
  lock: boolean,
  held: Map<number, HeldNumber> | "to hold",
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
    userTransferRefusal(actor) ??
    userRefusal(u) ??
    (u.office_id === to.id ? `Already works in ${to.name}.` : officeChoices(u, [to])[0]!.disabledReason);

  // The held pool numbers that are still in the pool (locked under `lock`: the confirmation assigns them).
  const heldNumbers = held === "to hold" ? [] : [...held.values()];
  const freePool = new Map<string, number>();
  const heldInPool = heldNumbers.filter((h) => h.source === "pool").map((h) => h.e164);
  if (heldInPool.length > 0) {
    let poolQuery = db
      .selectFrom("phone_numbers")
      .select(["id", "e164"])
      .where("company_id", "=", actor.company.id)
      .where("office_id", "=", to.id)
      .where("state", "=", "reserved")
      .where("kind", "=", "local")
      .where("e164", "=", sql<string>`any(${sql.val(heldInPool)}::text[])`)
      .orderBy("id");
    if (lock) poolQuery = poolQuery.forUpdate();
    for (const n of await poolQuery.execute()) freePool.set(n.e164, n.id);
  }
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
    // (a new number holds the add-on the old primary did: Sell and Support need one; Connect includes it).
    const needed = new Map<LicenseType, number>([[user.license_type, 1]]);
    const add = (type: LicenseType) => needed.set(type, (needed.get(type) ?? 0) + 1);
    if (user.has_meetings_seat) add("meetings");
    for (const n of numbersMoving) if (n.addon) add(n.addon);
    if (international && primary?.addon) add(primary.addon);

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
      if (n) newNumber = { ...n, addon: primary!.addon };
      else {
        refusal = `No local number in ${to.country} is held for this user: none was free in ${to.name}'s Reserved Pool or from the number provider, or the ${HOLD_MINUTES}-minute hold ran out. Go Back and choose Next to look again.`;
      }
    }
    if (!refusal) for (const [type, count] of needed) free.set(type, unassigned(type) - count);

    const key = [
      user.office_id,
      to.id,
      user.license_type,
      user.has_meetings_seat ? "m" : "-",
      groupsEnding.map((g) => g.id).join(","),
      adminRightsEnding ? "admin" : "-",
      own.map((n) => `${n.id}:${n.addon ?? ""}`).join(","),
      newNumber ? `${newNumber.source}:${newNumber.e164}` : "-",
      refusal ?? "ok",
    ].join("|");
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

const stale = (names: string[]) =>
  `Something changed for ${names.join(", ")} since this review was shown (office, license seats, groups, admin rights or numbers), so nothing was changed. Check the review again below.`;

/**
 * Confirm transfer, for users whose reviews all still hold: set-based
 * statements for any number of users. Only a number from the provider is
 * one user at a time: provisioning goes through the provider interface
 * (a carrier call in production), one number per request, and each can
 * fail on its own when someone else took it since the review.
 */
async function applyTransfers(
  tx: Transaction<Database>,
  actor: Actor,
  moves: TransferPreview[],
  now: Date,
  provider: NumberProvider,
) {
  if (moves.length === 0) return;
  const to = moves[0]!.to;
  const pairs = (rows: [number, number][]) =>
    sql`(select * from unnest(${sql.val(rows.map((r) => r[0]))}::int[], ${sql.val(rows.map((r) => r[1]))}::int[]))`;
  // Free the numbers first: a new one becomes the primary, and add-ons leave the old pool.
  await sendToPool(
    tx,
    moves.flatMap((p) => p.numbersRemoved.map((n) => n.id)),
    now,
  );
  const groupsEnding = moves.flatMap((p) => p.groupsEnding.map((g): [number, number] => [p.user.id, g.id]));
  if (groupsEnding.length > 0) {
    await sql`delete from group_members where (user_id, group_id) in ${pairs(groupsEnding)}`.execute(tx);
  }
  const adminRightsEnding = moves
    .filter((p) => p.adminRightsEnding)
    .map((p): [number, number] => [p.user.id, p.from.id]);
  if (adminRightsEnding.length > 0) {
    await sql`delete from office_admins where (user_id, office_id) in ${pairs(adminRightsEnding)}`.execute(
      tx,
    );
  }
  // The trigger moves the license (and Meetings) seats, refusing (license_pools_no_overspend) if none is free.
  await tx
    .updateTable("users")
    .set({ office_id: to.id })
    .where("id", "=", anyOf(moves.map((p) => p.user.id)))
    .execute();
  const moving = moves.flatMap((p) => p.numbersMoving.map((n) => n.id));
  if (moving.length > 0) {
    // Numbers belong to an office; the trigger moves the add-on seats they hold.
    await tx.updateTable("phone_numbers").set({ office_id: to.id }).where("id", "=", anyOf(moving)).execute();
  }
  const fromPool = moves.filter((p) => p.newNumber?.source === "pool");
  if (fromPool.length > 0) {
    await sql`
      update phone_numbers n
         set state = 'assigned', assigned_user_id = x.user_id, is_primary = true, addon_license_type = x.addon,
             last_holder_user_id = null, last_holder_name = null, last_office_id = null, unassigned_at = null,
             held_for_user_id = null, held_until = null
        from unnest(${sql.val(fromPool.map((p) => p.newNumber!.poolId!))}::int[],
                    ${sql.val(fromPool.map((p) => p.user.id))}::int[],
                    ${sql.val(fromPool.map((p) => p.newNumber!.addon))}::text[]) as x(id, user_id, addon)
       where n.id = x.id`.execute(tx);
  }
  const fromProvider = moves.filter((p) => p.newNumber?.source === "provider");
  for (const p of fromProvider) {
    const provisioned = await provider.provision(tx, actor.company.id, { e164: p.newNumber!.e164 }, now);
    if (!provisioned || provisioned.country !== to.country || provisioned.kind !== "local")
      throw new Refusal(stale([p.user.name]));
  }
  if (fromProvider.length > 0) {
    await tx
      .insertInto("phone_numbers")
      .values(
        fromProvider.map((p) => ({
          company_id: actor.company.id,
          office_id: to.id,
          e164: p.newNumber!.e164,
          country: to.country,
          kind: "local" as const,
          state: "assigned" as const,
          assigned_user_id: p.user.id,
          is_primary: true,
          addon_license_type: p.newNumber!.addon,
          created_at: now,
        })),
      )
      .execute();
  }
  await spendHolds(
    tx,
    moves.map((p) => p.user.id),
  );
  await recordAudit(
    tx,
    actor,
    moves.map((p) => ({
      action: "user.transferred",
      targetType: "user" as const,
      targetId: p.user.id,
      targetLabel: p.user.name,
      officeId: to.id,
      before: {
        office: p.from.name,
        numbers: [...p.numbersMoving, ...p.numbersRemoved].map((n) => n.e164),
        groups: p.groupsEnding.map((g) => g.name),
        office_admin: p.adminRightsEnding,
      },
      after: {
        office: to.name,
        numbers: p.international
          ? p.newNumber
            ? [p.newNumber.e164]
            : []
          : p.numbersMoving.map((n) => n.e164),
        groups: [],
        office_admin: false,
      },
    })),
    now,
  );
}

/** What the transfer will change for this user, line by line, for the bulk review. */
export function transferChanges(p: TransferPreview): string[] {
  const lines = [`${p.from.name} → ${p.to.name}.`];
  lines.push(
    `The ${LICENSE_NAMES[p.user.licenseType]}${p.user.hasMeetingsSeat ? ` and ${LICENSE_NAMES.meetings}` : ""} license seat${p.user.hasMeetingsSeat ? "s move" : " moves"} to ${p.to.name}.`,
  );
  if (p.groupsEnding.length)
    lines.push(`Leaves ${p.groupsEnding.map((g) => g.name).join(", ")} (groups of ${p.from.name}).`);
  if (p.adminRightsEnding) lines.push(`Office Admin rights over ${p.from.name} end.`);
  if (p.numbersMoving.length) lines.push(`Keeps ${p.numbersMoving.map((n) => n.formatted).join(", ")}.`);
  if (p.numbersRemoved.length) {
    lines.push(
      `${p.numbersRemoved.map((n) => n.formatted).join(", ")} ${p.numbersRemoved.length === 1 ? "goes" : "go"} to ${p.from.name}'s Reserved Pool.`,
    );
  }
  if (p.newNumber) {
    lines.push(
      `New local number: ${p.newNumber.formatted} (${p.newNumber.source === "pool" ? `from ${p.to.name}'s Reserved Pool` : "from the number provider"}), held for this user until ${formatDateTime(p.newNumber.heldUntil)}.`,
    );
  }
  return lines;
}

/** What the transfer did, in a sentence or few; `named` for a page of its own, not for a bulk outcome (see above). */
function doneMessage(p: TransferPreview, named: boolean): string {
  const parts = [named ? `${p.user.name} now works in ${p.to.name}.` : `Now works in ${p.to.name}.`];
  if (p.groupsEnding.length) parts.push(`Removed from ${p.groupsEnding.map((g) => g.name).join(", ")}.`);
  if (p.adminRightsEnding) parts.push(`No longer an Office Admin of ${p.from.name}.`);
  if (p.numbersRemoved.length) {
    parts.push(
      `${p.numbersRemoved.map((n) => n.formatted).join(", ")} went to the ${p.from.name} Reserved Pool.`,
    );
  }
  if (p.newNumber) parts.push(`New number: ${p.newNumber.formatted}.`);
  return parts.join(" ");
}

const NO_SEAT_ANY_MORE =
  "The new office has no unassigned license or add-on for this transfer any more: nothing was changed. Check the review again below.";

/**
 * A confirmation's reads, locked in the order every writer of these rows
 * takes them: the users (id order), every license pool involved (see
 * lockPoolsOf), then this sign-in's holds and the pool numbers they hold.
 * Null previews when the office is not the company's.
 */
async function lockedPreviews(
  tx: Transaction<Database>,
  actor: Actor,
  userIds: number[],
  officeId: number,
  now: Date,
) {
  const users = await readUsers(tx, actor, userIds, true);
  if (!(await companyOffices(tx, actor)).some((o) => o.id === officeId)) return { users, previews: null };
  await lockPoolsOf(tx, [officeId, ...users.map((u) => u.office_id)]);
  const held = await heldFor(
    tx,
    actor,
    users.map((u) => u.id),
    officeId,
    now,
    true,
  );
  return { users, previews: await readPreviews(tx, actor, users, officeId, true, held) };
}

/**
 * Next: holds the new local numbers the review of moving these users to
 * `officeId` shows (for those moving to another country), after dropping
 * this sign-in's earlier holds for them. Returns the office as a choice
 * (the route refuses a disabled one), or null if it is not the company's
 * or none of the users is in scope.
 */
export async function holdTransfer(
  db: Kysely<Database>,
  actor: Actor,
  userIds: number[],
  officeId: number,
  now: Date,
  provider: NumberProvider = localNumberProvider,
): Promise<TransferOffice | null> {
  return db.transaction().execute(async (tx) => {
    const users = await readUsers(tx, actor, userIds, false);
    const to = users.length
      ? officeChoicesForAll(users, await companyOffices(tx, actor)).find((o) => o.id === officeId)
      : undefined;
    if (!to) return null;
    await dropHolds(
      tx,
      actor,
      users.map((u) => u.id),
    );
    if (to.disabledReason || userTransferRefusal(actor)) return to;
    const previews = (await readPreviews(tx, actor, users, to.id, false, "to hold")) ?? [];
    const wanting = previews.filter((p) => p.needsNewNumber).map((p) => p.user.id);
    if (wanting.length > 0) await holdNewNumbers(tx, actor, to, wanting, now, provider);
    return to;
  });
}

/** The review of moving the user to `officeId`, with the number held for them; null if the user or the office is not in scope. */
export async function previewTransfer(
  db: Kysely<Database>,
  actor: Actor,
  userId: number,
  officeId: number,
  now: Date,
): Promise<TransferPreview | null> {
  const users = await readUsers(db, actor, [userId], false);
  if (users.length === 0) return null;
  const held = await heldFor(db, actor, [userId], officeId, now);
  return (await readPreviews(db, actor, users, officeId, false, held))?.[0] ?? null;
}

/** Confirm transfer: one transaction, under lock, refusing anything the review did not show. */
export async function transferUser(
  db: Kysely<Database>,
  actor: Actor,
  userId: number,
  input: TransferConfirmInput,
  now: Date,
  provider: NumberProvider = localNumberProvider,
): Promise<Outcome> {
  return refusing(
    () =>
      db.transaction().execute(async (tx) => {
        const p = (await lockedPreviews(tx, actor, [userId], input.office, now)).previews?.[0];
        if (!p) throw new Refusal("This user", "not_found");
        if (p.refusal) throw new Refusal(p.refusal);
        if (p.key !== input.seen) throw new Refusal(stale([p.user.name]), "stale");
        await applyTransfers(tx, actor, [p], now, provider);
        return { ok: true as const, message: doneMessage(p, true) };
      }),
    () => NO_SEAT_ANY_MORE,
  );
}

/** What the bulk review carries for each user: a digest of its key (keeps the form small for thousands). */
const digest = (key: string) => createHash("sha256").update(key).digest("base64url").slice(0, 22);

/** Transfer users, the first step: the offices the selected users could move to. */
export async function bulkTransferChoices(db: Kysely<Database>, actor: Actor, userIds: number[]) {
  const users = await readUsers(db, actor, userIds, false);
  return users.length ? officeChoicesForAll(users, await companyOffices(db, actor)) : [];
}

/**
 * Transfer users, the review: each user with what will change (the numbers
 * held for them too), or why they are skipped, and what the confirmation
 * must carry back. Null when the office is not the company's.
 */
export async function planTransfers(
  db: Kysely<Database>,
  actor: Actor,
  userIds: number[],
  officeId: number,
  now: Date,
) {
  const users = await readUsers(db, actor, userIds, false);
  const held = await heldFor(
    db,
    actor,
    users.map((u) => u.id),
    officeId,
    now,
  );
  const previews = await readPreviews(db, actor, users, officeId, false, held);
  const to = users.length
    ? officeChoicesForAll(users, await companyOffices(db, actor)).find((o) => o.id === officeId)
    : undefined;
  if (!previews || !to) return null;
  return {
    to,
    rows: previews.map((p) => ({
      id: p.user.id,
      name: p.user.name,
      email: p.user.email,
      status: p.user.status,
      officeName: p.from.name,
      licenseType: p.user.licenseType,
      outcome: p.refusal ? ("skipped" as const) : ("done" as const),
      detail: p.refusal ?? "",
      changes: p.refusal ? [] : transferChanges(p),
      seen: `${p.user.id}:${digest(p.key)}`,
    })),
  };
}

/**
 * Confirm transfer for many users: one transaction, rows locked, refused
 * as a whole if any user's review changed; users the review skipped are
 * skipped again, and every outcome is recorded for the result page.
 */
export async function transferUsers(
  db: Kysely<Database>,
  actor: Actor,
  input: BulkTransferInput,
  now: Date,
  provider: NumberProvider = localNumberProvider,
): Promise<Result<{ auditId: number; outcomes: BulkOutcome[] }>> {
  const seen = new Map(
    input.seen.flatMap((e) => {
      const entry = seenEntry(e);
      return entry ? [[entry.id, entry.digest] as const] : [];
    }),
  );
  return refusing(
    () =>
      db.transaction().execute(async (tx) => {
        const refusal = userTransferRefusal(actor);
        if (refusal) throw new Refusal(refusal);
        const { previews } = await lockedPreviews(tx, actor, input.id, input.to, now);
        if (!previews)
          throw new Refusal("Choose the new office again: this one is not one of your company's offices.");
        const changed = previews.filter((p) => seen.get(p.user.id) !== digest(p.key)).map((p) => p.user.name);
        if (changed.length > 0) throw new Refusal(stale(changed), "stale");
        if (previews.length !== new Set(input.id).size)
          throw new Refusal(stale(["some of the users"]), "stale");
        const moves = previews.filter((p) => !p.refusal);
        // The review only offers Confirm when someone will move: this was sent again, or made up.
        if (moves.length === 0)
          throw new Refusal("Nothing was changed: none of these users can be transferred to this office.");
        await applyTransfers(tx, actor, moves, now, provider);
        const outcomes: BulkOutcome[] = previews.map((p) => ({
          id: p.user.id,
          name: p.user.name,
          outcome: p.refusal ? "skipped" : "done",
          detail: p.refusal ?? doneMessage(p, false),
        }));
        const auditId = await recordBulkResult(tx, actor, "users.bulk_transfer", outcomes, now, {
          office_id: input.to,
        });
        return { ok: true as const, auditId, outcomes };
      }),
    () => NO_SEAT_ANY_MORE,
  );
}
