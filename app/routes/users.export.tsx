import { data } from "react-router";
import type { Route } from "./+types/users.export";
import { getDb } from "~/db.server";
import { now } from "~/clock.server";
import { requireAdmin } from "~/auth/guards.server";
import { readListParams } from "~/users/list-params";
import { exportFilename, usersCsv } from "~/users/export.server";

/** Export CSV: the users of the Active or Pending Users tab for the search and filters in the URL. */
export async function loader({ request, context }: Route.LoaderArgs) {
  const actor = requireAdmin(context, request);
  const { params, error } = readListParams(new URL(request.url));
  // Refused before the download starts: a file cut off midway would look complete.
  if (error) throw data({ message: error.join(" ") }, { status: 400 });
  return new Response(usersCsv(await getDb(), actor, params), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${exportFilename(now(request))}"`,
      // People's names and emails: never kept by a shared cache.
      "Cache-Control": "no-store",
    },
  });
}
