/** Import users: the upload form and the file's limits, shared by the server and the browser. */
import { z } from "zod";

export const MAX_IMPORT_BYTES = 20 * 1024 * 1024;
export const MAX_IMPORT_ROWS = 100_000;

export const importFileSchema = z.object({
  file: z
    .file("Choose a CSV file to import.")
    .max(MAX_IMPORT_BYTES, "The file is over 20 MB. Split it into files of at most 100,000 rows."),
});

/** Rows of each kind the review page lists; the rest are counted (and the errors downloadable). */
export const SHOWN_ROWS = 300;

/** Confirm import: the review's key (app/review-key.server.ts), as the review page carries it. */
export const importConfirmSchema = z.object({
  seen: z.string("This confirmation is incomplete. Review the file again.").min(1).max(64),
});
