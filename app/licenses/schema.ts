/**
 * What the license pages and the browser share: the categories of Company
 * Settings > Licenses, the steps of Transfer Licenses, group eligibility, and
 * the forms' schemas. Plain module: no server code, so route components may
 * import it.
 */
import { z } from "zod";
import {
  LICENSE_TYPES,
  type LicenseCategory,
  type LicenseType,
  type UserLicenseType,
} from "../../db/schema.ts";
import { idField, plainText } from "../input.ts";

export const CATEGORIES: { code: LicenseCategory; name: string }[] = [
  { code: "dialpad", name: "Dialpad" },
  { code: "meetings", name: "Dialpad Meetings" },
  { code: "addon", name: "Add-on" },
];
export const CATEGORY_NAMES: Record<LicenseCategory, string> = Object.fromEntries(
  CATEGORIES.map((c) => [c.code, c.name]),
) as Record<LicenseCategory, string>;

/** Which group kinds a Dialpad license may be a member of; the main line takes everyone. */
export const GROUP_ELIGIBILITY: Record<"department" | "call_center", readonly UserLicenseType[]> = {
  department: ["connect", "sell"],
  call_center: ["sell", "support"],
};

/** Transfer Licenses, one GET step after another; the state is in the URL. */
export const TRANSFER_STEPS = ["category", "from", "to", "type", "review"] as const;
export type TransferStep = (typeof TRANSFER_STEPS)[number];

export const MAX_TRANSFER = 10_000;

/** Every value of the flow is optional: a step asks only for what came before it. */
export const transferParamsSchema = z.object({
  step: z.enum(TRANSFER_STEPS).catch("category"),
  category: z.enum(["dialpad", "meetings", "addon"]).optional().catch(undefined),
  from: idField("Choose an office.").optional().catch(undefined),
  to: idField("Choose an office.").optional().catch(undefined),
  // Checked against the source office's pools by resolveTransferStep, which says what is wrong beside the field.
  type: plainText("the type", 40).optional().catch(undefined),
  quantity: plainText("the quantity", 40).optional().catch(undefined),
});
export type TransferParams = z.infer<typeof transferParamsSchema>;

/** The review, as confirmed: with the review key of the counts of both pools the admin saw. */
export const licenseTransferConfirmSchema = z.object({
  category: z.enum(["dialpad", "meetings", "addon"]),
  from: idField("Choose an office."),
  to: idField("Choose an office."),
  type: z.enum(LICENSE_TYPES),
  quantity: z.coerce.number().int().positive().max(MAX_TRANSFER),
  seen: z.string().min(1).max(64),
});

/** The URL of a step of Transfer Licenses, carrying every value entered so far. */
export function transferUrl(
  step: TransferStep,
  values: Partial<Record<"category" | "from" | "to" | "type" | "quantity", string | number>>,
) {
  const search = new URLSearchParams({ step });
  for (const k of ["category", "from", "to", "type", "quantity"] as const) {
    const v = values[k];
    if (v !== undefined && v !== "") search.set(k, String(v));
  }
  return `/company/licenses/transfer?${search}`;
}

export const USER_LICENSE_CHOICES: UserLicenseType[] = ["connect", "sell", "support"];

export const licenseChangeSchema = z.object({
  to: z.enum(["connect", "sell", "support"], "Choose a license type."),
  keepNumber: z.boolean().default(false),
  /** What the confirmation showed (see confirmationKey): a change since then is refused. */
  seen: z.string().max(2000),
});
export type LicenseChangeInput = z.infer<typeof licenseChangeSchema>;

export type { LicenseType, UserLicenseType };
