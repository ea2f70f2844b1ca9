import { data, Link, redirect } from "react-router";
import type { Route } from "./+types/users.bulk";
import { getDb } from "~/db.server";
import { now } from "~/clock.server";
import { notFound, requireAdmin, requireUserTransfer } from "~/auth/guards.server";
import { applyBulk, confirmSearchBulk, planBulk, resolveSelection, SEARCH_SHOWS } from "~/users/bulk.server";
import { inRequestUsers } from "~/users/bulk-job.server";
import {
  bulkTransferChoices,
  startTransferReview,
  planTransfers,
  transferUsers,
} from "~/users/transfer.server";
import { dropReviewHolds } from "~/numbers/review-holds.server";
import { confirmation, formError, refusalReply, refusedStep, type Replying } from "~/http/result.server";
import { refused, type Refused } from "~/refusal.server";
import type { z } from "zod";
import { BULK_ACTIONS } from "~/users/bulk-actions";
import {
  BULK_LIMIT,
  bulkConfirmation,
  bulkSearchConfirmation,
  bulkTransferConfirmation,
  bulkTransferHold,
  formToObject,
} from "~/users/bulk-params";
import { listParams } from "~/users/list-params";
import { NewOfficeStep } from "~/ui/transfer-steps";
import { ConfirmAlert, ConfirmForm, reviewShouldRevalidate, useConfirmForm } from "~/ui/review";
import { LicenseChoice } from "~/ui/license-choice";
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
  // Everyone a search matches: the first hundred are listed, the count stands for them all.
  const listed = selection.search ? selection.ids.slice(0, SEARCH_SHOWS) : selection.ids;
  const { targets, outcomes } = await planBulk(db, actor, selection.action, listed);
  const byId = new Map(targets.map((t) => [t.id, t]));
  return {
    kind: "plan" as const,
    back,
    action: selection.action,
    tooMany: selection.tooMany,
    search: selection.search
      ? { count: selection.ids.length, job: selection.ids.length > inRequestUsers() }
      : null,
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
  let why: string | null = null;
  if (url.searchParams.get("step") === "review") {
    const plan = to ? await planTransfers(db, actor, ids, to, at) : null;
    if (plan && !plan.to.disabledReason) {
      return {
        kind: "plan" as const,
        action: "transfer" as const,
        back,
        tooMany,
        search: null,
        to: plan.to,
        rows: plan.rows,
      };
    }
    why = plan?.to.disabledReason ?? "Choose the new office.";
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
  };
  return why ? refusedStep(url, result, why, "to") : { ...result, reply: null };
}

export async function action({ request, context }: Route.ActionArgs) {
  const body = await request.formData();
  // Conform's submission answers every refusal; the schemas read the repeated fields (ids) as lists.
  const submission = confirmation(body);
  const form = formToObject(body);
  if (form.intent === "next" || form.intent === "back" || form.intent === "cancel") {
    return transferStepAction(request, requireUserTransfer(context, request), form, submission);
  }
  if (form.action === "transfer") {
    const actor = requireUserTransfer(context, request);
    const parsed = bulkTransferConfirmation.safeParse(form);
    if (!parsed.success)
      return formError(submission, "This review is incomplete. Choose the new office again.");
    const result = await transferUsers(await getDb(), actor, parsed.data, now(request));
    if (!result.ok) return refusalReply(submission, result);
    throw redirect(`/users/bulk/${result.auditId}`);
  }
  const actor = requireAdmin(context, request);
  if (form.scope === "search") return confirmSearch(request, actor, form, submission);
  const parsed = bulkConfirmation.safeParse(form);
  const refusal = confirmationRefusal(parsed);
  if (refusal || !parsed.success) return refusalReply(submission, refusal!);
  const { action, id, license } = parsed.data;
  const result = await applyBulk(await getDb(), actor, action, id, license ?? "keep", now(request));
  if (result.auditId === null) {
    // The confirmation only offers a POST when someone will change: this one was sent again, or made up.
    if (result.outcomes.length === 0) notFound("These users");
    return formError(
      submission,
      "Nothing was changed: these users were already changed. Go back to Users to see them as they are now.",
      409,
    );
  }
  throw redirect(`/users/bulk/${result.auditId}`);
}

/**
 * Why a one-step confirmation cannot go on, beside its field: fields that do
 * not parse, or a deletion that does not say what becomes of the licenses.
 */
function confirmationRefusal(
  parsed: z.ZodSafeParseResult<{ action: string; license?: string | null }>,
): Refused | null {
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path[0] === "license" ? "license" : undefined;
    return refused(issue?.message ?? "This confirmation is incomplete.", "invalid", field);
  }
  if (parsed.data.action === "delete" && !parsed.data.license)
    return refused("Choose whether to keep or remove their licenses.", "invalid", "license");
  return null;
}

/**
 * The confirmation of everyone a search matches: the search rides in the
 * URL, the count the page showed in the form (confirmSearchBulk checks it).
 * A large selection goes on as a job, whose page shows its progress.
 */
