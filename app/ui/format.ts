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

const DATE: Intl.DateTimeFormatOptions = { dateStyle: "medium" };
const DATE_TIME: Intl.DateTimeFormatOptions = {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "numeric",
  minute: "2-digit",
  timeZoneName: "short",
};

/**
 * One formatter per style and time zone, kept: building an Intl.DateTimeFormat costs far more than
 * formatting a date with it, and a list page formats a hundred. Time zones are IANA names, so few.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterOf(
  style: Intl.DateTimeFormatOptions,
  zone: string | null | undefined,
): Intl.DateTimeFormat {
  const timeZone = zone ?? "UTC";
  const key = `${style === DATE ? "date" : "dateTime"} ${timeZone}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", { ...style, timeZone });
    formatters.set(key, formatter);
  }
  return formatter;
}

export function formatDate(value: string | Date | null | undefined, timeZone?: string | null): string {
  if (!value) return "—";
  return formatterOf(DATE, timeZone).format(new Date(value));
}

export function formatDateTime(value: string | Date | null | undefined, timeZone?: string | null): string {
  if (!value) return "—";
  return formatterOf(DATE_TIME, timeZone).format(new Date(value));
}
