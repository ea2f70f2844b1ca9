import { Link } from "react-router";
import type { Route } from "./+types/reserved-number.delete";
import { getDb } from "~/db.server";
import { now } from "~/clock.server";
import { idParam, notFound, requireAdmin } from "~/auth/guards.server";
import { confirmation, redirectWithFlash, refusalReply } from "~/http/result.server";
import { loadReleaseConfirmation, releaseNumber } from "~/numbers/release.server";
import { ConfirmForm, useConfirmForm } from "~/ui/review";
import { ReservedNumberDetails } from "~/ui/number-details";
import { Breadcrumb, RESERVED_NUMBERS_CRUMB, USERS_CRUMB } from "~/ui/breadcrumb";

export const meta: Route.MetaFunction = ({ data }) => [
  { title: `Delete ${data?.number.formatted ?? "number"} · Reserved Numbers · Switchboard` },
];

export async function loader({ request, context, params }: Route.LoaderArgs) {
  const actor = requireAdmin(context, request);
  const id = idParam(params.numberId, "This reserved number");
  const number = await loadReleaseConfirmation(await getDb(), actor, id, now(request));
  if (!number) notFound("This reserved number");
  return { number };
}

export async function action({ request, context, params }: Route.ActionArgs) {
  const actor = requireAdmin(context, request);
  const id = idParam(params.numberId, "This reserved number");
  const submission = confirmation(await request.formData());
  const result = await releaseNumber(await getDb(), actor, id, now(request));
  if (!result.ok) return refusalReply(submission, result);
  redirectWithFlash(request, "/users/reserved-numbers", result.message);
}

export default function DeleteNumber({ loaderData: { number }, actionData }: Route.ComponentProps) {
  const form = useConfirmForm(actionData);
  return (
    <div className="page narrow">
      <Breadcrumb trail={[USERS_CRUMB, RESERVED_NUMBERS_CRUMB]} current="Delete" />
      <h1>Delete {number.formatted}?</h1>
      <div className="panel">
        <ReservedNumberDetails number={number} />
      </div>
      {number.unavailable ? (
        <div className="callout warning" role={number.unavailable.urgent ? "alert" : "status"}>
          <p>{number.unavailable.message}</p>
          <p>
            <Link to="/users/reserved-numbers">Back to Reserved Numbers</Link>
          </p>
        </div>
      ) : (
        <ConfirmForm
          form={form}
          submit={{ label: "Delete number", busyLabel: "Deleting…", danger: true }}
          cancel={{ to: "/users/reserved-numbers", className: "button subtle" }}
        >
          <div className="callout danger">
            <p>
              {number.formatted} will be released for good: it leaves your company and goes back to the
              carrier. You cannot get it back.
            </p>
          </div>
        </ConfirmForm>
      )}
    </div>
  );
}
