import { Link } from "react-router";
import type { Route } from "./+types/users.bulk.result";
import { getDb } from "~/db.server";
import { idParam, notFound, requireAdmin } from "~/auth/guards.server";
import { bulkResult } from "~/users/bulk.server";
import { BULK_ACTIONS } from "~/users/bulk-actions";
import { DataTable } from "~/ui/table";

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
  const done = outcomes.filter((o) => o.outcome === "done").length;
  const skipped = outcomes.length - done;
  return (
    <div className="page">
      <p className="breadcrumb">
        <Link to="/users">Office › Users</Link> ›{" "}
        <span aria-current="page">{BULK_ACTIONS[action].label}</span>
      </p>
      <h1>{BULK_ACTIONS[action].label}: done</h1>
      <p role="status">
        {done} {done === 1 ? "user" : "users"} changed, {skipped} skipped.
      </p>
      <div className="panel">
        <DataTable compact caption="What happened to each user" columns={["Name", "Outcome", "Details"]}>
          {outcomes.map((o) => (
            <tr key={o.id}>
              <th scope="row">{o.name}</th>
              <td>
                <span className={`badge ${o.outcome === "done" ? "active" : "neutral"}`}>
                  {o.outcome === "done" ? "Done" : "Skipped"}
                </span>
              </td>
              <td>{o.detail}</td>
            </tr>
          ))}
        </DataTable>
      </div>
      <p>
        <Link to="/users">Back to Users</Link>
        {action === "delete" && done > 0 ? (
          <>
            {" · "}
            <Link to="/users/deleted">Deleted Users</Link>
          </>
        ) : null}
      </p>
    </div>
  );
}
