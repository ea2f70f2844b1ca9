import type { Route } from "./+types/users.bulk.result";
import { getDb } from "~/db.server";
import { idParam, notFound, requireAdmin } from "~/auth/guards.server";
import { bulkResult } from "~/users/bulk.server";
import { BulkResultView } from "~/ui/bulk-result";

export const meta: Route.MetaFunction = () => [{ title: "Bulk action done · Switchboard" }];

export async function loader({ request, context, params }: Route.LoaderArgs) {
  const actor = requireAdmin(context, request);
  const id = idParam(params.resultId, "This result");
  const result = await bulkResult(await getDb(), actor, id);
  if (!result) notFound("This result");
  return result;
}

export default function BulkResult({ loaderData }: Route.ComponentProps) {
  const { action, outcomes } = loaderData;
  const changed = outcomes.filter((o) => o.outcome === "done").length;
  return (
    <BulkResultView
      action={action}
      outcomes={outcomes}
      changed={changed}
      skipped={outcomes.length - changed}
    />
  );
}
