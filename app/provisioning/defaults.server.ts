/**
 * The company's defaults for provisioned users (docs/domain.md,
 * "Provisioning"): the office and license type a user created over SCIM gets
 * when the request's extension names neither. Set on Company Settings ›
 * Provisioning; until then, the company's first office and Connect.
 */
import { sql, type Kysely } from "kysely";
import type { Database, UserLicenseType } from "../../db/schema.ts";
import type { Actor } from "../auth/actor.server.ts";
import { changeCompanySettings } from "../company-settings.server.ts";
import { lockCompany } from "../users/delete.server.ts";
import { refused, type Result } from "../refusal.server.ts";
import type { DefaultsInput } from "./schema.ts";

export interface ProvisioningDefaults {
  officeId: number;
  officeName: string;
  licenseType: UserLicenseType;
}

/** The defaults as they apply now: the office set (else the first), the license set (else Connect). */
export async function provisioningDefaults(
  db: Kysely<Database>,
  companyId: number,
): Promise<ProvisioningDefaults> {
  const row = await db
    .selectFrom("companies as c")
    .innerJoin("offices as o", "o.company_id", "c.id")
    .select(["o.id", "o.name", "c.provisioning_license_type"])
    .where("c.id", "=", companyId)
    // the office set first, else the first office
    .orderBy(sql`o.id = c.provisioning_office_id`, (ob) => ob.desc().nullsLast())
    .orderBy("o.id")
    .limit(1)
    .executeTakeFirstOrThrow();
  return { officeId: row.id, officeName: row.name, licenseType: row.provisioning_license_type ?? "connect" };
}

/**
 * Sets the defaults, in one transaction with its audit entry. The office must
 * be the company's (another company's id is refused beside the field, as an
 * unknown one); the same defaults again change and record nothing.
 */
export async function saveProvisioningDefaults(
  db: Kysely<Database>,
  actor: Actor,
  input: DefaultsInput,
  now: Date,
): Promise<Result<{ message: string }>> {
  return db.transaction().execute(async (tx) => {
    // Locked so that two admins saving at once are recorded in the order they applied.
    await lockCompany(tx, actor.company.id);
    const office = await tx
      .selectFrom("offices")
      .select(["id", "name"])
      .where("id", "=", input.officeId)
      .where("company_id", "=", actor.company.id)
      .executeTakeFirst();
    if (!office) return refused(`Choose one of ${actor.company.name}'s offices.`, "invalid", "officeId");
    const before = await provisioningDefaults(tx, actor.company.id);
    if (before.officeId === office.id && before.licenseType === input.licenseType)
      return { ok: true as const, message: "The defaults for provisioned users are unchanged." };
    await changeCompanySettings(
      tx,
      actor,
      {
        set: { provisioning_office_id: office.id, provisioning_license_type: input.licenseType },
        action: "company.provisioning_defaults_changed",
        label: "Defaults for provisioned users",
        before: { office: before.officeName, license_type: before.licenseType },
        after: { office: office.name, license_type: input.licenseType },
      },
      now,
    );
    return {
      ok: true as const,
      message: "Saved: users your identity provider creates without an office or license get these.",
    };
  });
}
