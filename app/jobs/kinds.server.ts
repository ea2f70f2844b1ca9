/** The app's kinds of job, by the name a `jobs` row gives (app/jobs/runner.server.ts). */
import type { JobKinds } from "./runner.server.ts";
import { applyBulkBatch, BULK_APPLY } from "../users/bulk-job.server.ts";
import { IMPORT_REVIEW, reviewImportBatch } from "../users/import-review.server.ts";
import { applyImportBatch, IMPORT_APPLY } from "../users/import-confirm.server.ts";
import { IMPORT_MAIL, mailImportBatch } from "../users/import-mail.server.ts";

export const JOB_KINDS: JobKinds = {
  [BULK_APPLY]: applyBulkBatch,
  [IMPORT_REVIEW]: reviewImportBatch,
  [IMPORT_APPLY]: applyImportBatch,
  [IMPORT_MAIL]: mailImportBatch,
};
