/**
 * Reassigning a number from the Reserved Pool: to a user of the same office
 * and country, as their primary number (their old primary goes to the pool)
 * or as an additional one; or to the office's main line, a department or a
 * call center.
 *
 * The seat each assignment holds (counted by the triggers, refused by
 * license_pools_no_overspend when none is free):
 * - a local number as a Connect user's primary: none, the license includes it;
 * - a local number as a Sell or Support user's primary, or as anyone's
 *   additional number: a Local number add-on;
 * - a fax number: a Fax line add-on (to a user it is never the primary);
 * - a toll-free number: a Toll-free number add-on (groups only, never users);
 * - a local number on a group: none, as the office's main line holds its own.
 *
 * Numbers on hold (their former user may still be restored, by the clock)
 * are not reassignable. Concurrency: the target user's row (FOR NO KEY UPDATE),
 * then the number's row (FOR UPDATE) are locked and the state re-read inside the transaction, so
 * of two admins reassigning one number only the first succeeds; the schema's
 * one-target and one-primary constraints are the backstop.
 */
import { sql, type Kysely, type Transaction } from "kysely";
import type { AddonLicenseType, Database, GroupKind, NumberKind, UserLicenseType } from "../../db/schema.ts";
import type { Actor } from "../auth/actor.server.ts";
import { numbersInScope, usersInScope } from "../auth/scopes.server.ts";
import { recordAudit, type AuditEntry } from "../audit/record.server.ts";
import { formatDateTime, LICENSE_NAMES } from "../ui/format.ts";
import { searchTextHolds } from "../users/list.server.ts";
import { formatNumber } from "./format.server.ts";
import { isOnHold } from "./pool.server.ts";
import { reviewHoldOn } from "./review-holds.server.ts";
import { refusable, Refusal, refused, violates } from "../refusal.server.ts";
import { fromPool, seatFor, toPool } from "./moves.server.ts";
import { parseTarget, type ReassignInput } from "./reassign-schema.ts";

type Db = Kysely<Database> | Transaction<Database>;

export const STALE =
  "This number is no longer in the Reserved Pool: someone assigned or deleted it meanwhile. Nothing was changed.";

/** How many users the form lists at once; a search narrows them. */
export const USER_CHOICES = 25;

const GROUP_ORDER: Record<GroupKind, number> = { main_line: 0, department: 1, call_center: 2 };

/** The audit entry's target and "before" of a number claimed from the pool (Reassign, Delete). */
export function claimedFromPool(n: NonNullable<Awaited<ReturnType<typeof readPoolNumber>>>) {
  return {
    targetType: "phone_number" as const,
    targetId: n.id,
    targetLabel: n.e164,
    officeId: n.office_id,
    before: {
      state: "reserved",
      last_holder: n.last_holder_name,
      last_holder_user_id: n.last_holder_user_id,
    },
  };
}

/**
 * The number in scope with its office, or null (a 404 for the route). For
 * a page, in whatever state; under `lock` (a claim: Reassign, Delete) a
 * released one reads as not found, and the number's row is locked, so a
 * review hold taken before shows in claimRefusal.
 */
export async function readPoolNumber(db: Db, actor: Actor, numberId: number, lock: boolean) {
  let qb = db
    .selectFrom("phone_numbers as n")
    .innerJoin("offices as o", "o.id", "n.office_id")
    .select([
      "n.id",
      "n.e164",
      "n.kind",
      "n.state",
      "n.country",
      "n.office_id",
      "n.last_holder_name",
      "n.last_holder_user_id",
      "n.unassigned_at",
      "n.held_until",
      "o.name as office_name",
      "o.country as office_country",
    ])
    .where(numbersInScope(actor))
    .where("n.id", "=", numberId);
  if (lock) qb = qb.where("n.state", "<>", "released").forUpdate("n");
  return qb.executeTakeFirst();
}

/**
 * Why this number cannot be claimed from the pool at `now`, or null: it is
 * gone from the pool (urgent: the page is stale), on hold for its former
 * user, or held for someone's transfer review.
 */
export async function claimRefusal(
  db: Db,
  actor: Actor,
  n: { e164: string; state: string; held_until: Date | null; last_holder_name: string | null },
  now: Date,
): Promise<{ message: string; urgent: boolean } | null> {
  if (n.state !== "reserved") return { message: STALE, urgent: true };
  if (isOnHold(n.held_until, now))
    return { message: heldMessage(n.held_until!, n.last_holder_name), urgent: false };
  const reviewHold = await reviewHoldOn(db, actor, n.e164, now);
  return reviewHold ? { message: reviewHold, urgent: false } : null;
}