async function confirmSearch(
  request: Request,
  actor: ReturnType<typeof requireAdmin>,
  form: Record<string, unknown>,
  submission: Replying,
) {
  const parsed = bulkSearchConfirmation.safeParse(form);
  const refusal = confirmationRefusal(parsed);
  if (refusal || !parsed.success) return refusalReply(submission, refusal!);
  const { action, count, license } = parsed.data;
  const db = await getDb();
  const url = new URL(request.url);
  const result = await confirmSearchBulk(
    db,
    actor,
    url,
    { action, count, license: license ?? "keep" },
    now(request),
  );
  if (!result.ok) return refusalReply(submission, result);
  if ("jobId" in result) throw redirect(`/users/bulk/job/${result.jobId}`);
  if (result.applied.auditId === null) {
    return formError(
      submission,
      "Nothing was changed: none of these users can be changed this way. Go back to Users to see them as they are now.",
      409,
    );
  }
  throw redirect(`/users/bulk/${result.applied.auditId}`);
}

/**
 * Transfer users' Next holds the new numbers for the review; Back and Cancel
 * leave the review, letting them go. The selection is the one in the URL.
 */
async function transferStepAction(
  request: Request,
  actor: ReturnType<typeof requireUserTransfer>,
  form: Record<string, unknown>,
  submission: Replying,
) {
  const db = await getDb();
  const url = new URL(request.url);
  const selection = await resolveSelection(db, actor, url);
  if (!selection.ok || selection.action !== "transfer")
    return formError(submission, "Select the users to transfer again.");
  if (form.intent !== "next") {
    await dropReviewHolds(db, actor, selection.ids);
    throw redirect(
      form.intent === "back"
        ? officeStepOf(url, parseId(url.searchParams.get("to")) ?? undefined)
        : backToList(url),
    );
  }
  const parsed = bulkTransferHold.safeParse(form);
  const to = parsed.success
    ? await startTransferReview(db, actor, selection.ids, parsed.data.to, now(request))
    : null;
  if (!to || to.disabledReason)
    return refusalReply(submission, refused(to?.disabledReason ?? "Choose the new office.", "invalid", "to"));
  throw redirect(`${officeStepOf(url, to.id)}&step=review`);
}

export const shouldRevalidate = reviewShouldRevalidate;

export default function BulkConfirm({ loaderData, actionData }: Route.ComponentProps) {
  // One Conform form for whichever step is shown (the office, or the confirmation).
  const form = useConfirmForm(actionData ?? (loaderData.kind === "office" ? loaderData.reply : null));
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
  const users = (n: number) => `${n.toLocaleString("en-US")} ${n === 1 ? "user" : "users"}`;
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
      <ConfirmAlert form={form} />
    </>
  );
  if (loaderData.kind === "office") {
    const { officeStep, offices, to, count } = loaderData;
    return (
      <div className="page narrow">
        {head(count)}
        <NewOfficeStep
          action={officeStep}
          form={form}
          name="to"
          hint="The license seats move with the users, so only offices at the same price level as theirs can be chosen. The review lists who is skipped, and why."
          offices={offices}
          chosen={to}
          cancel={back}
        />
      </div>
    );
  }
  const { rows, search } = loaderData;
  const transfer = loaderData.action === "transfer" ? loaderData : null;
  const affected = rows.filter((r) => r.outcome === "done");
  const skipped = rows.filter((r) => r.outcome === "skipped");
  // Everyone a search matches: the count is of them all, the tables list the first hundred.
  const count = search ? search.count : affected.length;
  return (
    <div className="page">
      {head(count)}
      {search ? (
        <p className="callout">
          {users(search.count)} match this search.
          {search.count > rows.length
            ? ` The first ${rows.length} are listed below with what happens to each; the other ${(search.count - rows.length).toLocaleString("en-US")} are changed by the same rules, and any that cannot be are skipped, as the result will list.`
            : null}
          {search.job
            ? " They are changed in batches in the background once you confirm: a page shows the progress, then the result."
            : null}
        </p>
      ) : null}
      {transfer ? (
        <p>
          New office: <strong>{transfer.to.name}</strong> ({transfer.to.country}). Each user keeps their
          license (the seat moves with them), settings and sign-in; admin rights over other offices stay.
        </p>
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

      {affected.length || search ? (
        <ConfirmForm
          form={form}
          alert={false}
          submit={{
            label:
              action === "delete"
                ? `Delete ${users(count)}`
                : transfer
                  ? "Confirm transfer"
                  : `${verb} for ${users(count)}`,
            danger: action === "delete",
          }}
          // Leaving a transfer's review lets the numbers held for it go: the action drops the holds.
          back={transfer ? { intent: "back" } : undefined}
          cancel={transfer ? { intent: "cancel" } : { to: back, className: "button subtle" }}
        >
          <input type="hidden" name="action" value={action} />
          {search ? (
            <>
              {/* The search rides in the URL; the count shown must still hold when confirmed. */}
              <input type="hidden" name="scope" value="search" />
              <input type="hidden" name="count" value={search.count} />
            </>
          ) : (
            // Everyone listed, skipped too: the result reports each of them.
            rows.map((r) => <input key={r.id} type="hidden" name="id" value={r.id} />)
          )}
          {transfer ? (
            <>
              <input type="hidden" name="to" value={transfer.to.id} />
              {transfer.rows.map((r) => (
                <input key={r.id} type="hidden" name="seen" value={r.seen} />
              ))}
            </>
          ) : null}
          {action === "delete" ? <LicenseChoice form={form} legend="Their licenses" many /> : null}
        </ConfirmForm>
      ) : (
        <p>
          <Link to={back}>Back to Users</Link>
        </p>
      )}
    </div>
  );
}
