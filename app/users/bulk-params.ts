/**
 * The bulk actions of the Active or Pending Users tab, and how a selection
 * travels: ticked ids, "all on this page", or "all that match this search"
 * (carried as the search itself, resolved on the server).
 */
import { z } from "zod";

export const BULK_ACTIONS = {
  delete: "Delete users",
  add_admin: "Add admin access",
  remove_admin: "Remove admin access",
} as const;
export type BulkAction = keyof typeof BULK_ACTIONS;

/** The most users one bulk action takes, so its confirmation page stays a page. */
export const BULK_LIMIT = 5000;

const ids = z.preprocess(
  (v) => (Array.isArray(v) ? v : v === undefined || v === "" ? [] : [v]),
  z.array(z.coerce.number().int().positive().max(2 ** 31 - 1)).max(BULK_LIMIT),
);

/** From the list page's bulk form (a GET, so the confirmation page has a URL). */
export const bulkSelection = z.object({
  action: z.enum(Object.keys(BULK_ACTIONS) as [BulkAction, ...BulkAction[]], "Choose an action."),
  scope: z.enum(["selected", "page", "search"]).catch("selected"),
  id: ids,
  page_id: ids,
});

/** The confirmation page's POST: exactly the users it listed. */
export const bulkConfirmation = z.object({
  action: z.enum(Object.keys(BULK_ACTIONS) as [BulkAction, ...BulkAction[]]),
  id: ids.pipe(z.array(z.number()).min(1, "No users to change.")),
  license: z.enum(["keep", "remove"], "Choose whether to keep or remove their licenses.").optional(),
});

/** Reads repeated form or query fields into arrays, the way the schemas above expect. */
export function formToObject(data: URLSearchParams | FormData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of new Set(data.keys())) {
    const all = data.getAll(key).map(String);
    out[key] = key === "id" || key === "page_id" ? all : all[0];
  }
  return out;
}
