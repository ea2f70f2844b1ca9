import { Link } from "react-router";
import { parseWithZod } from "@conform-to/zod/v4";
import type { Route } from "./+types/users.import.review";
import { getDb } from "~/db.server";
import { now } from "~/clock.server";
import { idParam, notFound, requireAdmin } from "~/auth/guards.server";
import { formError, redirectWithFlash, refusalReply } from "~/http/result.server";
import { importReview } from "~/users/import-review.server";
import { confirmImport, IMPORT_STALE } from "~/users/import-confirm.server";
import { importConfirmSchema, SHOWN_ROWS } from "~/users/import-schema";
import { ConfirmAlert, ConfirmForm, reviewShouldRevalidate, useConfirmForm } from "~/ui/review";
import { Breadcrumb, USERS_CRUMB } from "~/ui/breadcrumb";
import { JobProgress } from "~/ui/job-progress";
import { DataTable } from "~/ui/table";

export const meta: Route.MetaFunction = () => [{ title: "Import users: review · Switchboard" }];

export async function loader({ request, context, params }: Route.LoaderArgs) {
  const actor = requireAdmin(context, request);
  const id = idParam(params.jobId, "This import");
  const found = await importReview(await getDb(), actor, id);
  if (!found) notFound("This import");
  return { ...found, stale: found.stale ? IMPORT_STALE : null };
}

export async function action({ request, context, params }: Route.ActionArgs) {
  const actor = requireAdmin(context, request);
  const id = idParam(params.jobId, "This import");
  const submission = parseWithZod(await request.formData(), { schema: importConfirmSchema });
  if (submission.status !== "success")
    return formError(submission, "This confirmation is incomplete. Review the file again.");
  const origin = new URL(request.url).origin;
  const result = await confirmImport(await getDb(), actor, id, submission.value.seen, origin, now(request));
  if (!result.ok) return refusalReply(submission, result);
  if ("queued" in result)
    redirectWithFlash(
      request,
      `/users/import/${id}`,
      "The import has started: this page shows its progress.",
    );
  redirectWithFlash(
    request,
    `/users/import/${id}`,
    `Imported: ${plural(result.added, "user added", "users added")}, ${plural(result.updated, "updated", "updated")}.`,
  );
}

// A refused confirmation shows the review as it is now (a stale one: checked again).
export const shouldRevalidate = reviewShouldRevalidate;

