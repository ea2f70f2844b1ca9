import { data, Form, Link, redirect, useNavigation } from "react-router";
import type { Route } from "./+types/users.bulk";
import { getDb } from "~/db.server";
import { now } from "~/clock.server";
import { notFound, requireAdmin } from "~/auth/actor.server";
import { applyBulk, planBulk, resolveSelection } from "~/users/bulk.server";
import { BULK_ACTIONS, BULK_LIMIT, bulkConfirmation, formToObject } from "~/users/bulk-params";
import { listParams } from "~/users/list-params";
import { CsrfField } from "~/ui/csrf";
import { LICENSE_NAMES } from "~/ui/format";

export const meta: Route.MetaFunction = ({ data }) => [
  { title: `${data?.kind === "plan" ? BULK_ACTIONS[data.action] : "Bulk action"} · Switchboard` },
];

/** Back to the list as it was: its search and filters rode along in this URL. */
function backToList(url: URL) {
  const back = new URLSearchParams();
  for (const key of Object.keys(listParams.shape)) {
    const v = url.searchParams.get(key);
    if (v) back.set(key, v);
  }
  return back.size ? `/users?${back}` : "/users";
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const actor = requireAdmin(context, request);
  const db = await getDb();
  const url = new URL(request.url);
  const selection = await resolveSelection(db, actor, url);
  const back = backToList(url);
  if (!selection.ok) return { kind: "nothing" as const, back, message: selection.message };
  const { targets, outcomes } = await planBulk(db, actor, selection.action, selection.ids);
  const byId = new Map(targets.map((t) => [t.id, t]));
  return {
    kind: "plan" as const,
    back,
    action: selection.action,
    tooMany: selection.tooMany,
    rows: outcomes.map((o) => {
      const t = byId.get(o.id)!;
      return { ...o, email: t.email, officeName: t.officeName, licenseType: t.licenseType, status: t.status };
    }),
  };
}

export async function action({ request, context }: Route.ActionArgs) {
  const actor = requireAdmin(context, request);
  const parsed = bulkConfirmation.safeParse(formToObject(await request.formData()));
  if (!parsed.success) {
    return data({ error: parsed.error.issues[0]?.message ?? "This confirmation is incomplete." }, { status: 400 });
  }
  const { action, id, license } = parsed.data;
  if (action === "delete" && !license) {
    return data({ error: "Choose whether to keep or remove their licenses." }, { status: 400 });
  }
  const result = await applyBulk(await getDb(), actor, action, id, license ?? "keep", now(request));
  if (result.auditId === null) {
    // The confirmation only offers a POST when someone will change: this one was sent again, or made up.
    if (result.outcomes.length === 0) notFound("These users");
    return data({ error: "Nothing was changed: these users were already changed. Go back to Users to see them as they are now." }, { status: 409 });
  }
  throw redirect(`/users/bulk/${result.auditId}`);
}

export default function BulkConfirm({ loaderData, actionData }: Route.ComponentProps) {
  const busy = useNavigation().state === "submitting";
  if (loaderData.kind === "nothing") {
    return (
      <div className="page narrow">
        <h1>Nothing to do yet</h1>
        <p role="alert">{loaderData.message}</p>
        <p>
          <Link to={loaderData.back}>Back to Users</Link>
        </p>
      </div>
    );
  }
  const { action, rows, back, tooMany } = loaderData;
  const affected = rows.filter((r) => r.outcome === "done");
  const skipped = rows.filter((r) => r.outcome === "skipped");
  const verb = BULK_ACTIONS[action];
  return (
    <div className="page">
      <p className="breadcrumb">
        <Link to={back}>Office › Users</Link> › <span aria-current="page">{verb}</span>
      </p>
      <h1>
        {verb}: {affected.length} {affected.length === 1 ? "user" : "users"}
      </h1>
      {tooMany ? (
        <p className="callout warning">
          More than {BULK_LIMIT.toLocaleString("en-US")} users match: this action takes the first{" "}
          {BULK_LIMIT.toLocaleString("en-US")}. Narrow the search to reach the rest.
        </p>
      ) : null}
      {action === "delete" && affected.length > 0 ? (
        <div className="callout warning">
          <p>
            Deleted users cannot sign in any more and their sessions end. Their phone numbers go to the Reserved Pool
            and, with their group memberships, are kept on hold: you can restore them from Deleted Users for 72 hours.
            After that they are anonymized for good. Users who never signed in (Pending) are deleted for good at once.
          </p>
        </div>
      ) : null}

      <section aria-labelledby="affected-heading" className="panel">
        <h2 id="affected-heading">Will be changed ({affected.length})</h2>
        {affected.length ? (
          <table className="data compact">
            <caption className="visually-hidden">Users this action will change</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Office</th>
                <th scope="col">License</th>
                <th scope="col">What happens</th>
              </tr>
            </thead>
            <tbody>
              {affected.map((r) => (
                <tr key={r.id}>
                  <th scope="row">{r.name}</th>
                  <td>{r.email}</td>
                  <td>{r.officeName}</td>
                  <td>{LICENSE_NAMES[r.licenseType]}</td>
                  <td>{r.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p>None of the selected users can be changed this way.</p>
        )}
      </section>

      {skipped.length ? (
        <section aria-labelledby="skipped-heading" className="panel">
          <h2 id="skipped-heading">Will be skipped ({skipped.length})</h2>
          <table className="data compact">
            <caption className="visually-hidden">Users this action will skip, and why</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {skipped.map((r) => (
                <tr key={r.id}>
                  <th scope="row">{r.name}</th>
                  <td>{r.email}</td>
                  <td>{r.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}

      {affected.length ? (
        <Form method="post" className="panel form">
          <CsrfField />
          <input type="hidden" name="action" value={action} />
          {/* Everyone listed, skipped too: the result reports each of them. */}
          {rows.map((r) => (
            <input key={r.id} type="hidden" name="id" value={r.id} />
          ))}
          {action === "delete" ? (
            <fieldset aria-describedby={actionData?.error ? "license-error" : undefined}>
              <legend>Their licenses</legend>
              <label className="choice">
                <input type="radio" name="license" value="keep" defaultChecked /> Keep the licenses (the seats stay
                purchased, now unassigned)
              </label>
              <label className="choice">
                <input type="radio" name="license" value="remove" /> Remove the licenses (one fewer seat purchased
                for each)
              </label>
              {actionData?.error ? (
                <p id="license-error" className="field-error" role="alert">
                  {actionData.error}
                </p>
              ) : null}
            </fieldset>
          ) : actionData?.error ? (
            <p className="field-error" role="alert">
              {actionData.error}
            </p>
          ) : null}
          <div className="form-actions">
            <button type="submit" className={`button ${action === "delete" ? "danger" : "primary"}`} disabled={busy}>
              {action === "delete" ? `Delete ${affected.length} ${affected.length === 1 ? "user" : "users"}` : `${verb} for ${affected.length} ${affected.length === 1 ? "user" : "users"}`}
            </button>
            <Link to={back} className="button subtle">
              Cancel
            </Link>
          </div>
        </Form>
      ) : (
        <p>
          <Link to={back}>Back to Users</Link>
        </p>
      )}
    </div>
  );
}
