/**
 * Transfer user, as domain.md says: the user keeps license (the seat moves
 * with them to the new office's pool), numbers and settings; only the office
 * changes. Memberships of the old office's groups and admin rights over the
 * old office end. To an office in another country, the local and fax
 * numbers go to the old office's Reserved Pool (with the last-holder
 * snapshot) and a new local number in the new country is assigned, from the
 * new office's Reserved Pool if one is free, else from the number provider.
 *
 * The review shows a preview; the POST carries its key and the new number it
 * offered, and the transfer re-reads everything under lock and refuses if
 * anything differs, so nothing happens that the admin did not see.
 */
import type { Kysely, Transaction } from "kysely";
import type { AddonLicenseType, Database, LicenseType, NumberKind, UserLicenseType } from "../../db/schema.ts";
import { userTransferRefusal, usersInScope, type Actor } from "../auth/actor.server.ts";
import { recordAudit } from "../audit/record.server.ts";
import { formatNumber } from "../numbers/format.server.ts";
import { localNumberProvider, type NumberProvider } from "../numbers/provider.server.ts";
import { sendToPool } from "../numbers/remove.server.ts";
import { LICENSE_NAMES } from "../ui/format.ts";
import { Refusal, refusing, type Outcome } from "../licenses/refusal.server.ts";
import { lockPoolsOf } from "../licenses/pools.server.ts";
import type { TransferConfirmInput } from "./transfer-schema.ts";

type Db = Kysely<Database> | Transaction<Database>;

export interface TransferOffice {
  id: number;
  name: string;
  country: string;
  priceLevel: string;
  /** Why it cannot be chosen, or null. */
  disabledReason: string | null;
}

async function readUser(db: Db, actor: Actor, userId: number, lock: boolean) {
  let q = db
    .selectFrom("users as u")
    .innerJoin("offices as o", "o.id", "u.office_id")
    .select([
      "u.id",
      "u.first_name",
      "u.last_name",
      "u.status",
      "u.license_type",
      "u.has_meetings_seat",
      "u.office_id",
      "o.name as office_name",
      "o.country as office_country",
      "o.price_level as office_price_level",
    ])
    .where(usersInScope(actor))
    .where("u.id", "=", userId);
  if (lock) q = q.forUpdate("u");
  return q.executeTakeFirst();
}
type UserRow = NonNullable<Awaited<ReturnType<typeof readUser>>>;

const nameOf = (u: UserRow) => `${u.first_name} ${u.last_name}`;

async function companyOffices(db: Db, actor: Actor) {
  return db
    .selectFrom("offices")
    .select(["id", "name", "country", "price_level"])
    .where("company_id", "=", actor.company.id)
    .orderBy("name")
    .execute();
}