/** Why a number cannot go to users at all, or null if it can. */
function whyNotToUsers(
  kind: NumberKind,
  country: string,
  officeCountry: string,
  officeName: string,
): string | null {
  if (kind === "toll_free")
    return "Toll-free numbers are never assigned to users: choose the main line, a department or a call center.";
  if (country !== officeCountry) {
    return `This number is in ${country} and ${officeName} is in ${officeCountry}: it can go to a group only, as users take numbers of their own country.`;
  }
  return null;
}

export function heldMessage(heldUntil: Date, lastHolder: string | null) {
  return `This number is on hold until ${formatDateTime(heldUntil)}: ${lastHolder ?? "its former user"} can still be restored and get it back. It can be reassigned once the hold ends.`;
}

/** Everything the Reassign page shows: the number, who may get it, and why others may not. */
export async function loadReassignForm(
  db: Kysely<Database>,
  actor: Actor,
  numberId: number,
  q: string,
  now: Date,
) {
  const n = await readPoolNumber(db, actor, numberId, false);
  if (!n) return null;
  const notToUsers = whyNotToUsers(n.kind, n.country, n.office_country, n.office_name);
  const terms = q.toLowerCase().split(/\s+/).filter(Boolean);
  const nameMatches = terms.length ? sql`and ${sql.join(terms.map(searchTextHolds), sql` and `)}` : sql``;

  // One statement: groups, the users to choose from (with their total), and the free add-ons.
  const row = await db
    .selectNoFrom((eb) => [
      sql<
        { id: number; name: string; kind: GroupKind }[]
      >`(select coalesce(json_agg(json_build_object('id', g.id, 'name', g.name, 'kind', g.kind) order by g.name), '[]') from groups g where g.office_id = ${n.office_id} and g.company_id = ${actor.company.id})`.as(
        "groups",
      ),
      sql<
        { id: number; name: string; license: UserLicenseType; primary: string | null }[]
      >`(select coalesce(json_agg(json_build_object('id', x.id, 'name', x.name, 'license', x.license_type, 'primary', x.e164) order by x.sort_name, x.id), '[]') from (
          select u.id, u.first_name || ' ' || u.last_name as name, u.license_type, u.sort_name,
                 (select p.e164 from phone_numbers p where p.assigned_user_id = u.id and p.is_primary) as e164
            from users u
           where u.company_id = ${actor.company.id} and u.office_id = ${n.office_id} and u.status <> 'deleted'
             ${nameMatches}
           order by u.sort_name, u.id limit ${USER_CHOICES}) x)`.as("users"),
      sql<number>`(select count(*) from users u where u.company_id = ${actor.company.id} and u.office_id = ${n.office_id} and u.status <> 'deleted'
             ${nameMatches})`.as("user_total"),
      eb
        .selectFrom("license_pools as lp")
        .select(
          sql<
            Record<string, number>
          >`coalesce(json_object_agg(lp.license_type, lp.purchased - lp.assigned), '{}')`.as("free"),
        )
        .where("lp.office_id", "=", n.office_id)
        .where("lp.license_type", "in", ["local_number", "fax_line", "toll_free_number"])
        .as("free_addons"),
    ])
    .executeTakeFirstOrThrow();

  const heldUntil = isOnHold(n.held_until, now) ? n.held_until : null;
  const unavailable = await claimRefusal(db, actor, n, now);
  return {
    number: {
      id: n.id,
      e164: n.e164,
      formatted: formatNumber(n.e164)!,
      kind: n.kind,
      country: n.country,
      officeName: n.office_name,
      lastHolderName: n.last_holder_name,
      unassignedAt: n.unassigned_at,
      heldUntil,
    },
    /** Why it cannot be reassigned now, or null. */
    unavailable,
    notToUsers,
    groups: [...row.groups].sort(
      (a, b) => GROUP_ORDER[a.kind] - GROUP_ORDER[b.kind] || a.name.localeCompare(b.name),
    ),
    users: notToUsers ? [] : row.users.map((u) => ({ ...u, primary: formatNumber(u.primary) })),
    userTotal: notToUsers ? 0 : Number(row.user_total),
    freeAddons: {
      local_number: Number(row.free_addons?.local_number ?? 0),
      fax_line: Number(row.free_addons?.fax_line ?? 0),
      toll_free_number: Number(row.free_addons?.toll_free_number ?? 0),
    },
  };
}

export type ReassignForm = NonNullable<Awaited<ReturnType<typeof loadReassignForm>>>;

