/**
 * Options > Calling > Manage phone numbers > Remove: a number leaves its user
 * for the Reserved Pool, remembering who had it last, in which office and
 * when, and frees the add-on seat it held (the seat triggers count it).
 *
 * When the primary number is removed and the user holds another local number,
 * the first of those (by number) becomes primary, so the user stays reachable;
 * for a Connect user it becomes the number their license includes and its
 * Local number add-on is freed. A fax number never becomes primary. With no
 * local number left the user has no number, which the confirmation says.
 */
import type { Kysely } from "kysely";
import type { AddonLicenseType, Database, NumberKind, UserLicenseType } from "../../db/schema.ts";
import type { Actor } from "../auth/actor.server.ts";
import { usersInScope } from "../auth/scopes.server.ts";
import { recordAudit, type AuditEntry } from "../audit/record.server.ts";
import { formatNumber, userNumber } from "./format.server.ts";
import { refusable, Refusal } from "../refusal.server.ts";
import { reseat, seatFor, toPool } from "./moves.server.ts";

interface Holder {
  id: number;
  first_name: string | null;
  last_name: string | null;
}

const nameOf = (u: Holder) => `${u.first_name} ${u.last_name}`;

export const NO_LONGER_THEIRS =
  "This number is not assigned to this user any more: someone changed it meanwhile. Nothing was changed.";

interface UserNumber {
  id: number;
  e164: string;
  kind: NumberKind;
  is_primary: boolean;
  addon_license_type: AddonLicenseType | null;
  office_id: number;
}

/** Which local number becomes primary when the primary one goes: the first by number. */
function successor(numbers: UserNumber[], removed: UserNumber): UserNumber | null {
  if (!removed.is_primary) return null;
  return (
    numbers
      .filter((n) => n.id !== removed.id && n.kind === "local")
      .sort((a, b) => a.e164.localeCompare(b.e164))[0] ?? null
  );
}

async function userWithNumbers(db: Kysely<Database>, actor: Actor, userId: number, lock: boolean) {
  let userQuery = db
    .selectFrom("users as u")
    .select(["u.id", "u.first_name", "u.last_name", "u.license_type", "u.office_id"])
    .where(usersInScope(actor))
    .where("u.id", "=", userId)
    .where("u.status", "<>", "deleted");
  if (lock) userQuery = userQuery.forNoKeyUpdate();
  const user = await userQuery.executeTakeFirst();
  if (!user) return null;
  let numbersQuery = db
    .selectFrom("phone_numbers")
    .select(["id", "e164", "kind", "is_primary", "addon_license_type", "office_id"])
    .where("assigned_user_id", "=", user.id)
    .where("company_id", "=", actor.company.id)
    .orderBy("is_primary", "desc")
    .orderBy("e164");
  if (lock) numbersQuery = numbersQuery.forUpdate();
  return { user, numbers: (await numbersQuery.execute()) as UserNumber[] };
}

/** A user's numbers, for Manage phone numbers. Null when the user is not in scope. */
export async function listUserNumbers(db: Kysely<Database>, actor: Actor, userId: number) {
  const found = await userWithNumbers(db, actor, userId, false);
  if (!found) return null;
  return {
    user: {
      id: found.user.id,
      name: nameOf(found.user),
      licenseType: found.user.license_type as UserLicenseType,
    },
    numbers: found.numbers.map(userNumber),
  };
}

/**
 * What removing this number will do, for the confirmation page. Null when
 * the user is not in scope; `number: null` when it is not (or no longer) theirs.
 */
export async function previewRemoval(db: Kysely<Database>, actor: Actor, userId: number, numberId: number) {
  const found = await userWithNumbers(db, actor, userId, false);
  if (!found) return null;
  const user = {
    id: found.user.id,
    name: nameOf(found.user),
    licenseType: found.user.license_type as UserLicenseType,
  };
  const number = found.numbers.find((n) => n.id === numberId);
  if (!number) return { user, number: null };
  const next = successor(found.numbers, number);
  const remaining = found.numbers.filter((n) => n.id !== number.id);
  return {
    user,
    number: {
      id: number.id,
      e164: number.e164,
      formatted: formatNumber(number.e164)!,
      kind: number.kind,
      isPrimary: number.is_primary,
    },
    /** The number that becomes primary, if any. */
    newPrimary: next ? formatNumber(next.e164)! : null,
    /** A Connect user's included number going, with no local number to take its place. */
    losesIncludedNumber: number.is_primary && !next && found.user.license_type === "connect",
    leavesNoNumber: remaining.length === 0,
  };
}

export async function removeNumber(
  db: Kysely<Database>,
  actor: Actor,
  userId: number,
  numberId: number,
  at: Date,
) {
  return refusable(() =>
    db.transaction().execute(async (tx) => {
      // Lock order everywhere: the user, then their numbers (see reassign.server.ts).
      const found = await userWithNumbers(tx, actor, userId, true);
      if (!found) throw new Refusal("This user", "not_found");
      const number = found.numbers.find((n) => n.id === numberId);
      if (!number) throw new Refusal(NO_LONGER_THEIRS);
      const next = successor(found.numbers, number);
      await toPool(tx, { ids: [number.id] }, at);
      const entries: AuditEntry[] = [
        {
          action: "phone_number.removed",
          targetType: "phone_number",
          targetId: number.id,
          targetLabel: number.e164,
          officeId: number.office_id,
          before: {
            state: "assigned",
            user_id: found.user.id,
            user: nameOf(found.user),
            primary: number.is_primary,
            addon: number.addon_license_type,
          },
          after: { state: "reserved", last_holder: nameOf(found.user) },
        },
      ];
      let message = `${formatNumber(number.e164)} was removed from ${nameOf(found.user)} and is in the Reserved Pool.`;
      if (next) {
        // A Connect license includes the primary number: its add-on seat is freed.
        const addon = seatFor(next.kind, {
          licenseType: found.user.license_type as UserLicenseType,
          primary: true,
        });
        await reseat(tx, next.id, { addon, primary: true });
        entries.push({
          action: "phone_number.made_primary",
          targetType: "phone_number",
          targetId: next.id,
          targetLabel: next.e164,
          officeId: next.office_id,
          before: {
            state: "assigned",
            user_id: found.user.id,
            user: nameOf(found.user),
            primary: false,
            addon: next.addon_license_type,
          },
          after: {
            state: "assigned",
            user_id: found.user.id,
            user: nameOf(found.user),
            primary: true,
            addon,
          },
        });
        message += ` ${formatNumber(next.e164)} is now their primary number.`;
      } else if (found.numbers.length === 1) {
        message += ` ${nameOf(found.user)} has no number now.`;
      }
      await recordAudit(tx, actor, entries, at);
      return message;
    }),
  );
}
