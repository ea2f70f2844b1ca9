import { data, Form, Link, redirect } from "react-router";
import type { Route } from "./+types/users.bulk";
import { getDb } from "~/db.server";
import { now } from "~/clock.server";
import { notFound, requireAdmin, requireUserTransfer } from "~/auth/guards.server";
import { applyBulk, planBulk, resolveSelection } from "~/users/bulk.server";
import {
  bulkTransferChoices,
  startTransferReview,
  planTransfers,
  transferUsers,
} from "~/users/transfer.server";
import { dropReviewHolds } from "~/numbers/review-holds.server";
import { BULK_ACTIONS } from "~/users/bulk-actions";
import {
  BULK_LIMIT,
  bulkConfirmation,
  bulkTransferConfirmation,
  bulkTransferHold,
  formToObject,
} from "~/users/bulk-params";
import { listParams } from "~/users/list-params";
import { CsrfField } from "~/ui/csrf";
import { NewOfficeStep } from "~/ui/transfer-steps";
import { reviewShouldRevalidate } from "~/ui/review";
import { LeaveControl, useBusy } from "~/ui/form-actions";
import { LICENSE_NAMES } from "~/ui/format";
import { DataTable } from "~/ui/table";
import { parseId } from "~/input";

export const meta: Route.MetaFunction = ({ data }) => [
  {
    title: `${data?.kind === "plan" || data?.kind === "office" ? BULK_ACTIONS[data.action].label : "Bulk action"} · Switchboard`,
  },
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
  if (!selection.ok) {
    return data(
      { kind: "nothing" as const, back, message: selection.message },
      { status: selection.status ?? 200 },
    );
  }
  if (selection.action === "transfer") {
    return transferStep(
      url,
      requireUserTransfer(context, request),
      selection.ids,
      selection.tooMany,
      back,
      now(request),
    );
  }
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

/** The selection as it came (ids, or the search), without the steps' own fields. */
const selectionOf = (url: URL) => [...url.searchParams].filter(([k]) => k !== "to" && k !== "step");
const officeStepOf = (url: URL, to?: number) =>
  `/users/bulk?${new URLSearchParams([...selectionOf(url), ...(to ? [["to", String(to)]] : [])])}`;

/**
 * Transfer users, after the selection: the new office (step 1), whose Next
 * (a POST, see the action) holds the new numbers and redirects to the
 * review (`step=review`). The selection and the office ride in the URL, so
 * the flow works without JavaScript.
 */
async function transferStep(
  url: URL,
  actor: ReturnType<typeof requireUserTransfer>,
  ids: number[],
  tooMany: boolean,
  back: string,
  at: Date,
) {
  const db = await getDb();
  const to = parseId(url.searchParams.get("to"));
  let error: string | null = null;
  if (url.searchParams.get("step") === "review") {
    const plan = to ? await planTransfers(db, actor, ids, to, at) : null;
    if (plan && !plan.to.disabledReason) {
      return {
        kind: "plan" as const,
        action: "transfer" as const,
        back,
        tooMany,
        to: plan.to,
        rows: plan.rows,
      };
    }
    error = plan?.to.disabledReason ?? "Choose the new office.";
  }
  const result = {
    kind: "office" as const,
    action: "transfer" as const,
    back,
    tooMany,
    count: ids.length,
    officeStep: officeStepOf(url),
    to,
    offices: await bulkTransferChoices(db, actor, ids),
    error,
  };
  return error ? data(result, { status: 400 }) : result;
}

export async function action({ request, context }: Route.ActionArgs) {
  const form = formToObject(await request.formData());
  if (form.intent === "next" || form.intent === "back" || form.intent === "cancel") {
    return transferStepAction(request, requireUserTransfer(context, request), form);
  }
  if (form.action === "transfer") {
    const actor = requireUserTransfer(context, request);
    const parsed = bulkTransferConfirmation.safeParse(form);
    if (!parsed.success) {
      return data({ error: "This review is incomplete. Choose the new office again." }, { status: 400 });
    }
    const result = await transferUsers(await getDb(), actor, parsed.data, now(request));
    if (!result.ok) return data({ error: result.message }, { status: 409 });
    throw redirect(`/users/bulk/${result.auditId}`);
  }
  const actor = requireAdmin(context, request);
  const parsed = bulkConfirmation.safeParse(form);
  if (!parsed.success) {
    return data(
      { error: parsed.error.issues[0]?.message ?? "This confirmation is incomplete." },
      { status: 400 },
    );
  }
  const { action, id, license } = parsed.data;
  if (action === "delete" && !license) {
    return data({ error: "Choose whether to keep or remove their licenses." }, { status: 400 });
  }
  const result = await applyBulk(await getDb(), actor, action, id, license ?? "keep", now(request));
  if (result.auditId === null) {
    // The confirmation only offers a POST when someone will change: this one was sent again, or made up.
    if (result.outcomes.length === 0) notFound("These users");
    return data(
      {
        error:
          "Nothing was changed: these users were already changed. Go back to Users to see them as they are now.",
      },
      { status: 409 },
    );
  }
  throw redirect(`/users/bulk/${result.auditId}`);
}

/**
 * Transfer users' Next holds the new numbers for the review; Back and Cancel
 * leave the review, letting them go. The selection is the one in the URL.
 */
async function transferStepAction(
  request: Request,
  actor: ReturnType<typeof requireUserTransfer>,
  form: Record<string, unknown>,
) {
  const db = await getDb();
  const url = new URL(request.url);
  const selection = await resolveSelection(db, actor, url);
  if (!selection.ok || selection.action !== "transfer")
    return data({ officeError: "Select the users to transfer again." }, { status: 400 });
  if (form.intent !== "next") {
    await dropReviewHolds(db, actor, selection.ids);
    throw redirect(
      form.intent === "back"
        ? officeStepOf(url, parseId(url.searchParams.get("to")) ?? undefined)
        : backToList(url),
    );
  }
  const parsed = bulkTransferHold.safeParse(form);
  if (!parsed.success) return data({ officeError: "Choose the new office." }, { status: 400 });
  const to = await startTransferReview(db, actor, selection.ids, parsed.data.to, now(request));
  if (!to || to.disabledReason)
    return data({ officeError: to?.disabledReason ?? "Choose the new office." }, { status: 400 });
  throw redirect(`${officeStepOf(url, to.id)}&step=review`);
}

export const shouldRevalidate = reviewShouldRevalidate;

export default function BulkConfirm({ loaderData, actionData }: Route.ComponentProps) {
  const busy = useBusy();
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
  const { action, back, tooMany } = loaderData;
  const verb = BULK_ACTIONS[action].label;
  const users = (n: number) => `${n} ${n === 1 ? "user" : "users"}`;
  const head = (count: number) => (
    <>
      <p className="breadcrumb">
        <Link to={back}>Office › Users</Link> › <span aria-current="page">{verb}</span>
      </p>
      <h1>
        {verb}: {users(count)}
      </h1>
      {tooMany ? (
        <p className="callout warning">
          More than {BULK_LIMIT.toLocaleString("en-US")} users match: this action takes the first{" "}
          {BULK_LIMIT.toLocaleString("en-US")}. Narrow the search to reach the rest.
        </p>
      ) : null}
    </>
  );
  const error = actionData && "error" in actionData ? actionData.error : null;
  if (loaderData.kind === "office") {
    const { officeStep, offices, to, count } = loaderData;
    return (
      <div className="page narrow">
        {head(count)}
        <NewOfficeStep
          action={officeStep}
          name="to"
          hint="The license seats move with the users, so only offices at the same price level as theirs can be chosen. The review lists who is skipped, and why."
          offices={offices}
          chosen={to}
          error={
            (actionData && "officeError" in actionData ? actionData.officeError : null) ?? loaderData.error
          }
          cancel={back}
        />
      </div>
    );
  }
  const { rows } = loaderData;
  const transfer = loaderData.action === "transfer" ? loaderData : null;
  const affected = rows.filter((r) => r.outcome === "done");
  const skipped = rows.filter((r) => r.outcome === "skipped");
  return (
    <div className="page">
      {head(affected.length)}
      {transfer ? (
        <>
          <div role="alert" className={error ? "form-error" : undefined}>
            {error ? <p>{error}</p> : null}
          </div>
          <p>
            New office: <strong>{transfer.to.name}</strong> ({transfer.to.country}). Each user keeps their
            license (the seat moves with them), settings and sign-in; admin rights over other offices stay.
          </p>
        </>
      ) : null}
      {action === "delete" && affected.length > 0 ? (
        <div className="callout warning">
          <p>
            Deleted users cannot sign in any more and their sessions end. Their phone numbers go to the
            Reserved Pool and, with their group memberships, are kept on hold: you can restore them from
            Deleted Users for 72 hours. After that they are anonymized for good. Users who never signed in
            (Pending) are deleted for good at once.
          </p>
        </div>
      ) : null}

      <section aria-labelledby="affected-heading" className="panel">
        <h2 id="affected-heading">Will be changed ({affected.length})</h2>
        {affected.length ? (
          <DataTable
            compact
            caption="Users this action will change"
            columns={["Name", "Email", "Office", "License", "What happens"]}
          >
            {affected.map((r) => (
              <tr key={r.id}>
                <th scope="row">{r.name}</th>
                <td>{r.email}</td>
                <td>{r.officeName}</td>
                <td>{LICENSE_NAMES[r.licenseType]}</td>
                <td>
                  {"changes" in r ? (
                    <ul className="plain">
                      {r.changes.map((c, i) => (
                        <li key={i}>{c}</li>
                      ))}
                    </ul>
                  ) : (
                    r.detail
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
        ) : (
          <p>None of the selected users can be changed this way.</p>
        )}
      </section>

      {skipped.length ? (
        <section aria-labelledby="skipped-heading" className="panel">
          <h2 id="skipped-heading">Will be skipped ({skipped.length})</h2>
          <DataTable
            compact
            caption="Users this action will skip, and why"
            columns={["Name", "Email", "Why"]}
          >
            {skipped.map((r) => (
              <tr key={r.id}>
                <th scope="row">{r.name}</th>
                <td>{r.email}</td>
                <td>{r.detail}</td>
              </tr>
            ))}
          </DataTable>
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
          {transfer ? (
            <>
              <input type="hidden" name="to" value={transfer.to.id} />
              {transfer.rows.map((r) => (
                <input key={r.id} type="hidden" name="seen" value={r.seen} />
              ))}
            </>
          ) : null}
          {action === "delete" ? (
            <fieldset aria-describedby={error ? "license-error" : undefined}>
              <legend>Their licenses</legend>
              <label className="choice">
                <input type="radio" name="license" value="keep" defaultChecked /> Keep the licenses (the seats
                stay purchased, now unassigned)
              </label>
              <label className="choice">
                <input type="radio" name="license" value="remove" /> Remove the licenses (one fewer seat
                purchased for each)
              </label>
              {error ? (
                <p id="license-error" className="field-error" role="alert">
                  {error}
                </p>
              ) : null}
            </fieldset>
          ) : error && !transfer ? (
            <p className="field-error" role="alert">
              {error}
            </p>
          ) : null}
          <div className="form-actions">
            <button
              type="submit"
              className={`button ${action === "delete" ? "danger" : "primary"}`}
              disabled={busy}
            >
              {action === "delete"
                ? `Delete ${users(affected.length)}`
                : transfer
                  ? "Confirm transfer"
                  : `${verb} for ${users(affected.length)}`}
            </button>
            {transfer ? (
              // Leaving lets the numbers held for the review go: the action drops the holds.
              <>
                <LeaveControl leave={{ intent: "back" }} label="Back" className="button subtle" />
                <LeaveControl leave={{ intent: "cancel" }} label="Cancel" className="link-button" />
              </>
            ) : (
              <Link to={back} className="button subtle">
                Cancel
              </Link>
            )}
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