function officeChoices(user: UserRow, offices: Awaited<ReturnType<typeof companyOffices>>): TransferOffice[] {
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

/** Why this user cannot be transferred at all, or null. */
function userRefusal(user: UserRow): string | null {
  if (user.status === "deleted") return `${nameOf(user)} is deleted and cannot be transferred.`;
  if (user.status === "pending") {
    return `${nameOf(user)} has not accepted the invite yet: only active users can be transferred.`;
  }
  return null;
}

/** The user and the offices they could move to; null if the user is not in scope. */
export async function transferChoices(db: Kysely<Database>, actor: Actor, userId: number) {
  const user = await readUser(db, actor, userId, false);
  if (!user) return null;
  return {
    user: { id: user.id, name: nameOf(user), officeName: user.office_name },
    refusal: userTransferRefusal(actor) ?? userRefusal(user),
    offices: officeChoices(user, await companyOffices(db, actor)),
  };
}

export interface TransferPreview {
  user: { id: number; name: string; licenseType: UserLicenseType; hasMeetingsSeat: boolean };
  from: { id: number; name: string; country: string };
  to: { id: number; name: string; country: string };
  international: boolean;
  refusal: string | null;
  /** Unassigned seats of the user's license type in the new office. */
  freeSeats: number;
  groupsEnding: { id: number; name: string }[];
  adminRightsEnding: boolean;
  /** Same country: the numbers that move with the user. */
  numbersMoving: { id: number; e164: string; formatted: string; kind: NumberKind; addon: AddonLicenseType | null }[];
  /** Another country: the numbers that go to the old office's Reserved Pool. */
  numbersRemoved: { id: number; e164: string; formatted: string; kind: NumberKind; addon: AddonLicenseType | null }[];
  /** Another country: the new local number. */
  newNumber: null | { e164: string; formatted: string; source: "pool" | "provider"; poolId: number | null; addon: AddonLicenseType | null };
  key: string;
}

/**
 * Everything the transfer decides on. With `chosen`, the new number is that
 * one if it is still free (else none, so the key differs); without, the
 * first free one.
 */
async function readPreview(
  db: Db,
  actor: Actor,
  user: UserRow,
  officeId: number,
  lock: boolean,
  provider: NumberProvider,
  chosen: string | undefined,
): Promise<TransferPreview | null> {
  const offices = await companyOffices(db, actor);
  const to = offices.find((o) => o.id === officeId);
  if (!to) return null;
  const choice = officeChoices(user, offices).find((o) => o.id === officeId)!;
  const name = nameOf(user);
  const international = to.country !== user.office_country;

  let numbersQuery = db
    .selectFrom("phone_numbers")
    .select(["id", "e164", "kind", "addon_license_type", "is_primary"])
    .where("assigned_user_id", "=", user.id)
    .where("state", "=", "assigned")
    .orderBy("is_primary", "desc")
    .orderBy("e164");
  if (lock) numbersQuery = numbersQuery.forUpdate();
  const numbers = (await numbersQuery.execute()).map((n) => ({
    id: n.id,
    e164: n.e164,
    formatted: formatNumber(n.e164) ?? n.e164,
    kind: n.kind,
    addon: n.addon_license_type,
    isPrimary: n.is_primary,
  }));
  const groupsEnding = await db
    .selectFrom("group_members as gm")
    .innerJoin("groups as g", "g.id", "gm.group_id")
    .select(["g.id", "g.name"])
    .where("gm.user_id", "=", user.id)
    .where("g.office_id", "=", user.office_id)
    .orderBy("g.name")
    .execute();
  const adminRow = await db
    .selectFrom("office_admins")
    .select("user_id")
    .where("user_id", "=", user.id)
    .where("office_id", "=", user.office_id)
    .executeTakeFirst();
  const pools = await db
    .selectFrom("license_pools")
    .select(["license_type", "purchased", "assigned"])
    .where("office_id", "=", to.id)
    .execute();
  const unassigned = (type: LicenseType) => {
    const p = pools.find((r) => r.license_type === type);
    return p ? p.purchased - p.assigned : 0;
  };

  const primary = numbers.find((n) => n.isPrimary && n.kind === "local");
  let newNumber: TransferPreview["newNumber"] = null;
  if (international && primary) {
    // The new number holds the add-on the old one did (Sell and Support need one; Connect includes it).
    const addon = primary.addon;
    let poolQuery = db
      .selectFrom("phone_numbers")
      .select(["id", "e164"])
      .where("company_id", "=", actor.company.id)
      .where("office_id", "=", to.id)
      .where("state", "=", "reserved")
      .where("kind", "=", "local")
      .where("held_for_user_id", "is", null);
    poolQuery = chosen
      ? poolQuery.where("e164", "=", chosen)
      : poolQuery.orderBy("unassigned_at", "desc").orderBy("id", "desc").limit(1);
    if (lock) poolQuery = poolQuery.forUpdate();
    const fromPool = await poolQuery.executeTakeFirst();
    if (fromPool) {
      newNumber = { e164: fromPool.e164, formatted: formatNumber(fromPool.e164) ?? fromPool.e164, source: "pool", poolId: fromPool.id, addon };
    } else if (!lock) {
      const [available] = chosen
        ? (await provider.findAvailable(db, { country: to.country, kind: "local" }, 1000)).filter((n) => n.e164 === chosen)
        : await provider.findAvailable(db, { country: to.country, kind: "local" }, 1);
      if (available) newNumber = { e164: available.e164, formatted: formatNumber(available.e164) ?? available.e164, source: "provider", poolId: null, addon };
    } else if (chosen) {
      // Under lock the provider's number is provisioned later; the key still names it.
      newNumber = { e164: chosen, formatted: formatNumber(chosen) ?? chosen, source: "provider", poolId: null, addon };
    }
  }
  const numbersMoving = international ? [] : numbers;
  const numbersRemoved = international ? numbers.filter((n) => n.kind === "local" || n.kind === "fax") : [];

  const freeSeats = unassigned(user.license_type);
  let refusal = userTransferRefusal(actor) ?? userRefusal(user) ?? choice.disabledReason;
  if (!refusal && freeSeats < 1) {
    refusal = `${to.name} has no unassigned ${LICENSE_NAMES[user.license_type]} license for ${name}. Transfer one from another office first (Company Settings > Licenses).`;
  }
  if (!refusal && user.has_meetings_seat && unassigned("meetings") < 1) {
    refusal = `${to.name} has no unassigned ${LICENSE_NAMES.meetings} license for ${name}. Transfer one from another office first.`;
  }
  if (!refusal) {
    const needed = new Map<AddonLicenseType, number>();
    for (const n of numbersMoving) if (n.addon) needed.set(n.addon, (needed.get(n.addon) ?? 0) + 1);
    if (newNumber?.addon) needed.set(newNumber.addon, (needed.get(newNumber.addon) ?? 0) + 1);
    for (const [type, count] of needed) {
      if (unassigned(type) < count) {
        refusal = `${to.name} has no unassigned ${LICENSE_NAMES[type]} add-on for ${name}'s number. Transfer one from another office first.`;
        break;
      }
    }
  }
  if (!refusal && international && primary && !newNumber) {
    refusal = `No local number in ${to.country} is free, in ${to.name}'s Reserved Pool or from the number provider, so ${name} cannot be transferred there now.`;
  }
  const key = [
    user.office_id,
    to.id,
    user.license_type,
    user.has_meetings_seat ? "m" : "-",
    groupsEnding.map((g) => g.id).join(","),
    adminRow ? "admin" : "-",
    numbers.map((n) => `${n.id}:${n.addon ?? ""}`).join(","),
    newNumber?.e164 ?? "-",
  ].join("|");
  return {
    user: { id: user.id, name, licenseType: user.license_type, hasMeetingsSeat: user.has_meetings_seat },
    from: { id: user.office_id, name: user.office_name, country: user.office_country },
    to: { id: to.id, name: to.name, country: to.country },
    international,
    refusal,
    freeSeats,
    groupsEnding,
    adminRightsEnding: !!adminRow,
    numbersMoving: numbersMoving.map(({ isPrimary: _, ...n }) => n),
    numbersRemoved: numbersRemoved.map(({ isPrimary: _, ...n }) => n),
    newNumber,
    key,
  };
}

/** The review of moving the user to `officeId`; null if the user or the office is not in scope. */
export async function previewTransfer(
  db: Kysely<Database>,
  actor: Actor,
  userId: number,
  officeId: number,
  provider: NumberProvider = localNumberProvider,
): Promise<TransferPreview | null> {
  const user = await readUser(db, actor, userId, false);
  return user ? readPreview(db, actor, user, officeId, false, provider, undefined) : null;
}

/** Confirm transfer: one transaction, under lock, refusing anything the review did not show. Null: not in scope. */
export async function transferUser(
  db: Kysely<Database>,
  actor: Actor,
  userId: number,
  input: TransferConfirmInput,
  now: Date,
  provider: NumberProvider = localNumberProvider,
): Promise<Outcome | null> {
  let found = true;
  const stale = (name: string) =>
    `Something changed for ${name} since this review was shown (office, license seats, groups, admin rights or numbers), so nothing was changed. Check the review again below.`;
  const outcome = await refusing(
    () =>
      db.transaction().execute(async (tx) => {
        const user = await readUser(tx, actor, userId, true);
        const p = user && (await readPreview(tx, actor, user, input.office, true, provider, input.newNumber || undefined));
        if (!user || !p) {
          found = false;
          throw new Refusal("not found");
        }
        if (p.refusal) throw new Refusal(p.refusal);
        if (p.key !== input.seen) throw new Refusal(stale(p.user.name));

        // Both offices' pools, in the one order, before the triggers move seats between them.
        await lockPoolsOf(tx, [user.office_id, p.to.id]);
        // Free the numbers first: the new one becomes the primary, and add-ons leave the old pool.
        await sendToPool(
          tx,
          p.numbersRemoved.map((n) => n.id),
          user,
          now,
        );
        // The trigger moves the license (and Meetings) seat, refusing (license_pools_no_overspend) if none is free.
        await tx.updateTable("users").set({ office_id: p.to.id }).where("id", "=", user.id).execute();
        if (p.numbersMoving.length > 0) {
          // Numbers belong to an office; the trigger moves the add-on seats they hold.
          await tx
            .updateTable("phone_numbers")
            .set({ office_id: p.to.id })
            .where("id", "in", p.numbersMoving.map((n) => n.id))
            .execute();
        }
        if (p.newNumber) {
          const n = p.newNumber;
          if (n.source === "pool") {
            await tx
              .updateTable("phone_numbers")
              .set({
                state: "assigned",
                assigned_user_id: user.id,
                is_primary: true,
                addon_license_type: n.addon,
                last_holder_user_id: null,
                last_holder_name: null,
                last_office_id: null,
                unassigned_at: null,
                held_for_user_id: null,
                held_until: null,
              })
              .where("id", "=", n.poolId!)
              .execute();
          } else {
            const provisioned = await provider.provision(tx, actor.company.id, { e164: n.e164 }, now);
            if (!provisioned || provisioned.country !== p.to.country || provisioned.kind !== "local") {
              throw new Refusal(stale(p.user.name));
            }
            await tx
              .insertInto("phone_numbers")
              .values({
                company_id: actor.company.id,
                office_id: p.to.id,
                e164: n.e164,
                country: provisioned.country,
                kind: "local",
                state: "assigned",
                assigned_user_id: user.id,
                is_primary: true,
                addon_license_type: n.addon,
                created_at: now,
              })
              .execute();
          }
        }
        if (p.groupsEnding.length > 0) {
          await tx
            .deleteFrom("group_members")
            .where("user_id", "=", user.id)
            .where("group_id", "in", p.groupsEnding.map((g) => g.id))
            .execute();
        }
        if (p.adminRightsEnding) {
          await tx.deleteFrom("office_admins").where("user_id", "=", user.id).where("office_id", "=", user.office_id).execute();
        }
        const numbersBefore = [...p.numbersMoving, ...p.numbersRemoved].map((n) => n.e164);
        const numbersAfter = p.international
          ? [...(p.newNumber ? [p.newNumber.e164] : [])]
          : p.numbersMoving.map((n) => n.e164);
        await recordAudit(
          tx,
          actor,
          {
            action: "user.transferred",
            targetType: "user",
            targetId: user.id,
            targetLabel: p.user.name,
            officeId: p.to.id,
            before: {
              office: p.from.name,
              numbers: numbersBefore,
              groups: p.groupsEnding.map((g) => g.name),
              office_admin: p.adminRightsEnding,
            },
            after: { office: p.to.name, numbers: numbersAfter, groups: [], office_admin: false },
          },
          now,
        );
        const parts = [`${p.user.name} now works in ${p.to.name}.`];
        if (p.groupsEnding.length) parts.push(`Removed from ${p.groupsEnding.map((g) => g.name).join(", ")}.`);
        if (p.adminRightsEnding) parts.push(`No longer an Office Admin of ${p.from.name}.`);
        if (p.numbersRemoved.length) {
          parts.push(`${p.numbersRemoved.map((n) => n.formatted).join(", ")} went to the ${p.from.name} Reserved Pool.`);
        }
        if (p.newNumber) parts.push(`New number: ${p.newNumber.formatted}.`);
        return { ok: true as const, message: parts.join(" ") };
      }),
    () => "The new office has no unassigned license or add-on for this user any more: nothing was changed. Check the review again below.",
  );
  return found ? outcome : null;
}
