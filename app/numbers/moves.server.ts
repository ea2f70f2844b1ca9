/**
 * The moves of a number: the only code that changes a number's state (who
 * holds it, the seat it takes, its last-holder snapshot and restore hold).
 * Every other module calls these, so that no copy forgets a column; the
 * seat triggers count what they write.
 *
 * Each move is one statement for any number of numbers (ids, or a user's
 * numbers), so that bulk actions stay a constant number of statements.
 * Provisioning aside: the provider is asked one number at a time.
 */
import { sql, type Transaction } from "kysely";
import type { AddonLicenseType, Database, NumberKind, UserLicenseType } from "../../db/schema.ts";
import type { NumberProvider } from "./provider.server.ts";

type Tx = Transaction<Database>;

const anyOf = (ids: number[]) => sql<number>`any(${sql.val(ids)}::int[])`;

/** Who a number is for: a group, or a user (as their primary number or an additional one). */
export type Holder = { group: true } | { licenseType: UserLicenseType; primary: boolean };

/**
 * The add-on seat a number takes with its holder, or null when it takes
 * none: a fax number a Fax line, a toll-free number a Toll-free number
 * (groups only); a local number on a group none (the office's main line
 * holds its own), as a Connect user's primary none (the license includes
 * it), else a Local number add-on.
 */
export function seatFor(kind: NumberKind, holder: Holder): AddonLicenseType | null {
  if (kind === "fax") return "fax_line";
  if (kind === "toll_free") return "toll_free_number";
  if ("group" in holder) return null;
  return holder.primary && holder.licenseType === "connect" ? null : "local_number";
}

/**
 * Into the Reserved Pool: numbers by id, or every number of these users.
 * Each keeps the last-holder snapshot of the user it was assigned to; those
 * of `restoreHold.userIds` stay on hold for them until `restoreHold.until`
 * (they may be restored and get them back). The add-on seats are freed.
 */
export async function toPool(
  tx: Tx,
  numbers: { ids: number[] } | { ofUsers: number[] },
  at: Date,
  restoreHold?: { userIds: number[]; until: Date },
) {
  const ids = "ids" in numbers ? numbers.ids : numbers.ofUsers;
  if (ids.length === 0) return;
  const held = restoreHold && restoreHold.userIds.length > 0 ? restoreHold : null;
  await tx
    .updateTable("phone_numbers as n")
    .from("users as u")
    .set((eb) => ({
      state: "reserved",
      assigned_user_id: null,
      assigned_group_id: null,
      is_primary: false,
      addon_license_type: null,
      last_holder_user_id: eb.ref("u.id"),
      last_holder_name: sql<string>`u.first_name || ' ' || u.last_name`,
      last_office_id: eb.ref("n.office_id"),
      unassigned_at: at,
      held_for_user_id: held ? sql<number>`case when u.id = ${anyOf(held.userIds)} then u.id end` : null,
      held_until: held
        ? sql<Date>`case when u.id = ${anyOf(held.userIds)} then ${held.until}::timestamptz end`
        : null,
    }))
    .whereRef("u.id", "=", "n.assigned_user_id")
    .where("ids" in numbers ? "n.id" : "u.id", "=", anyOf(ids))
    .execute();
}

/** A pool number going to a user or a group, with the seat it takes there (seatFor). */
export type PoolClaim = { id: number; addon: AddonLicenseType | null } & (
  { userId: number; primary: boolean } | { groupId: number }
);

/**
 * Out of the Reserved Pool to their new holders: the last-holder snapshot
 * and any hold (one that ran out, or a restore's) go. Returns each number's
 * E.164.
 */
export async function fromPool(tx: Tx, claims: PoolClaim[]) {
  if (claims.length === 0) return [];
  const rows = claims.map((c) => ({
    id: c.id,
    user_id: "userId" in c ? c.userId : null,
    group_id: "groupId" in c ? c.groupId : null,
    is_primary: "userId" in c && c.primary,
    addon: c.addon,
  }));
  const result = await sql<{ id: number; e164: string }>`
    update phone_numbers n
       set state = 'assigned', assigned_user_id = x.user_id, assigned_group_id = x.group_id,
           is_primary = x.is_primary, addon_license_type = x.addon,
           last_holder_user_id = null, last_holder_name = null, last_office_id = null, unassigned_at = null,
           held_for_user_id = null, held_until = null
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
           as x(id int, user_id int, group_id int, is_primary boolean, addon text)
     where n.id = x.id
    returning n.id, n.e164`.execute(tx);
  return result.rows;
}

/** A new number from the provider, to be its user's primary local number in their office. */
interface NewPrimary {
  e164: string;
  officeId: number;
  country: string;
  userId: number;
  addon: AddonLicenseType | null;
}

/**
 * New numbers from the provider, each as its user's primary local number in
 * their office: provisioned one by one (a carrier call in production), then
 * one insert. Returns the first number that could not be had (someone else
 * took it, or it is not a local number of that country); nothing is
 * assigned then, and the caller refuses.
 */
export async function provisionAndAssign(
  tx: Tx,
  provider: NumberProvider,
  companyId: number,
  wanted: NewPrimary[],
  at: Date,
): Promise<string | null> {
  if (wanted.length === 0) return null;
  for (const w of wanted) {
    const provisioned = await provider.provision(tx, companyId, { e164: w.e164 }, at);
    if (!provisioned || provisioned.country !== w.country || provisioned.kind !== "local") return w.e164;
  }
  await assignProvisioned(tx, companyId, wanted, at);
  return null;
}

