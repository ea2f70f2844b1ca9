import { Link } from "react-router";
import type { Route } from "./+types/user.numbers.remove";
import { getDb } from "~/db.server";
import { now } from "~/clock.server";
import { idParam, notFound, requireAdmin } from "~/auth/guards.server";
import { confirmation, redirectWithFlash, refusalReply } from "~/http/result.server";
import { NO_LONGER_THEIRS, previewRemoval, removeNumber } from "~/numbers/remove.server";
import { ConfirmForm, useConfirmForm } from "~/ui/review";
import { NUMBER_KIND_NAMES } from "~/ui/format";
import { UserBreadcrumb } from "~/ui/breadcrumb";

export const meta: Route.MetaFunction = ({ data }) => [
  { title: `Remove ${data?.number?.formatted ?? "number"} · ${data?.user.name ?? "User"} · Switchboard` },
];

export async function loader({ request, context, params }: Route.LoaderArgs) {
  const actor = requireAdmin(context, request);
  const userId = idParam(params.userId, "This user");
  const numberId = idParam(params.numberId, "This number");
  const preview = await previewRemoval(await getDb(), actor, userId, numberId);
  if (!preview) notFound("This user");
  return preview.number
    ? { ...preview, gone: null }
    : { user: preview.user, number: null, gone: NO_LONGER_THEIRS };
}

export async function action({ request, context, params }: Route.ActionArgs) {
  const actor = requireAdmin(context, request);
  const userId = idParam(params.userId, "This user");
  const numberId = idParam(params.numberId, "This number");
  const submission = confirmation(await request.formData());
  const result = await removeNumber(await getDb(), actor, userId, numberId, now(request));
  if (!result.ok) return refusalReply(submission, result);
  redirectWithFlash(request, `/users/${userId}/numbers`, result.message);
}

export default function RemoveNumber({ loaderData, actionData }: Route.ComponentProps) {
  const form = useConfirmForm(actionData);
  if (!loaderData.number) {
    // Removed meanwhile (or after a stale form without JavaScript): say so rather than 404.
    const { user, gone } = loaderData;
    return (
      <div className="page narrow">
        <h1>Remove a number from {user.name}</h1>
        <div className="callout warning" role="alert">
          <p>{gone}</p>
          <p>
            <Link to={`/users/${user.id}/numbers`}>Back to the phone numbers of {user.name}</Link>
          </p>
        </div>
      </div>
    );
  }
  const { user, number, newPrimary, losesIncludedNumber, leavesNoNumber } = loaderData;
  return (
    <div className="page narrow">
      <UserBreadcrumb
        user={user}
        current="Remove"
        via={[{ to: `/users/${user.id}/numbers`, label: "Manage phone numbers" }]}
      />
      <h1>
        Remove {number.formatted} from {user.name}?
      </h1>
      <ConfirmForm
        form={form}
        submit={{ label: "Remove number", busyLabel: "Removing…", danger: true }}
        cancel={{ to: `/users/${user.id}/numbers`, className: "button subtle" }}
      >
        <p>
          {number.isPrimary ? "Their primary" : `A${number.kind === "fax" ? " fax" : "n additional"}`} number
          ({NUMBER_KIND_NAMES[number.kind]}). It goes to the Reserved Pool, remembering that {user.name} had
          it last, and any add-on it holds becomes free.
        </p>
        {newPrimary ? (
          <p className="callout">
            {newPrimary} will become {user.name}'s primary number.
          </p>
        ) : null}
        {losesIncludedNumber || leavesNoNumber ? (
          <p className="callout warning">
            {leavesNoNumber
              ? `${user.name} will then have no number.`
              : `${user.name} will then have no primary number.`}
            {losesIncludedNumber
              ? " Their Connect license includes a number: you can reassign one from Reserved Numbers."
              : ""}
          </p>
        ) : null}
      </ConfirmForm>
    </div>
  );
}
