import { Link } from "react-router";
import type { Route } from "./+types/users.deleted.purge";
import { permanentlyDelete } from "~/users/deleted.server";
import { confirmDeletedUser, deletedUserLoader } from "~/http/target.server";
import { ConfirmForm, useConfirmForm } from "~/ui/review";
import { Breadcrumb, DELETED_USERS_CRUMB } from "~/ui/breadcrumb";

export const meta: Route.MetaFunction = () => [{ title: "Permanently delete user · Switchboard" }];

export const loader = deletedUserLoader;

export const action = (args: Route.ActionArgs) =>
  confirmDeletedUser(
    args,
    permanentlyDelete,
    () => "The user is permanently deleted and their records are anonymized.",
  );

export default function PurgeUser({ loaderData: { user }, actionData }: Route.ComponentProps) {
  const form = useConfirmForm(actionData);
  const refusal = form.errors?.join(" ") || user.refusal;
  return (
    <div className="page narrow">
      <Breadcrumb trail={[DELETED_USERS_CRUMB]} current="Permanently delete" />
      <h1>Permanently delete {user.name}?</h1>
      {refusal ? (
        <>
          <p className="callout danger" role="alert">
            {user.name} cannot be permanently deleted: {refusal}
          </p>
          <p>
            <Link to="/users/deleted">Back to Deleted Users</Link>
          </p>
        </>
      ) : (
        <ConfirmForm
          form={form}
          alert={false}
          submit={{ label: `Permanently delete ${user.name}`, danger: true }}
          cancel={{ to: "/users/deleted", className: "button subtle" }}
        >
          <p className="callout danger">
            {user.name} ({user.email}) can no longer be restored after this. Their name, email, settings and
            every other personal detail are erased everywhere and replaced by "Deleted user". The numbers held
            for them become available in the Reserved Pool. This cannot be undone.
          </p>
        </ConfirmForm>
      )}
    </div>
  );
}