/** Provisioned numbers in, each its user's primary local number: one statement for any number of them. */
async function assignProvisioned(tx: Tx, companyId: number, numbers: NewPrimary[], at: Date) {
  if (numbers.length === 0) return;
  await sql`
    insert into phone_numbers (company_id, office_id, e164, country, kind, state, assigned_user_id, is_primary,
                               addon_license_type, created_at)
    select ${companyId}, x.office_id, x.e164, x.country, 'local', 'assigned', x.user_id, true, x.addon, ${at}::timestamptz
      from jsonb_to_recordset(${JSON.stringify(
        numbers.map((n) => ({
          office_id: n.officeId,
          e164: n.e164,
          country: n.country,
          user_id: n.userId,
          addon: n.addon,
        })),
      )}::jsonb) as x(office_id int, e164 text, country text, user_id int, addon text)`.execute(tx);
}

/**
 * The office's next new numbers from the provider, for users who named none
 * (Import users): one provider call per office, then one insert, whatever
 * the number of users. Returns the first office the provider had too few
 * numbers for; nothing is assigned then, and the caller refuses.
 */
export async function provisionNextAndAssign(
  tx: Tx,
  provider: NumberProvider,
  companyId: number,
  offices: {
    officeId: number;
    country: string;
    users: { userId: number; addon: AddonLicenseType | null }[];
  }[],
  at: Date,
): Promise<number | null> {
  const assigned = [];
  for (const o of offices) {
    if (o.users.length === 0) continue;
    const got = await provider.provisionNext(
      tx,
      companyId,
      { country: o.country, kind: "local" },
      o.users.length,
      at,
    );
    if (got.length < o.users.length) return o.officeId;
    assigned.push(
      ...o.users.map((u, i) => ({ ...u, e164: got[i]!.e164, officeId: o.officeId, country: o.country })),
    );
  }
  await assignProvisioned(tx, companyId, assigned, at);
  return null;
}

/** Released for good: the row stays as history, the provider gets the number back. */
export async function release(
  tx: Tx,
  provider: NumberProvider,
  number: { id: number; e164: string },
  at: Date,
) {
  await tx
    .updateTable("phone_numbers")
    .set({ state: "released", released_at: at, held_for_user_id: null, held_until: null })
    .where("id", "=", number.id)
    .execute();
  await provider.release(tx, number.e164);
}

/** Numbers following their users to another office; the trigger moves the add-on seats they hold. */
export async function moveToOffice(tx: Tx, numberIds: number[], officeId: number) {
  if (numberIds.length === 0) return;
  await tx
    .updateTable("phone_numbers")
    .set({ office_id: officeId })
    .where("id", "=", anyOf(numberIds))
    .execute();
}

/** A number staying with its user under another seat (seatFor), or becoming their primary one. */
export async function reseat(
  tx: Tx,
  numberId: number,
  to: { addon: AddonLicenseType | null; primary?: true },
) {
  await tx
    .updateTable("phone_numbers")
    .set({ addon_license_type: to.addon, ...(to.primary && { is_primary: true }) })
    .where("id", "=", numberId)
    .execute();
}

/**
 * The numbers on hold for a deleted user at `now`, locked, each with what it
 * will be on restore: the first local number (by number) is the primary,
 * and each takes its seat (seatFor). For fromPool.
 */
export async function heldForRestore(
  tx: Tx,
  user: { id: number; licenseType: UserLicenseType },
  now: Date,
): Promise<(PoolClaim & { e164: string; userId: number })[]> {
  const held = await tx
    .selectFrom("phone_numbers")
    .select(["id", "e164", "kind"])
    .where("held_for_user_id", "=", user.id)
    .where("state", "=", "reserved")
    .where("held_until", ">", now)
    .orderBy("e164")
    .forUpdate()
    .execute();
  const primary = held.find((n) => n.kind === "local");
  return held.map((n) => {
    const isPrimary = n === primary;
    return {
      id: n.id,
      e164: n.e164,
      userId: user.id,
      primary: isPrimary,
      addon: seatFor(n.kind, { licenseType: user.licenseType, primary: isPrimary }),
    };
  });
}

/** The numbers these users held last or that are held for them: what eraseHolders changes. */
const heldBy = (userIds: number[]) => {
  const ids = sql`${sql.val(userIds)}::int[]`;
  return sql`last_holder_user_id = any(${ids}) or held_for_user_id = any(${ids})`;
};

/**
 * Locks these users' numbers (held last, or held for them), in id order, the
 * order every change locks numbers in, before the pools: Add User and
 * Reassign lock a number, then the pools. Deleting pending users takes them
 * before the pools it frees (eraseHolders then changes them): taken after,
 * a delete deadlocked with an Add User of a number the deleted user once held
 * (met by `npm run load`). A restore takes them before heldForRestore, which
 * reads them in e164 order.
 */
export async function lockHolders(tx: Tx, userIds: number[]) {
  await sql`select 1 from phone_numbers where ${heldBy(userIds)} order by id for no key update`.execute(tx);
}

/**
 * Anonymization: these users' names leave the last-holder snapshots (the
 * placeholder takes their place) and their restore holds end.
 */
export async function eraseHolders(tx: Tx, userIds: number[], placeholder: string) {
  const ids = sql`${sql.val(userIds)}::int[]`;
  await sql`
    update phone_numbers
       set last_holder_name = case when last_holder_user_id = any(${ids}) then ${placeholder} else last_holder_name end,
           held_for_user_id = case when held_for_user_id = any(${ids}) then null else held_for_user_id end,
           held_until = case when held_for_user_id = any(${ids}) then null else held_until end
     where ${heldBy(userIds)}`.execute(tx);
}
