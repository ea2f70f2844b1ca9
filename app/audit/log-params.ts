/**
 * The audit log page's filters and position, as they live in the URL (a GET
 * form). Shared by the server (the query) and the page (the form, the links).
 */
import { z } from "zod";
import { idField, plainText } from "../input.ts";
import { BULK_AUDIT_LABELS } from "../users/bulk-actions.ts";

export const AUDIT_PAGE_SIZE = 50;

/**
 * Every action the app records, in plain words (grouped as the filter lists
 * them). recordAudit takes only these (AuditAction), so an action recorded
 * without a label does not compile. The bulk actions' labels come from their
 * registry.
 */
export const AUDIT_ACTIONS = {
  "user.added": "Added a user",
  "users.imported": "Imported users from a file",
  "user.invite_resent": "Resent an invite",
  "user.activated": "Accepted the invite",
  "user.settings_updated": "Changed account settings",
  "user.edited": "Edited a user's details",
  "user.license_changed": "Changed the license type",
  "user.transferred": "Transferred a user to another office",
  "user.admin_access_added": "Added admin access",
  "user.admin_access_removed": "Removed admin access",
  "user.admin_access_changed": "Changed admin access",
  "user.proxy_access_granted": "Gave proxy access",
  "user.proxy_access_removed": "Removed proxy access",
  "user.deleted": "Deleted a user",
  "user.restored": "Restored a user",
  "user.suspended": "Suspended a user",
  "user.reactivated": "Reactivated a user",
  "user.anonymized": "Anonymized a deleted user",
  ...BULK_AUDIT_LABELS,
  "phone_number.reassigned": "Reassigned a number",
  "phone_number.removed": "Removed a number from a user",
  "phone_number.made_primary": "Made a number primary",
  "phone_number.released": "Deleted a reserved number",
  "license.transferred_out": "Transferred licenses out",
  "license.transferred_in": "Transferred licenses in",
  "proxy.started": "Started a proxy login",
  "proxy.ended": "Ended a proxy login",
  "provisioning_token.created": "Created a provisioning token",
  "provisioning_token.revoked": "Revoked a provisioning token",
  "user.provisioning_identity_changed": "Changed a user's identity-provider name",
  "company.security_changed": "Changed the security settings",
  "company.provisioning_defaults_changed": "Changed the defaults for provisioned users",
} as const;
export type AuditAction = keyof typeof AUDIT_ACTIONS;

/** A calendar day, YYYY-MM-DD, that exists (no 2026-02-30). */
const day = z
  .string()
  .trim()
  // abort: one message for "yesterday", not two
  .regex(/^\d{4}-\d{2}-\d{2}$/, {
    message: "Enter a date as YYYY-MM-DD, for example 2026-11-27.",
    abort: true,
  })
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s && s >= "2000-01-01";
  }, "This date does not exist. Enter a date as YYYY-MM-DD, from 2000 on.")
  .optional();

/** A position in the log: an entry id, from a Next or Previous link. */
const cursor = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional().catch(undefined);

export const auditFilters = z
  .object({
    who: plainText("the name or email", 200).optional(),
    /** A provisioning token of the company, as who acted (an id from the list). */
    token: idField("Choose a token from the list.").optional(),
    target: plainText("the target", 200).optional(),
    action: z
      .enum(Object.keys(AUDIT_ACTIONS) as [AuditAction, ...AuditAction[]], "Choose an action from the list.")
      .optional(),
    from: day,
    to: day,
    /** Entries older than this one (Next page). */
    before: cursor,
    /** Entries newer than this one (Previous page). */
    after: cursor,
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, {
    path: ["to"],
    message: "The end date is before the start date.",
  });
export type AuditFilters = z.infer<typeof auditFilters>;

export const FILTER_KEYS = ["who", "token", "target", "action", "from", "to"] as const;

/** The URL of the log with these filters (and position, if any). */
export function auditUrl(filters: Partial<AuditFilters>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v !== undefined && v !== "") search.set(k, String(v));
  const s = search.toString();
  return s ? `/audit?${s}` : "/audit";
}
