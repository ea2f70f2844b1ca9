import { stringify } from "csv-stringify/sync";
import type { Route } from "./+types/users.import.template";
import { getDb } from "~/db.server";
import { requireAdmin } from "~/auth/guards.server";
import { officesInScope } from "~/auth/scopes.server";
import { IMPORT_COLUMNS } from "~/users/import-file.server";

/** Download a template: an import file's headers and one example row, in one of the admin's offices. */
export async function loader({ request, context }: Route.LoaderArgs) {
  const actor = requireAdmin(context, request);
  const [office] = await officesInScope(await getDb(), actor);
  const example = [
    "Jane",
    "Doe",
    "jane.doe@example.com",
    office?.name ?? "",
    "Connect",
    "",
    "Account Executive",
    "",
  ];
  const csv = stringify([Object.values(IMPORT_COLUMNS), example], { bom: true, escape_formulas: true });
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": 'attachment; filename="switchboard-import-template.csv"',
    },
  });
}
