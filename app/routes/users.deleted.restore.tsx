import { Link } from "react-router";
import type { Route } from "./+types/users.deleted.restore";
import { now } from "~/clock.server";
import { confirmation, redirectWithFlash, refusalReply } from "~/http/result.server";
import { deletedTarget } from "~/http/target.server";
import { restoreUser } from "~/users/deleted.server";
import { ConfirmAlert, ConfirmForm, useConfirmForm } from "~/ui/review";

export const meta: Route.MetaFunction = () => [{ title: "Restore user · Switchboard" }];

export async function loader({ request, context, params }: Route.LoaderArgs) {
  const { target: user } = await deletedTarget(context, request, params.userId);
  return { user };
}

export async function action({ request, context, params }: Route.ActionArgs) {
  const { actor, db, target: user } = await deletedTarget(context, request, params.userId);
  const submission = confirmation(await request.formData());
  const result = await restoreUser(db, actor, user.id, now(request));
  if (!result.ok) return refusalReply(submission, result);
  redirectWithFlash(
    request,
    "/users/deleted",
    `${result.name} is restored, with their license, numbers and groups.`,
  );
}

export default function RestoreUser({ loaderData, actionData }: Route.ComponentProps) {
  const { user } = loaderData;
  const form = useConfirmForm(actionData);
  return (
    <div className="page narrow">
      <p className="breadcrumb">
        <Link to="/users/deleted">Office › Users › Deleted Users</Link> ›{" "}
        <span aria-current="page">Restore</span>
      </p>
      <h1>Restore {user.name}?</h1>
      {user.refusal ? (
        <p className="callout danger" role="alert">
          {user.name} cannot be restored: {user.refusal}
        </p>
      ) : (
        <ConfirmAlert form={form} />
      )}
      {user.refusal ? (
        // The rule restore and permanent deletion share says no: no button to press only to be refused.
        <p>
          <Link to="/users/deleted">Back to Deleted Users</Link>
        </p>
      ) : (
        <ConfirmForm
          form={form}
          alert={false}
          submit={{ label: `Restore ${user.name}` }}
          cancel={{ to: "/users/deleted", className: "button subtle" }}
        >
          <p>
            {user.name} ({user.email}, {user.officeName}) gets back their account, their license, the numbers
            held for them and their group memberships.
          </p>
        </ConfirmForm>
      )}
    </div>
  );
}
