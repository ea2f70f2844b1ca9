/** Names the UI uses for values stored as codes: one name per idea. */
export const LICENSE_NAMES: Record<string, string> = {
  connect: "Connect",
  sell: "Sell",
  support: "Support",
  meetings: "Meetings",
  local_number: "Local number",
  toll_free_number: "Toll-free number",
  fax_line: "Fax line",
};

export const STATUS_NAMES: Record<string, string> = {
  active: "Active",
  pending: "Pending",
  deleted: "Deleted",
};

export const GROUP_KIND_NAMES: Record<string, string> = {
  main_line: "Main line",
  department: "Department",
  call_center: "Call center",
};

export const NUMBER_KIND_NAMES: Record<string, string> = {
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