const plural = (n: number, one: string, many: string) =>
  `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

export default function ImportReview({ loaderData, actionData }: Route.ComponentProps) {
  const { id, state, done, total, review, importing, mailing, unmailed, stale } = loaderData;
  const form = useConfirmForm(actionData);
  const imported = review?.counts.imported;
  const toImport = review ? review.counts.add + review.counts.update : 0;
  return (
    <div className="page">
      <Breadcrumb trail={[USERS_CRUMB, { to: "/users/import", label: "Import users" }]} current="Review" />
      <h1>Import users: review</h1>
      {state === "failed" ? (
        <p role="alert" className="form-error">
          The file could not be checked. Nothing was imported. <Link to="/users/import">Upload it again</Link>
          .
        </p>
      ) : !review ? (
        <JobProgress done={done} total={total} verb="Checked" noun="rows" />
      ) : importing && importing.state !== "failed" && importing.state !== "done" ? (
        <JobProgress
          done={importing.done}
          total={importing.total}
          verb="Importing"
          noun={importing.total === 1 ? "user" : "users"}
        />
      ) : (
        <>
          <ConfirmAlert form={form} />
          {stale ? (
            <p role="alert" className="form-error">
              {stale}
            </p>
          ) : null}
          {importing?.state === "failed" ? (
            <p role="alert" className="form-error">
              The import could not be applied. Nothing was imported: confirm it again. If it fails again,
              upload the file again, or import it in smaller files.
            </p>
          ) : null}
          {imported ? (
            <p role="status">
              Imported: {plural(imported.added, "user added", "users added")} (pending until they accept the
              invite mailed to them), {plural(imported.updated, "updated", "updated")}. Rows with errors were
              left out.
            </p>
          ) : (
            <p role="status">
              Nothing is imported yet. Of {plural(total, "row", "rows")}:{" "}
              {plural(review.counts.add, "user to add", "users to add")},{" "}
              {plural(review.counts.update, "to update", "to update")},{" "}
              {plural(review.counts.unchanged, "unchanged", "unchanged")},{" "}
              {plural(review.counts.errors, "row with errors", "rows with errors")}.
            </p>
          )}
          {mailing && mailing.state !== "done" && mailing.state !== "failed" ? (
            <JobProgress done={mailing.done} total={mailing.total} verb="Invites:" noun="sent" />
          ) : mailing ? (
            <p>
              Invites: {(mailing.total - unmailed).toLocaleString("en-US")} of{" "}
              {mailing.total.toLocaleString("en-US")} sent.
            </p>
          ) : null}
          {unmailed > 0 ? (
            <p role="alert" className="form-error">
              {plural(unmailed, "invite", "invites")} could not be mailed. Send each again with Options ›
              Admin › Resend invite beside the user.
            </p>
          ) : null}
          {review.counts.errors > 0 ? (
            <section aria-labelledby="errors-heading">
              <h2 id="errors-heading">Rows with errors</h2>
              <p>
                Rows with errors are left out; the others are not held back by them. Fix these rows and upload
                them again:{" "}
                <Link to={`/users/import/${id}/errors`} reloadDocument>
                  Download the errors as CSV
                </Link>{" "}
                (the rows as they are, with what to fix in each).
              </p>
              <DataTable caption="Errors by line and column" columns={["Line", "Column", "What to fix"]}>
                {review.errors.map((e, i) => (
                  <tr key={i}>
                    <td>{e.line}</td>
                    <td>{e.column}</td>
                    <td>{e.message}</td>
                  </tr>
                ))}
              </DataTable>
              {review.counts.errors > SHOWN_ROWS ? (
                <p>The first {SHOWN_ROWS} rows with errors are shown; the download has them all.</p>
              ) : null}
            </section>
          ) : null}
          {review.changes.length > 0 ? (
            <section aria-labelledby="changes-heading">
              <h2 id="changes-heading">{imported ? "Done" : "Changes"}</h2>
              <DataTable
                caption={imported ? "What the import did" : "What the import would do"}
                columns={["Line", "Email", "Name", "Change"]}
              >
                {review.changes.map((c) => (
                  <tr key={c.line}>
                    <td>{c.line}</td>
                    <td>{c.email}</td>
                    <td>{imported && c.userId ? <Link to={`/users/${c.userId}`}>{c.name}</Link> : c.name}</td>
                    <td>
                      {c.kind === "add" ? "Add: " : "Update: "}
                      {c.details}
                    </td>
                  </tr>
                ))}
              </DataTable>
              {review.counts.add + review.counts.update > review.changes.length ? (
                <p>
                  And{" "}
                  {plural(review.counts.add + review.counts.update - review.changes.length, "more", "more")}.
                </p>
              ) : null}
            </section>
          ) : null}
          {imported ? null : toImport > 0 ? (
            <ConfirmForm
              form={form}
              alert={false}
              submit={{ label: "Confirm import", busyLabel: "Importing…" }}
              cancel={{ to: "/users/import" }}
            >
              <p>
                Confirm to add and update these users now. New users are invited by email, as Add User invites
                them.
              </p>
              <input type="hidden" name="seen" value={review.counts.key} />
            </ConfirmForm>
          ) : (
            <p>Nothing to import: no row adds or changes a user.</p>
          )}
          <p>
            <Link to="/users/import">Upload another file</Link> · <Link to="/users">Back to Users</Link>
          </p>
        </>
      )}
    </div>
  );
}
