import type { Route } from "./+types/user.reactivate";
import { now } from "~/clock.server";
import { suspensionTarget } from "~/http/target.server";
import { confirmation, redirectWithFlash, refusalReply } from "~/http/result.server";
import { reactivateUser } from "~/users/suspend.server";
import { ConfirmAlert, ConfirmForm, UserConfirmPage, useConfirmForm } from "~/ui/review";
import { LICENSE_NAMES } from "~/ui/format";

export const meta: Route.MetaFunction = ({ data }) => [
  { title: `Reactivate ${data?.user.name ?? "user"} · Switchboard` },
];

export async function loader(args: Route.LoaderArgs) {
  const { user, refusal } = await suspensionTarget(args, "reactivate");
  return { user, refusal };
}

export async function action(args: Route.ActionArgs) {
  const { request } = args;
  const { actor, db, user } = await suspensionTarget(args, "reactivate");
  const submission = confirmation(await request.formData());
  const result = await reactivateUser(db, actor, user.id, now(request));
  if (!result.ok) return refusalReply(submission, result);
  redirectWithFlash(
    request,
    `/users/${user.id}`,
    user.firstSignedInAt
      ? `${result.name} is reactivated and can sign in again.`
      : `${result.name} is reactivated: pending again, their invite works again while it lasts.`,
  );
}

export default function ReactivateUser({ loaderData, actionData }: Route.ComponentProps) {
  const { user, refusal } = loaderData;
  const form = useConfirmForm(actionData);
  return (
    <UserConfirmPage user={user} verb="Reactivate" refusal={refusal}>
      <>
        <ConfirmAlert form={form} />
        <ConfirmForm
          form={form}
          alert={false}
          submit={{ label: `Reactivate ${user.name}` }}
          cancel={{ to: `/users/${user.id}`, className: "button subtle" }}
        >
          <p>
            {user.name} ({user.email}) takes an unassigned {LICENSE_NAMES[user.licenseType]} license
            {user.hasMeetingsSeat ? " and a Meetings seat" : ""} in {user.officeName} again, and{" "}
            {user.firstSignedInAt
              ? "can sign in again."
              : "is pending again: they have not signed in yet, so they can accept their invite while it lasts."}
          </p>
        </ConfirmForm>
      </>
    </UserConfirmPage>
  );
}
