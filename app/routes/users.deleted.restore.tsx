import { Link } from "react-router";
import type { Route } from "./+types/users.deleted.restore";
import { confirmDeletedUser, deletedUserLoader } from "~/http/target.server";
import { restoreUser } from "~/users/deleted.server";
import { ConfirmAlert, ConfirmForm, useConfirmForm } from "~/ui/review";
import { Breadcrumb, DELETED_USERS_CRUMB } from "~/ui/breadcrumb";

export const meta: Route.MetaFunction = () => [{ title: "Restore user · Switchboard" }];

export const loader = deletedUserLoader;

export const action = (args: Route.ActionArgs) =>
  confirmDeletedUser(
    args,
    restoreUser,
    (name) => `${name} is restored, with their license, numbers and groups.`,
  );

export default function RestoreUser({ loaderData, actionData }: Route.ComponentProps) {
  const { user } = loaderData;
  const form = useConfirmForm(actionData);
  return (
    <div className="page narrow">
      <Breadcrumb trail={[DELETED_USERS_CRUMB]} current="Restore" />
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
