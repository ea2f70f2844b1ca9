import { Link } from "react-router";
import type { Route } from "./+types/users.deleted.purge";
import { now } from "~/clock.server";
import { confirmation, redirectWithFlash, refusalReply } from "~/http/result.server";
import { permanentlyDelete } from "~/users/deleted.server";
import { deletedTarget } from "~/http/target.server";
import { ConfirmForm, useConfirmForm } from "~/ui/review";

export const meta: Route.MetaFunction = () => [{ title: "Permanently delete user · Switchboard" }];

export async function loader({ request, context, params }: Route.LoaderArgs) {
  const { target: user } = await deletedTarget(context, request, params.userId);
  return { user };
}

export async function action({ request, context, params }: Route.ActionArgs) {
  const { actor, db, target: user } = await deletedTarget(context, request, params.userId);
  const submission = confirmation(await request.formData());
  // The same rule as restore, asked again under the row lock.
  const result = await permanentlyDelete(db, actor, user.id, now(request));
  if (!result.ok) return refusalReply(submission, result);
  redirectWithFlash(
    request,
    "/users/deleted",
    "The user is permanently deleted and their records are anonymized.",
  );
}

export default function PurgeUser({ loaderData: { user }, actionData }: Route.ComponentProps) {
  const form = useConfirmForm(actionData);
  const refusal = form.errors?.join(" ") || user.refusal;
  return (
    <div className="page narrow">
      <p className="breadcrumb">
        <Link to="/users/deleted">Office › Users › Deleted Users</Link> ›{" "}
        <span aria-current="page">Permanently delete</span>
      </p>
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
