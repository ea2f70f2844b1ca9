import { data, Link, redirect } from "react-router";
import { parseWithZod } from "@conform-to/zod/v4";
import type { Route } from "./+types/user.transfer";
import { getDb } from "~/db.server";
import { now } from "~/clock.server";
import { notFound, requireUserTransfer, idParam } from "~/auth/guards.server";
import { formError, redirectWithFlash, refusalReply, refusedStep } from "~/http/result.server";
import { refused } from "~/refusal.server";
import { startTransferReview, previewTransfer, transferChoices, transferUser } from "~/users/transfer.server";
import { dropReviewHolds } from "~/numbers/review-holds.server";
import { transferConfirmSchema, transferHoldSchema } from "~/users/transfer-schema";
import { NewOfficeStep } from "~/ui/transfer-steps";
import { ConfirmAlert, ConfirmForm, reviewShouldRevalidate, useConfirmForm, useStepKey } from "~/ui/review";
import { formatDateTime, LICENSE_NAMES, NUMBER_KIND_NAMES } from "~/ui/format";
import { parseId } from "~/input";
import { UserBreadcrumb } from "~/ui/breadcrumb";
import { KindList } from "~/ui/kind-list";

export const meta: Route.MetaFunction = ({ data }) => [
  { title: `Transfer user${data?.user ? ` ${data.user.name}` : ""} · Switchboard` },
];

export async function loader({ request, context, params }: Route.LoaderArgs) {
  const actor = requireUserTransfer(context, request);
  const id = idParam(params.userId, "This user");
  const db = await getDb();
  const url = new URL(request.url);
  const choices = await transferChoices(db, actor, id);
  if (!choices) notFound("This user");
  const office = parseId(url.searchParams.get("office"));
  if (url.searchParams.get("step") === "review" && !choices.refusal) {
    const preview = office ? await previewTransfer(db, actor, id, office, now(request)) : null;
    if (!preview)
      return refusedStep(url, { ...choices, office, preview: null }, "Choose an office.", "office");
    return { ...choices, office, preview, reply: null };
  }
  return { ...choices, office, preview: null, reply: null };
}

/**
 * Next (`intent=next`) holds the new number and shows the review; Back and
 * Cancel leave it, letting the held number go; otherwise the review's
 * Confirm transfer.
 */
export async function action({ request, context, params }: Route.ActionArgs) {
  const actor = requireUserTransfer(context, request);
  const id = idParam(params.userId, "This user");
  const base = `/users/${id}/transfer`;
  const form = await request.formData();
  const intent = form.get("intent");
  const db = await getDb();
  if (
    (intent === "next" || intent === "back" || intent === "cancel") &&
    !(await transferChoices(db, actor, id))
  )
    notFound("This user");
  if (intent === "next") {
    const submission = parseWithZod(form, { schema: transferHoldSchema });
    if (submission.status !== "success") return data(submission.reply(), { status: 400 });
    const to = await startTransferReview(db, actor, [id], submission.value.office, now(request));
    if (!to || to.disabledReason) {
      const why = to?.disabledReason ?? "Choose one of your company's offices.";
      return refusalReply(submission, refused(why, "invalid", "office"));
    }
    throw redirect(`${base}?office=${to.id}&step=review`);
  }
  if (intent === "back" || intent === "cancel") {
    await dropReviewHolds(db, actor, [id]);
    const office = parseId(form.get("office"));
    throw redirect(intent === "cancel" ? `/users/${id}` : `${base}${office ? `?office=${office}` : ""}`);
  }
  const submission = parseWithZod(form, { schema: transferConfirmSchema });
  if (submission.status !== "success")
    return formError(submission, "This review is incomplete. Go back and choose the office again.");
  const result = await transferUser(db, actor, id, submission.value, now(request));
  if (!result.ok) return refusalReply(submission, result);
  redirectWithFlash(request, `/users/${id}`, result.message);
}

export const shouldRevalidate = reviewShouldRevalidate;

