import type { GroupKind, LicenseType, NumberKind, UserStatus } from "../../db/schema.ts";

/**
 * Names the UI uses for values stored as codes: one name per idea. Keyed by
 * their code types, so only a code can index them; a value from outside (a
 * URL, a stored JSON detail) is looked up with nameIn or isOneOf from
 * app/input.ts, never as obj[value], where "constructor" names a function.
 */
export const LICENSE_NAMES: Record<LicenseType, string> = {
  connect: "Connect",
  sell: "Sell",
  support: "Support",
  meetings: "Meetings",
  local_number: "Local number",
  toll_free_number: "Toll-free number",
  fax_line: "Fax line",
};

export const STATUS_NAMES: Record<UserStatus, string> = {
  active: "Active",
  pending: "Pending",
  suspended: "Suspended",
  deleted: "Deleted",
};

export const GROUP_KIND_NAMES: Record<GroupKind, string> = {
  main_line: "Main line",
  department: "Department",
  call_center: "Call center",
};

export const NUMBER_KIND_NAMES: Record<NumberKind, string> = {
  local: "Local",
  toll_free: "Toll-free",
  fax: "Fax",
};

export function formatDate(value: string | Date | null | undefined, timeZone?: string): string {
  if (!value) return "—";
  return new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeZone: timeZone ?? "UTC" }).format(
    new Date(value),
  );
}

export function formatDateTime(value: string | Date | null | undefined, timeZone?: string): string {
  if (!value) return "—";
  return new Intl.DateTimeFormat("en-US", {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "numeric",
    minute: "2-digit",
    timeZone: timeZone ?? "UTC",
    timeZoneName: "short",
  }).format(new Date(value));
}
