/**
 * One user as an admin sees them: what the list shows, plus groups, every
 * number, date added and first sign-in. Looked up within the admin's scope,
 * so an id of another office or company reads as not found.
 */
import type { Kysely } from "kysely";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import type { Database, UserStatus } from "../../db/schema.ts";
import type { Actor } from "../auth/actor.server.ts";
import { adminOfficesOf, currentUserInScope, PERSON_COLUMNS } from "../auth/scopes.server.ts";
import { userNumber } from "../numbers/format.server.ts";

export async function getUserProfile(db: Kysely<Database>, actor: Actor, userId: number) {
  const u = await currentUserInScope(db, actor, userId)
    .select((eb) => [
      ...PERSON_COLUMNS,
      "u.status",
      "u.license_type",
      "u.has_meetings_seat",
      "u.extension",
      "u.job_title",
      "u.timezone",
      "u.language",
      "u.is_company_admin",
      "u.has_proxy_access",
      "u.created_at",
      "u.first_signed_in_at",
      "u.office_id",
      "o.name as office_name",
      "o.timezone as office_timezone",
      jsonArrayFrom(
        eb
          .selectFrom("group_members as gm")
          .innerJoin("groups as g", "g.id", "gm.group_id")
          .select(["g.id", "g.name", "g.kind"])
          .whereRef("gm.user_id", "=", "u.id")
          .orderBy("g.name"),
      ).as("groups"),
      jsonArrayFrom(
        eb
          .selectFrom("phone_numbers as n")
          .select(["n.id", "n.e164", "n.kind", "n.is_primary", "n.addon_license_type"])
          .whereRef("n.assigned_user_id", "=", "u.id")
          .orderBy("n.is_primary", "desc")
          .orderBy("n.e164"),
      ).as("numbers"),
      adminOfficesOf(eb),
      // The live invite, which Resend invite names so that a replayed POST sends nothing more.
      eb
        .selectFrom("invites as i")
        .select("i.id")
        .whereRef("i.user_id", "=", "u.id")
        .where("i.used_at", "is", null)
        .where("i.voided_at", "is", null)
        .orderBy("i.id", "desc")
        .limit(1)
        .as("live_invite_id"),
    ])
    .executeTakeFirst();
  if (!u) return null;
  return {
    id: u.id,
    name: `${u.first_name} ${u.last_name}`,
    email: u.email!,
    status: u.status as Exclude<UserStatus, "deleted">,
    licenseType: u.license_type,
    hasMeetingsSeat: u.has_meetings_seat,
    extension: u.extension,
    jobTitle: u.job_title,
    timezone: u.timezone ?? u.office_timezone,
    language: u.language,
    officeId: u.office_id,
    officeName: u.office_name,
    isCompanyAdmin: u.is_company_admin,
    hasProxyAccess: u.has_proxy_access || (u.is_company_admin && actor.higherTier),
    proxyAccessGranted: u.has_proxy_access,
    adminOffices: u.admin_offices,
    createdAt: u.created_at,
    firstSignedInAt: u.first_signed_in_at,
    liveInviteId: u.live_invite_id,
    groups: u.groups,
    numbers: u.numbers.map(userNumber),
  };
}

export type UserProfile = NonNullable<Awaited<ReturnType<typeof getUserProfile>>>;