export default function TransferUser({ loaderData, actionData }: Route.ComponentProps) {
  const { user, offices, office, preview, refusal, reply } = loaderData;
  // One Conform form for whichever step is shown: the office's refusal beside it, the review's over it.
  const form = useConfirmForm(actionData ?? reply);
  const formKey = useStepKey();
  const base = `/users/${user.id}/transfer`;
  return (
    <div className="page narrow" key={formKey}>
      <UserBreadcrumb user={user} current="Transfer user" />
      <h1>Transfer user</h1>
      <p className="subtitle">
        {user.name} · {user.officeName}
      </p>
      <ConfirmAlert form={form} />

      {refusal ? (
        <div className="panel">
          <p className="callout danger">{refusal}</p>
          <p>
            <Link to={`/users/${user.id}`}>Back to {user.name}</Link>
          </p>
        </div>
      ) : !preview ? (
        <NewOfficeStep
          action={base}
          form={form}
          name="office"
          hint="The license seat moves with the user, so only offices at the same price level can be chosen."
          offices={offices}
          chosen={office}
          cancel={`/users/${user.id}`}
        />
      ) : (
        <ConfirmForm
          form={form}
          alert={false}
          submit={
            preview.refusal
              ? null
              : { label: "Confirm transfer", busyLabel: "Transferring…", intent: "confirm" }
          }
          // Leaving lets the numbers held for the review go: the action drops the holds.
          back={{ intent: "back" }}
          cancel={{ intent: "cancel" }}
        >
          <h2>Review the transfer</h2>
          <dl className="details">
            <dt>From</dt>
            <dd>
              {preview.from.name} ({preview.from.country})
            </dd>
            <dt>To</dt>
            <dd>
              {preview.to.name} ({preview.to.country})
            </dd>
          </dl>
          {preview.refusal ? (
            <p className="callout danger">{preview.refusal}</p>
          ) : (
            <>
              <section aria-labelledby="license">
                <h3 id="license">License</h3>
                <p>
                  {user.name} keeps the {LICENSE_NAMES[preview.user.licenseType]} license
                  {preview.user.hasMeetingsSeat ? ` and the ${LICENSE_NAMES.meetings} license` : ""}: the seat
                  moves from {preview.from.name}'s pool to {preview.to.name}'s, which has {preview.freeSeats}{" "}
                  unassigned.
                </p>
              </section>
              <section aria-labelledby="ending">
                <h3 id="ending">What ends</h3>
                {preview.groupsEnding.length || preview.adminRightsEnding ? (
                  <ul>
                    {preview.groupsEnding.map((g) => (
                      <li key={g.id}>
                        Membership of {g.name} ({preview.from.name})
                      </li>
                    ))}
                    {preview.adminRightsEnding ? <li>Office Admin rights over {preview.from.name}</li> : null}
                  </ul>
                ) : (
                  <p>
                    Nothing: {user.name} is in no group of {preview.from.name} and does not administer it.
                  </p>
                )}
              </section>
              <section aria-labelledby="numbers">
                <h3 id="numbers">Phone numbers</h3>
                {preview.international ? (
                  <>
                    {preview.numbersRemoved.length ? (
                      <>
                        <p>
                          {preview.to.name} is in another country: these numbers are removed and go to{" "}
                          {preview.from.name}'s Reserved Pool.
                        </p>
                        <KindList
                          items={preview.numbersRemoved.map((n) => ({ ...n, name: n.formatted }))}
                          kinds={NUMBER_KIND_NAMES}
                        />
                      </>
                    ) : (
                      <p>{user.name} has no numbers to remove.</p>
                    )}
                    {preview.newNumber ? (
                      <>
                        <p>
                          New local number: <strong>{preview.newNumber.formatted}</strong>{" "}
                          {preview.newNumber.source === "pool"
                            ? `(from ${preview.to.name}'s Reserved Pool)`
                            : "(from the number provider)"}
                          .
                        </p>
                        <p>
                          It is held for {user.name} until {formatDateTime(preview.newNumber.heldUntil)}: no
                          one else can take it before you confirm. Back or Cancel lets it go.
                        </p>
                      </>
                    ) : null}
                  </>
                ) : preview.numbersMoving.length ? (
                  <>
                    <p>
                      These numbers move with {user.name} to {preview.to.name}:
                    </p>
                    <KindList
                      items={preview.numbersMoving.map((n) => ({ ...n, name: n.formatted }))}
                      kinds={NUMBER_KIND_NAMES}
                    />
                  </>
                ) : (
                  <p>{user.name} has no phone numbers.</p>
                )}
              </section>
              <p>Settings, sign-in and admin rights over other offices do not change.</p>
              <input type="hidden" name="seen" value={preview.key} />
            </>
          )}
          <input type="hidden" name="office" value={preview.to.id} />
        </ConfirmForm>
      )}
    </div>
  );
}
