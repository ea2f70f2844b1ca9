/**
 * A SCIM User (RFC 7643 §4.1) to what Switchboard keeps of a person, and
 * back (docs/domain.md, "Provisioning"). Plain functions, no database: the
 * domain tests read them directly.
 */
import { z } from "zod";
import { USER_LICENSE_TYPES, type UserLicenseType } from "../../db/schema.ts";
import { email as emailField, jobTitle, personName } from "../users/person-fields.ts";
import { PLAIN_TEXT, plainText } from "../input.ts";
import { ScimError } from "./http.server.ts";

export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const EXTENSION_SCHEMA = "urn:switchboard:params:scim:schemas:extension:2.0:User";

/** The person as the SCIM service reads them (one query: app/scim/users.server.ts). */
export interface ScimUserRow {
  id: number;
  userName: string;
  externalId: string | null;
  firstName: string;
  lastName: string;
  email: string;
  jobTitle: string | null;
  officeId: number;
  officeName: string;
  licenseType: UserLicenseType;
  /** Not suspended (pending users are active to SCIM: they are provisioned and not deactivated). */
  active: boolean;
  createdAt: Date;
  lastModified: Date;
}

const LICENSES: Record<UserLicenseType, string> = { connect: "Connect", sell: "Sell", support: "Support" };

export function toScimUser(u: ScimUserRow, baseUrl: string) {
  return {
    schemas: [USER_SCHEMA, EXTENSION_SCHEMA],
    id: String(u.id),
    ...(u.externalId ? { externalId: u.externalId } : {}),
    userName: u.userName,
    name: { givenName: u.firstName, familyName: u.lastName, formatted: `${u.firstName} ${u.lastName}` },
    displayName: `${u.firstName} ${u.lastName}`,
    ...(u.jobTitle ? { title: u.jobTitle } : {}),
    emails: [{ value: u.email, type: "work", primary: true }],
    active: u.active,
    [EXTENSION_SCHEMA]: { office: u.officeName, license: LICENSES[u.licenseType] },
    meta: {
      resourceType: "User",
      created: u.createdAt.toISOString(),
      lastModified: u.lastModified.toISOString(),
      location: `${baseUrl}/Users/${u.id}`,
    },
  };
}

/** What a POST or PUT asks for, read and checked. */
export interface ScimUserInput {
  userName: string;
  externalId: string | null;
  firstName: string;
  lastName: string;
  email: string;
  jobTitle: string | undefined;
  /** From the extension schema; null: the company's default. */
  officeName: string | null;
  licenseType: UserLicenseType | null;
  /** false suspends, true reactivates (app/users/suspend.server.ts); null: not sent, unchanged. */
  active: boolean | null;
}

const invalidValue = (detail: string) => new ScimError(400, detail, "invalidValue");

/** A key of an object in any letter case (SCIM attribute names are case-insensitive), own keys only. */
export function pick(obj: unknown, name: string): unknown {
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) return undefined;
  const key = Object.keys(obj).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : (obj as Record<string, unknown>)[key];
}

/** Entra ID sends booleans as "True" / "False". */
export function scimBoolean(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (typeof value === "string" && /^(true|false)$/i.test(value)) return value.toLowerCase() === "true";
  return undefined;
}

function optionalString(obj: unknown, name: string): string | undefined {
  const v = pick(obj, name);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw invalidValue(`"${name}" must be a string.`);
  return v;
}

/** The person's email: the primary of `emails`, else the work one, else the first; else userName when it is an email. */
function chooseEmail(body: Record<string, unknown>, userName: string): string {
  const emails = pick(body, "emails");
  if (emails !== undefined && emails !== null && !Array.isArray(emails))
    throw invalidValue('"emails" must be a list.');
  const list = (emails ?? []) as unknown[];
  const chosen =
    list.find((e) => scimBoolean(pick(e, "primary")) === true) ??
    list.find((e) => String(pick(e, "type") ?? "").toLowerCase() === "work") ??
    list[0];
  const value = chosen === undefined ? userName : pick(chosen, "value");
  if (typeof value !== "string" || !emailField.safeParse(value).success)
    throw invalidValue(
      chosen === undefined
        ? "userName is not an email address: send the person's email in emails."
        : "The email in emails is not a valid email address.",
    );
  return value;
}

const fields = z.object({
  userName: plainText("the userName", 254).min(1, "userName is required."),
  externalId: plainText("the externalId", 254).optional(),
  firstName: personName("a first name (name.givenName)"),
  lastName: personName("a last name (name.familyName)"),
  jobTitle,
});

/**
 * A POST or PUT body as Switchboard keeps it. Attributes Switchboard does not
 * keep (addresses, phoneNumbers, roles…) are accepted and ignored.
 */
export function fromScimUser(body: Record<string, unknown>): ScimUserInput {
  const userName = pick(body, "userName");
  if (typeof userName !== "string" || userName.trim() === "")
    throw invalidValue("userName is required, as a string.");
  const name = pick(body, "name");
  const displayName = optionalString(body, "displayName")?.trim();
  // Without name.givenName and name.familyName, the displayName's first word and the rest.
  const [givenFromDisplay, ...rest] = (displayName ?? "").split(/\s+/);
  const parsed = fields.safeParse({
    userName: userName.trim(),
    externalId: optionalString(body, "externalId"),
    firstName: (optionalString(name, "givenName") ?? givenFromDisplay ?? "").trim(),
    lastName: (optionalString(name, "familyName") ?? rest.join(" ")).trim(),
    jobTitle: optionalString(body, "title")?.trim() || undefined,
  });
  if (!parsed.success) throw invalidValue(parsed.error.issues.map((i) => i.message).join(" "));

  const sentActive = pick(body, "active");
  const active = sentActive === undefined || sentActive === null ? null : scimBoolean(sentActive);
  if (active === undefined) throw invalidValue('"active" must be true or false.');

  const extension = pick(body, EXTENSION_SCHEMA);
  if (
    extension !== undefined &&
    extension !== null &&
    (typeof extension !== "object" || Array.isArray(extension))
  )
    throw invalidValue(`"${EXTENSION_SCHEMA}" must be an object of office and license.`);
  const officeName = optionalString(extension, "office")?.trim() || null;
  // Looked up by name in SQL: a control character (NUL above all) is refused here, not by the database.
  if (officeName !== null && (officeName.length > 200 || !PLAIN_TEXT.test(officeName)))
    throw invalidValue("office must be the name of one of the company's offices, in plain text.");
  const license = optionalString(extension, "license")?.trim().toLowerCase();
  if (license !== undefined && !(USER_LICENSE_TYPES as readonly string[]).includes(license))
    throw invalidValue(`license must be one of ${Object.values(LICENSES).join(", ")}.`);

  return {
    userName: parsed.data.userName,
    externalId: parsed.data.externalId ?? null,
    firstName: parsed.data.firstName,
    lastName: parsed.data.lastName,
    email: chooseEmail(body, parsed.data.userName),
    jobTitle: parsed.data.jobTitle,
    officeName,
    licenseType: (license as UserLicenseType | undefined) ?? null,
    active,
  };
}
