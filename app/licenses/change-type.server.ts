/**
 * Changing a user's license type (Connect, Sell, Support), as
 * docs/domain.md says ("Changing a user's license type"): the new type
 * needs an unassigned seat in the user's office (the old one becomes
 * unassigned); groups the new type is not eligible for are left;
 * Connect → Sell or Support keeps the primary number only with an unassigned
 * Local number add-on (else, or if the admin prefers, the number goes to the
 * Reserved Pool); Sell or Support → Connect makes the number the included
 * one and frees its add-on.
 *
 * The confirmation page shows a preview; the POST carries its key, and the
 * change re-reads everything under lock and refuses if the key differs, so
 * nothing happens that the admin did not see.
 */
import type { Kysely, Transaction } from "kysely";
import type { AddonLicenseType, Database, GroupKind, UserLicenseType } from "../../db/schema.ts";
import type { Actor } from "../auth/actor.server.ts";
import { scopedUsers } from "../auth/scopes.server.ts";
import { recordAudit } from "../audit/record.server.ts";
import { formatNumber } from "../numbers/format.server.ts";
import { reseat, seatFor, toPool } from "../numbers/moves.server.ts";
import { LICENSE_NAMES } from "../ui/format.ts";
import { GROUP_ELIGIBILITY, USER_LICENSE_CHOICES, type LicenseChangeInput } from "./schema.ts";
import { reviewKey, refuseIfStale } from "../review-key.server.ts";
import { Refusal, refusing, type Outcome } from "../refusal.server.ts";

type Db = Kysely<Database> | Transaction<Database>;

const POOL_TYPES = [...USER_LICENSE_CHOICES, "local_number"] as const;

async function readState(db: Db, actor: Actor, userId: number, lock: boolean) {
  let userQuery = scopedUsers(db, actor)
    .select([
      "u.id",
      "u.first_name",
      "u.last_name",
      "u.status",
      "u.license_type",
      "u.office_id",
      "o.name as office_name",
    ])
    .where("u.id", "=", userId)
    .where("u.status", "<>", "deleted");
  if (lock) userQuery = userQuery.forNoKeyUpdate("u");
  const user = await userQuery.executeTakeFirst();
  if (!user) return null;
  let poolQuery = db
    .selectFrom("license_pools")
    .select(["license_type", "purchased", "assigned"])
    .where("office_id", "=", user.office_id)
    .where("license_type", "in", POOL_TYPES)
    .orderBy("license_type");
  if (lock) poolQuery = poolQuery.forUpdate();
  const pools = await poolQuery.execute();
  const groups = await db
    .selectFrom("group_members as gm")
    .innerJoin("groups as g", "g.id", "gm.group_id")
    .select(["g.id", "g.name", "g.kind"])
    .where("gm.user_id", "=", user.id)
    .orderBy("g.name")
    .execute();
  let numberQuery = db
    .selectFrom("phone_numbers")
    .select(["id", "e164", "addon_license_type"])
    .where("assigned_user_id", "=", user.id)
    .where("is_primary", "=", true)
    .where("kind", "=", "local");
  if (lock) numberQuery = numberQuery.forUpdate();
  const primary = await numberQuery.executeTakeFirst();
  const unassigned = (type: string) => {
    const p = pools.find((r) => r.license_type === type);
    return p ? p.purchased - p.assigned : 0;
  };
  return { user, unassigned, groups, primary };
}

type State = NonNullable<Awaited<ReturnType<typeof readState>>>;

/** What happens to the user's primary local number. */
export type NumberOutcome =
  /** Connect → Sell/Support with an add-on free: kept (if the admin wants), else to the Reserved Pool. */
  | "can_keep"
  /** Connect → Sell/Support with no add-on free: to the Reserved Pool. */
  | "to_pool"
  /** Sell/Support → Connect: the number becomes the included one; its add-on is freed. */
  | "becomes_included";

export interface LicenseChangePreview {
  user: { id: number; name: string; officeName: string; licenseType: UserLicenseType };
  to: UserLicenseType;
  /** Unassigned seats of the new type in the user's office. */
  freeSeats: number;
  refusal: string | null;
  groupsRemoved: { id: number; name: string; kind: GroupKind }[];
  groupsKept: { id: number; name: string; kind: GroupKind }[];
  number: null | { id: number; e164: string; formatted: string; outcome: NumberOutcome; freeAddons: number };
  /** Everything the admin decides on, as one string: the POST must carry the same. */
  key: string;
}

const eligible = (kind: GroupKind, type: UserLicenseType) =>
  kind === "main_line" || GROUP_ELIGIBILITY[kind].includes(type);

