/**
 * The forms of a bulk action (the actions themselves: bulk-actions.ts), and
 * how a selection travels: ticked ids, "all on this page", or "all that match this search"
 * (carried as the search itself, resolved on the server).
 */
import { z } from "zod";
import { asArray, idField, parseId } from "../input.ts";
import { BULK_ACTION_KEYS, ONE_STEP_ACTIONS } from "./bulk-actions.ts";

/** The most users one bulk action takes, so its confirmation page stays a page. */
export const BULK_LIMIT = 5000;

const ids = z.preprocess(asArray, z.array(idField("Select users from the list.")).max(BULK_LIMIT));

/** From the list page's bulk form (a GET, so the confirmation page has a URL). */
export const bulkSelection = z.object({
  action: z.enum(BULK_ACTION_KEYS, "Choose an action."),
  scope: z.enum(["selected", "page", "search"]).catch("selected"),
  id: ids,
  page_id: ids,
});

/** The confirmation page's POST: exactly the users it listed. */
export const bulkConfirmation = z.object({
  action: z.enum(ONE_STEP_ACTIONS),
  id: ids.pipe(z.array(z.number()).min(1, "No users to change.")),
  license: z.enum(["keep", "remove"], "Choose whether to keep or remove their licenses.").optional(),
});

/**
 * The confirmation of everyone a search matches (the search rides in the
 * URL): the count of users the page showed, which the POST must find again.
 */
export const bulkSearchConfirmation = z.object({
  action: z.enum(ONE_STEP_ACTIONS),
  count: z.coerce
    .number("This confirmation is incomplete.")
    .int()
    .min(1, "No users to change.")
    .max(Number.MAX_SAFE_INTEGER),
  license: bulkConfirmation.shape.license,
});

const newOffice = idField("Choose the new office.");

/** Transfer users' Next: the new office (the selection rides in the URL). */
export const bulkTransferHold = z.object({ to: newOffice });

/** Transfer users' confirmation: the users, the new office, and what the review showed of each. */
export const bulkTransferConfirmation = z.object({
  action: z.literal("transfer"),
  to: newOffice,
  id: ids.pipe(z.array(z.number()).min(1, "No users to change.")),
  /** Per user, "id:key" of the review as shown (app/review-key.server.ts): the POST must find the same. */
  seen: z.preprocess(asArray, z.array(z.string().refine((s) => seenEntry(s) !== null)).max(BULK_LIMIT)),
});
export type BulkTransferInput = z.infer<typeof bulkTransferConfirmation>;

/** One "id:key" of a bulk transfer's review: the user's id and the review key of what it showed of them. */
export function seenEntry(entry: string): { id: number; key: string } | null {
  const m = /^([0-9]+):([A-Za-z0-9_-]{1,64})$/.exec(entry);
  const id = m ? parseId(m[1]) : null;
  return id === null ? null : { id, key: m![2]! };
}

const REPEATED = new Set(["id", "page_id", "seen"]);

/** Reads repeated form or query fields into arrays, the way the schemas above expect. */
export function formToObject(data: URLSearchParams | FormData): Record<string, unknown> {
  // fromEntries makes own properties: a field named __proto__ stays a field, not the object's prototype.
  return Object.fromEntries(
    [...new Set(data.keys())].map((key) => {
      const all = data.getAll(key).map(String);
      // A single field sent twice stays a list, so the schema refuses it rather than pick one.
      return [key, REPEATED.has(key) || all.length > 1 ? all : all[0]];
    }),
  );
}
