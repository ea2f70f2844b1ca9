/**
 * Add User: a new person in one of the admin's offices, with a license seat
 * and a number (from the office's Reserved Pool, or a new one from the
 * number provider), invited by email. They stay Pending until they set a
 * password through the invite.
 */
import type { Kysely, Transaction } from "kysely";
import type { Database, LicenseType, UserLicenseType } from "../../db/schema.ts";
import { actingUserId, type Actor } from "../auth/actor.server.ts";
import { recordAudit } from "../audit/record.server.ts";
import { formatNumber } from "../numbers/format.server.ts";
import { localNumberProvider, type NumberProvider } from "../numbers/provider.server.ts";
import { reviewHoldOn, offerablePoolNumbers } from "../numbers/review-holds.server.ts";
import { lockPoolsOf } from "../licenses/pools.server.ts";
import { fromPool, provisionAndAssign, seatFor } from "../numbers/moves.server.ts";
import { LICENSE_NAMES } from "../ui/format.ts";
import { refused, Refusal, type Result } from "../refusal.server.ts";
import { issueInvite, mailInviteAfterCommit } from "./invite.server.ts";
import { parseTaggedId } from "../input.ts";
import { EMAIL_TAKEN, emailTaken, uniquenessRefusal } from "./unique.server.ts";
import type { AddUserInput } from "./add-schema.ts";

/** What the form offers for an office: its free pool numbers and some new ones. */
export async function numberChoices(
  db: Kysely<Database>,
  actor: Actor,
  officeId: number,
  now: Date,
  provider: NumberProvider = localNumberProvider,
) {
  const office = await db
    .selectFrom("offices")
    .select(["id", "name", "country"])
    .where("id", "=", officeId)
    .where("company_id", "=", actor.company.id)
    .executeTakeFirst();
  if (!office || !actor.adminOfficeIds.includes(office.id)) return null;
  // Offer numbers in the area code the office already uses most, if the provider has some.
  const usual = await db
    .selectFrom("phone_numbers as n")
    .innerJoin("provider_numbers as pn", "pn.e164", "n.e164")
    .select("pn.area_code")
    .where("n.office_id", "=", office.id)
    .where("n.kind", "=", "local")
    .groupBy("pn.area_code")
    .orderBy((eb) => eb.fn.countAll(), "desc")
    .limit(1)
    .executeTakeFirst();
  const query = { country: office.country, kind: "local" as const };
  const [pool, fresh] = await Promise.all([
    offerablePoolNumbers(db, actor.company.id, office.id, now)
      .select(["n.id", "n.e164", "n.last_holder_name", "n.unassigned_at"])
      .limit(20)
      .execute(),
    provider
      .findAvailable(db, { ...query, areaCode: usual?.area_code }, 5, now)
      .then((found) => (found.length || !usual ? found : provider.findAvailable(db, query, 5, now))),
  ]);
  return {
    office,
    pool: pool.map((n) => ({
      id: n.id,
      formatted: formatNumber(n.e164)!,
      lastHolder: n.last_holder_name,
      unassignedAt: n.unassigned_at,
    })),
    fresh: fresh.map((n) => ({ e164: n.e164, formatted: formatNumber(n.e164)! })),
  };
}

/**
 * Refused beside the field it is about: `email`, `licenseType`, `number` or `officeId`.
 * `mailed`: whether the mailer took the invite (see mailInviteAfterCommit).
 */
export type AddUserResult = Result<{ userId: number; name: string; mailed: boolean }>;

const missing = (type: LicenseType, office: string, what: "license" | "add-on") =>
  `${office} has no unassigned ${LICENSE_NAMES[type]} ${what}. Free one, or buy or transfer one in Company Settings › Licenses.`;

/** Unassigned seats of a type in the office; its pools are locked already (lockPoolsOf). */
async function freeSeats(tx: Transaction<Database>, officeId: number, type: string) {
  const pool = await tx
    .selectFrom("license_pools")
    .select(["purchased", "assigned"])
    .where("office_id", "=", officeId)
    .where("license_type", "=", type as never)
    .executeTakeFirst();
  return pool ? pool.purchased - pool.assigned : 0;
}

/** What addUserIn did: the result, and the invite to mail once the caller's transaction commits. */
export type AddedUser = Result<{ userId: number; name: string; token?: string }>;

export async function addUser(
  db: Kysely<Database>,
  actor: Actor,
  input: AddUserInput,
  origin: string,
  now: Date,
  provider: NumberProvider = localNumberProvider,
): Promise<AddUserResult> {
  const result: AddedUser = await db
    .transaction()
    .execute((tx) => addUserIn(tx, actor, input, now, provider))
    .catch(addUserFailure);
  if (!result.ok) return result;
  const mailed =
    !result.token ||
    (await mailInviteAfterCommit(
      origin,
      { userId: result.userId, name: result.name, email: input.email, company: actor.company.name },
      result.token,
    ));
  return { ok: true, userId: result.userId, name: result.name, mailed };
}

