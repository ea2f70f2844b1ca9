import { pipeline, Readable } from "node:stream";
import { stringify } from "csv-stringify";
import type { Route } from "./+types/users.import.errors";
import { getDb } from "~/db.server";
import { idParam, notFound, requireAdmin } from "~/auth/guards.server";
import { importErrorRows, reviewedImportColumns } from "~/users/import-review.server";

/** Download the errors as CSV: the rows with errors as the file had them, and what to fix in each. */
export async function loader({ request, context, params }: Route.LoaderArgs) {
  const actor = requireAdmin(context, request);
  const id = idParam(params.jobId, "This import");
  const db = await getDb();
  const columns = await reviewedImportColumns(db, actor, id);
  if (!columns) notFound("This import");
  // The formula guard as Export CSV has it: the file's cells go back to a spreadsheet.
  const csv = stringify({ escape_formulas: true, bom: true });
  pipeline(Readable.from(importErrorRows(db, id, columns)), csv, (err) => {
    if (err && err.code !== "ERR_STREAM_PREMATURE_CLOSE") console.error("import errors:", err.message);
  });
  return new Response(Readable.toWeb(csv) as ReadableStream<Uint8Array>, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="switchboard-import-${id}-errors.csv"`,
      // People's names and emails: never kept by a shared cache.
      "Cache-Control": "no-store",
    },
  });
}