export async function reassignNumber(
  db: Kysely<Database>,
  actor: Actor,
  numberId: number,
  input: ReassignInput,
  at: Date,
) {
  const parsed = parseTarget(input.target);
  // The form's schema checks the target; a caller that did not gets the form's own message.
  if (!parsed) return refused("Choose who gets this number.");
  const target = parsed;
  return refusable(async () => {
    let addon: AddonLicenseType | null = null;
    let officeName = "";
    try {
      return await db.transaction().execute(async (tx) => {
        // Lock order everywhere: the user, then the numbers (see remove.server.ts).
        const user =
          target.type === "user"
            ? await tx
                .selectFrom("users as u")
                .select(["u.id", "u.first_name", "u.last_name", "u.license_type", "u.office_id"])
                .where(usersInScope(actor))
                .where("u.id", "=", target.id)
                .where("u.status", "<>", "deleted")
                .forNoKeyUpdate()
                .executeTakeFirst()
            : null;
        const n = await readPoolNumber(tx, actor, numberId, true);
        if (!n) throw new Refusal("This reserved number", "not_found");
        const unclaimable = await claimRefusal(tx, actor, n, at);
        if (unclaimable) throw new Refusal(unclaimable.message);
        officeName = n.office_name;
        const label = formatNumber(n.e164)!;
        const entries: AuditEntry[] = [];
        let assignedTo: string;
        let primary = false;

        if (target.type === "group") {
          const group = await tx
            .selectFrom("groups")
            .select(["id", "name"])
            .where("id", "=", target.id)
            .where("office_id", "=", n.office_id)
            .where("company_id", "=", actor.company.id)
            .executeTakeFirst();
          if (!group)
            throw new Refusal(`That group is not one of ${n.office_name}'s: a number stays in its office.`);
          addon = seatFor(n.kind, { group: true });
          assignedTo = group.name;
          await fromPool(tx, [{ id: n.id, groupId: group.id, addon }]);
        } else {
          if (!user) throw new Refusal("That user is no longer active in your offices. Choose someone else.");
          const notToUsers = whyNotToUsers(n.kind, n.country, n.office_country, n.office_name);
          if (notToUsers) throw new Refusal(notToUsers);
          if (user.office_id !== n.office_id) {
            throw new Refusal(
              `Only users of ${n.office_name} can get this number: a number stays in its office.`,
            );
          }
          primary = n.kind === "local" && input.as === "primary";
          addon = seatFor(n.kind, { licenseType: user.license_type, primary });
          assignedTo = `${user.first_name} ${user.last_name}`;
          if (primary) {
            const old = await tx
              .selectFrom("phone_numbers")
              .select(["id", "e164", "office_id", "addon_license_type"])
              .where("assigned_user_id", "=", user.id)
              .where("is_primary", "=", true)
              .forUpdate()
              .executeTakeFirst();
            if (old) {
              // Before the new one takes its place: the one-primary index, and the add-on seat it frees.
              await toPool(tx, { ids: [old.id] }, at);
              entries.push({
                action: "phone_number.removed",
                targetType: "phone_number",
                targetId: old.id,
                targetLabel: old.e164,
                officeId: old.office_id,
                before: {
                  state: "assigned",
                  user_id: user.id,
                  user: assignedTo,
                  primary: true,
                  addon: old.addon_license_type,
                },
                after: { state: "reserved", last_holder: assignedTo, reason: `replaced by ${n.e164}` },
              });
            }
          }
          await fromPool(tx, [{ id: n.id, userId: user.id, primary, addon }]);
        }
        entries.unshift({
          action: "phone_number.reassigned",
          ...claimedFromPool(n),
          after: {
            state: "assigned",
            ...(target.type === "user"
              ? { user_id: target.id, user: assignedTo, primary }
              : { group_id: target.id, group: assignedTo }),
            addon,
          },
        });
        await recordAudit(tx, actor, entries, at);
        const as =
          target.type === "group"
            ? ""
            : primary
              ? " as their primary number"
              : n.kind === "fax"
                ? " as a fax line"
                : " as an additional number";
        return `${label} is now assigned to ${assignedTo}${as}.`;
      });
    } catch (err) {
      if (violates(err, "license_pools_no_overspend") && addon) {
        throw new Refusal(
          `No ${LICENSE_NAMES[addon]} add-on is free in ${officeName}: this assignment needs one. Buy one in Company Settings > Licenses, or choose another target.`,
        );
      }
      // Someone else made this user's primary number at the same instant.
      if (violates(err, "phone_numbers_one_primary")) throw new Refusal(STALE);
      throw err;
    }
  });
}