/**
 * Add User's work inside the caller's transaction. A refusal found before
 * anything is written is returned; one found midway is thrown (a Refusal, or
 * the unique index's error), so the caller's transaction rolls back: the
 * caller turns it into a refusal with addUserFailure.
 */
export async function addUserIn(
  tx: Transaction<Database>,
  actor: Actor,
  input: AddUserInput,
  now: Date,
  provider: NumberProvider = localNumberProvider,
): Promise<AddedUser> {
  const office = await tx
    .selectFrom("offices")
    .select(["id", "name", "country"])
    .where("id", "=", input.officeId)
    .where("company_id", "=", actor.company.id)
    .executeTakeFirst();
  if (!office || !actor.adminOfficeIds.includes(office.id)) {
    return refused("Choose one of your offices.", "refused", "officeId");
  }
  if (await emailTaken(tx, input.email)) return refused(EMAIL_TAKEN, "refused", "email");

  // Locks in the order Reassign takes them: the chosen pool number, then the office's pools.
  const poolNumberId = parseTaggedId(input.number, ["pool"])?.id ?? null;
  if (poolNumberId !== null) {
    const chosen = await tx
      .selectFrom("phone_numbers")
      .select("e164")
      .where("id", "=", poolNumberId)
      .where("company_id", "=", actor.company.id)
      .where("office_id", "=", office.id)
      .where("state", "=", "reserved")
      .where("kind", "=", "local")
      .where((eb) => eb.or([eb("held_until", "is", null), eb("held_until", "<=", now)]))
      .forUpdate()
      .executeTakeFirst();
    if (!chosen)
      return refused(
        "That number is no longer free in the Reserved Pool. Choose another.",
        "refused",
        "number",
      );
    // Locked, so a hold taken before this shows now (app/numbers/review-holds.server.ts).
    const held = await reviewHoldOn(tx, actor, chosen.e164, now);
    if (held) return refused(`${held} Choose another.`, "refused", "number");
  }
  await lockPoolsOf(tx, [office.id]);

  const license: UserLicenseType = input.licenseType;
  if ((await freeSeats(tx, office.id, license)) < 1) {
    return refused(missing(license, office.name, "license"), "refused", "licenseType");
  }
  // Connect includes a local number; Sell and Support take a Local number add-on for one.
  const addon = input.number === "none" ? null : seatFor("local", { licenseType: license, primary: true });
  if (addon && (await freeSeats(tx, office.id, addon)) < 1) {
    return refused(
      `${missing(addon, office.name, "add-on")} Or add them without a number.`,
      "refused",
      "number",
    );
  }

  const user = await tx
    .insertInto("users")
    .values({
      company_id: actor.company.id,
      office_id: office.id,
      first_name: input.firstName,
      last_name: input.lastName,
      email: input.email,
      license_type: license,
      status: "pending",
      created_at: now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();

  let e164: string | null = null;
  if (poolNumberId !== null) {
    const [claimed] = await fromPool(tx, [{ id: poolNumberId, userId: user.id, primary: true, addon }]);
    e164 = claimed!.e164;
  } else if (input.number.startsWith("new:")) {
    e164 = input.number.slice(4);
    const wanted = { e164, officeId: office.id, country: office.country, userId: user.id, addon };
    if (await provisionAndAssign(tx, provider, actor.company.id, [wanted], now)) {
      throw new Refusal("That number was just taken by someone else. Choose another.");
    }
    // Provisioned, so locked: a hold taken before this shows now (app/numbers/review-holds.server.ts).
    const held = await reviewHoldOn(tx, actor, e164, now);
    if (held) throw new Refusal(`${held} Choose another.`);
  }

  const token = await issueInvite(tx, user.id, actingUserId(actor), now);
  const name = `${input.firstName} ${input.lastName}`;
  await recordAudit(
    tx,
    actor,
    {
      action: "user.added",
      targetType: "user",
      targetId: user.id,
      targetLabel: name,
      officeId: office.id,
      after: { status: "pending", office_id: office.id, license_type: license, number: e164 },
    },
    now,
  );
  return { ok: true, userId: user.id, name, token };
}

/** What addUserIn threw, as a refusal once its transaction has rolled back; anything else stays an error. */
export function addUserFailure(err: unknown): AddUserResult {
  // A refusal found midway (only ever about the number) rolls the whole transaction back.
  if (err instanceof Refusal) return refused(err.message, "refused", "number");
  // Two admins adding the same email at once: the unique index decides.
  const taken = uniquenessRefusal(err, null);
  if (taken?.field === "email") return refused(taken.message, "refused", "email");
  throw err;
}
