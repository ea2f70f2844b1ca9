/**
 * A bulk action's result: how many users changed and were skipped, and what
 * happened to each listed. Shown after an action applied in its request
 * (routes/users.bulk.result.tsx) and by a bulk job's page once it is done
 * (routes/users.bulk.job.tsx), which lists the first outcomes only.
 */
import { Link } from "react-router";
import { BULK_ACTIONS, type BulkAction } from "~/users/bulk-actions";
import { DataTable } from "~/ui/table";

const users = (n: number) => `${n.toLocaleString("en-US")} ${n === 1 ? "user" : "users"}`;

export function BulkResultView({
  action,
  outcomes,
  changed,
  skipped,
  untouched = 0,
  stopped,
}: {
  action: BulkAction;
  outcomes: { id: number; name: string; outcome: "done" | "skipped"; detail: string }[];
  changed: number;
  skipped: number;
  /** A job's: users counted at confirmation but out of the admin's offices (or gone) when their turn came. */
  untouched?: number;
  /** A job's: why it stopped before the end. */
  stopped?: string;
}) {
  const listed = outcomes.length < changed + skipped;
  return (
    <div className="page">
      <p className="breadcrumb">
        <Link to="/users">Office › Users</Link> ›{" "}
        <span aria-current="page">{BULK_ACTIONS[action].label}</span>
      </p>
      <h1>
        {BULK_ACTIONS[action].label}: {stopped ? "stopped" : "done"}
      </h1>
      <p role="status">
        {stopped ? `${stopped} ` : ""}
        {users(changed)} changed, {skipped.toLocaleString("en-US")} skipped.
        {untouched > 0 ? ` ${users(untouched)} left alone: no longer in your offices.` : ""}
      </p>
      <div className="panel">
        {listed ? (
          <p>
            The first {outcomes.length.toLocaleString("en-US")} are listed, those skipped first. Every
            user&apos;s outcome is in the <Link to="/audit">audit log</Link>.
          </p>
        ) : null}
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
        {action === "delete" && changed > 0 ? (
          <>
            {" · "}
            <Link to="/users/deleted">Deleted Users</Link>
          </>
        ) : null}
      </p>
    </div>
  );
}
