import type { Route } from "./+types/users.bulk.job";
import { Link } from "react-router";
import { getDb } from "~/db.server";
import { idParam, notFound, requireAdmin } from "~/auth/guards.server";
import { bulkJob } from "~/users/bulk-job.server";
import { withNames } from "~/users/bulk.server";
import { BULK_ACTIONS, type OneStepBulkAction } from "~/users/bulk-actions";
import { BulkResultView } from "~/ui/bulk-result";
import { JobProgress } from "~/ui/job-progress";

export const meta: Route.MetaFunction = ({ data }) => [
  { title: `${data ? BULK_ACTIONS[data.action].label : "Bulk action"} · Switchboard` },
];

/** What the progress says each action did: "Deleted 40,000 of 98,000 users". */
const DID: Record<OneStepBulkAction, string> = {
  delete: "Deleted",
  add_admin: "Gave admin access to",
  remove_admin: "Removed admin access from",
};

/** A bulk job's page: its progress while it runs (refreshing itself), then its result. */
export async function loader({ request, context, params }: Route.LoaderArgs) {
  const actor = requireAdmin(context, request);
  const id = idParam(params.jobId, "This bulk action");
  const db = await getDb();
  const job = await bulkJob(db, actor, id);
  if (!job) notFound("This bulk action");
  const { action, result } = job;
  if (job.state === "done" && result) {
    return { kind: "done" as const, action, ...result, first: await withNames(db, actor, result.first) };
  }
  return {
    kind: "running" as const,
    action,
    done: job.done,
    total: job.total,
    failed: job.state === "failed",
  };
}

export default function BulkJob({ loaderData }: Route.ComponentProps) {
  if (loaderData.kind === "done") {
    const { action, first, changed, skipped, untouched, stopped } = loaderData;
    return (
      <BulkResultView
        action={action}
        outcomes={first}
        changed={changed}
        skipped={skipped}
        untouched={untouched}
        stopped={stopped}
      />
    );
  }
  const { action, done, total, failed } = loaderData;
  const label = BULK_ACTIONS[action].label;
  return (
    <div className="page narrow">
      <p className="breadcrumb">
        <Link to="/users">Office › Users</Link> › <span aria-current="page">{label}</span>
      </p>
      <h1>{label}: under way</h1>
      {failed ? (
        <p role="alert">
          This bulk action stopped after {done.toLocaleString("en-US")} of {total.toLocaleString("en-US")}{" "}
          users: something went wrong. What was done is in the audit log; the rest was not changed.
        </p>
      ) : (
        <>
          <p>
            The users are changed in batches, in the background: you can leave this page and come back. The
            result is shown here once all are done.
          </p>
          <JobProgress done={done} total={total} verb={DID[action]} noun="users" />
        </>
      )}
      <p>
        <Link to="/users">Back to Users</Link>
      </p>
    </div>
  );
}
