import { data } from "react-router";
import { parseWithZod } from "@conform-to/zod/v4";
import { z } from "zod";
import type { Route } from "./+types/user.suspend";
import { now } from "~/clock.server";
import { suspensionTarget } from "~/http/target.server";
import { formError, redirectWithFlash, refusalReply } from "~/http/result.server";
import { suspendUser } from "~/users/suspend.server";
import { ConfirmAlert, ConfirmForm, UserConfirmPage, useConfirmForm } from "~/ui/review";
import { LICENSE_NAMES } from "~/ui/format";

export const meta: Route.MetaFunction = ({ data }) => [
  { title: `Suspend ${data?.user.name ?? "user"} · Switchboard` },
];

export async function loader(args: Route.LoaderArgs) {
  const { user, refusal } = await suspensionTarget(args, "suspend");
  return { user, refusal };
}

/** The status the page showed: a confirmation sent after it changed is refused rather than applied blind. */
const schema = z.object({ status: z.enum(["active", "pending"], "The status this page showed is missing.") });

export async function action(args: Route.ActionArgs) {
  const { request } = args;
  const { actor, db, user } = await suspensionTarget(args, "suspend");
  const submission = parseWithZod(await request.formData(), { schema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  if (submission.value.status !== user.status)
    return formError(submission, `${user.name}'s status changed meanwhile: check it again.`, 409);
  const result = await suspendUser(db, actor, user.id, now(request));
  if (!result.ok) return refusalReply(submission, result);
  redirectWithFlash(
    request,
    `/users/${user.id}`,
    `${result.name} is suspended: they cannot sign in, and their license seat is free.`,
  );
}

export default function SuspendUser({ loaderData, actionData }: Route.ComponentProps) {
  const { user, refusal } = loaderData;
  const form = useConfirmForm(actionData);
  return (
    <UserConfirmPage user={user} verb="Suspend" refusal={refusal}>
      <>
        <ConfirmAlert form={form} />
        <ConfirmForm
          form={form}
          alert={false}
          submit={{ label: `Suspend ${user.name}`, danger: true }}
          cancel={{ to: `/users/${user.id}`, className: "button subtle" }}
        >
          <input type="hidden" name="status" value={user.status} />
          <p>
            {user.name} ({user.email}, {user.officeName}) will no longer be able to sign in
            {user.status === "pending" ? " or accept their invite" : ""}, and their sessions end.
          </p>
          <ul>
            <li>
              Their {LICENSE_NAMES[user.licenseType]} license
              {user.hasMeetingsSeat ? " and Meetings seat are" : " is"} freed in {user.officeName}.
            </li>
            <li>Their numbers, groups and settings stay, ready for a reactivation.</li>
            <li>Reactivating them needs an unassigned seat of their license in their office again.</li>
          </ul>
        </ConfirmForm>
      </>
    </UserConfirmPage>
  );
}