function preview(state: State, to: UserLicenseType): LicenseChangePreview {
  const { user } = state;
  const name = `${user.first_name} ${user.last_name}`;
  const from = user.license_type;
  const freeSeats = state.unassigned(to);
  let refusal: string | null = null;
  if (to === from) refusal = `${name} already has a ${LICENSE_NAMES[to]} license.`;
  // A suspended user holds no seat to change: the type they come back with is chosen once they hold one.
  else if (user.status === "suspended") refusal = `${name} is suspended: reactivate them first.`;
  else if (freeSeats < 1) {
    refusal = `${user.office_name} has no unassigned ${LICENSE_NAMES[to]} license, so ${name} cannot be switched to ${LICENSE_NAMES[to]}. Transfer one from another office first, or free one.`;
  }
  const groupsRemoved = state.groups.filter((g) => !eligible(g.kind, to));
  const groupsKept = state.groups.filter((g) => eligible(g.kind, to));
  let number: LicenseChangePreview["number"] = null;
  const primary = state.primary;
  if (primary && from === "connect" && to !== "connect" && !primary.addon_license_type) {
    const freeAddons = state.unassigned("local_number");
    number = {
      id: primary.id,
      e164: primary.e164,
      formatted: formatNumber(primary.e164)!,
      outcome: freeAddons > 0 ? "can_keep" : "to_pool",
      freeAddons,
    };
  } else if (
    primary &&
    from !== "connect" &&
    to === "connect" &&
    primary.addon_license_type === "local_number"
  ) {
    number = {
      id: primary.id,
      e164: primary.e164,
      formatted: formatNumber(primary.e164)!,
      outcome: "becomes_included",
      freeAddons: 0,
    };
  }
  const key = reviewKey([
    from,
    to,
    groupsRemoved.map((g) => g.id).join(","),
    number ? `${number.id}:${number.outcome}` : "-",
  ]);
  return {
    user: { id: user.id, name, officeName: user.office_name, licenseType: from },
    to,
    freeSeats,
    refusal,
    groupsRemoved,
    groupsKept,
    number,
    key,
  };
}

/** The user as the "choose a type" step shows them, with the free seats of each type; null if not in scope. */
export async function licenseChoices(db: Kysely<Database>, actor: Actor, userId: number) {
  const state = await readState(db, actor, userId, false);
  if (!state) return null;
  return {
    user: {
      id: state.user.id,
      name: `${state.user.first_name} ${state.user.last_name}`,
      officeName: state.user.office_name,
      licenseType: state.user.license_type,
    },
    choices: USER_LICENSE_CHOICES.map((type) => ({ type, unassigned: state.unassigned(type) })),
  };
}

export async function previewLicenseChange(
  db: Kysely<Database>,
  actor: Actor,
  userId: number,
  to: UserLicenseType,
): Promise<LicenseChangePreview | null> {
  const state = await readState(db, actor, userId, false);
  return state && preview(state, to);
}

export async function changeLicenseType(
  db: Kysely<Database>,
  actor: Actor,
  userId: number,
  input: LicenseChangeInput,
  now: Date,
): Promise<Outcome> {
  return refusing(
    () =>
      db.transaction().execute(async (tx) => {
        const state = await readState(tx, actor, userId, true);
        if (!state) throw new Refusal("This user", "not_found");
        const p = preview(state, input.to);
        if (p.refusal) throw new Refusal(p.refusal);
        refuseIfStale(
          [{ name: p.user.name, key: p.key, seen: input.seen }],
          ([name]) =>
            `Something changed for ${name} since this confirmation was shown (license, groups, number or add-ons), so nothing was changed. Check the confirmation again below.`,
        );
        const { user } = state;
        let numberNote = "";
        let numberAfter:
          { e164: string; addon: AddonLicenseType | null } | { e164: string; state: "reserved" } | null =
          state.primary ? { e164: state.primary.e164, addon: state.primary.addon_license_type } : null;
        if (p.number) {
          const n = p.number;
          if (n.outcome === "can_keep" && input.keepNumber) {
            const addon = seatFor("local", { licenseType: input.to, primary: true });
            await reseat(tx, n.id, { addon });
            numberAfter = { e164: n.e164, addon };
            numberNote = ` ${n.formatted} is kept, with a Local number add-on.`;
          } else if (n.outcome === "becomes_included") {
            const addon = seatFor("local", { licenseType: input.to, primary: true });
            await reseat(tx, n.id, { addon });
            numberAfter = { e164: n.e164, addon };
            numberNote = ` ${n.formatted} is now the number included with Connect; its Local number add-on is unassigned.`;
          } else {
            await toPool(tx, { ids: [n.id] }, now);
            numberAfter = { e164: n.e164, state: "reserved" };
            numberNote = ` ${n.formatted} went to the Reserved Pool.`;
          }
        }
        // The trigger moves the seat, and refuses (license_pools_no_overspend) if none is free.
        await tx.updateTable("users").set({ license_type: input.to }).where("id", "=", user.id).execute();
        if (p.groupsRemoved.length > 0) {
          await tx
            .deleteFrom("group_members")
            .where("user_id", "=", user.id)
            .where(
              "group_id",
              "in",
              p.groupsRemoved.map((g) => g.id),
            )
            .execute();
        }
        await recordAudit(
          tx,
          actor,
          {
            action: "user.license_changed",
            targetType: "user",
            targetId: user.id,
            targetLabel: p.user.name,
            officeId: user.office_id,
            before: {
              license_type: user.license_type,
              groups: state.groups.map((g) => g.name),
              number: state.primary
                ? { e164: state.primary.e164, addon: state.primary.addon_license_type }
                : null,
            },
            after: { license_type: input.to, groups: p.groupsKept.map((g) => g.name), number: numberAfter },
          },
          now,
        );
        const removed = p.groupsRemoved.length
          ? ` Removed from ${p.groupsRemoved.map((g) => g.name).join(", ")}.`
          : "";
        return {
          ok: true as const,
          message: `${p.user.name} now has a ${LICENSE_NAMES[input.to]} license.${removed}${numberNote}`,
        };
      }),
    async () => {
      const state = await readState(db, actor, userId, false);
      return state
        ? `${state.user.office_name} has no unassigned ${LICENSE_NAMES[input.to]} license or Local number add-on any more: nothing was changed.`
        : "Nothing was changed.";
    },
  );
}
