import { data } from "react-router";
import { parseWithZod } from "@conform-to/zod/v4";
import { z } from "zod";
import type { Route } from "./+types/user.delete";
import { now } from "~/clock.server";
import { adminTarget } from "~/http/target.server";
import { formError, redirectWithFlash } from "~/http/result.server";
import { getUserProfile } from "~/users/profile.server";
import { planBulk } from "~/users/bulk.server";
import { deleteUsers } from "~/users/delete.server";
import { ConfirmForm, UserConfirmPage, useConfirmForm } from "~/ui/review";
import { LicenseChoice } from "~/ui/license-choice";
import { LICENSE_NAMES } from "~/ui/format";

export const meta: Route.MetaFunction = ({ data }) => [
  { title: `Delete ${data?.user.name ?? "user"} · Switchboard` },
];

const load = (request: Request, context: Route.LoaderArgs["context"], userId: string) =>
  adminTarget(context, request, userId, "This user", getUserProfile);

export async function loader({ request, context, params }: Route.LoaderArgs) {
  const { actor, db, target: user } = await load(request, context, params.userId);
  const [plan] = (await planBulk(db, actor, "delete", [user.id])).outcomes;
  return { user, refusal: plan?.outcome === "skipped" ? plan.detail : null };
}

const schema = z.object({
  license: z.enum(["keep", "remove"], "Choose whether to keep or remove the license."),
});

export async function action({ request, context, params }: Route.ActionArgs) {
  const { actor, db, target: user } = await load(request, context, params.userId);
  const submission = parseWithZod(await request.formData(), { schema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  const { outcomes } = await deleteUsers(db, actor, [user.id], submission.value.license, now(request));
  const outcome = outcomes[0];
  // No outcome: another admin deleted them between this page's load and the lock.
  if (!outcome) return formError(submission, `${user.name} was deleted by someone else meanwhile.`, 409);
  if (outcome.outcome === "skipped") return formError(submission, outcome.detail, 409);
  const message =
    user.status === "pending"
      ? `${user.name} is deleted for good.`
      : `${user.name} is deleted. You can restore them from Deleted Users for 72 hours.`;
  redirectWithFlash(request, "/users", message);
}

export default function DeleteUser({ loaderData, actionData }: Route.ComponentProps) {
  const { user, refusal } = loaderData;
  const form = useConfirmForm(actionData);
  return (
    <UserConfirmPage
      user={user}
      verb="Delete"
      refusal={refusal && `${user.name} cannot be deleted: ${refusal}`}
    >
      <ConfirmForm
        form={form}
        submit={{ label: `Delete ${user.name}`, danger: true }}
        cancel={{ to: `/users/${user.id}`, className: "button subtle" }}
      >
        {user.status === "pending" ? (
          <p>
            {user.name} ({user.email}) has not signed in yet: the deletion is final at once. Their invite
            stops working and{" "}
            {user.numbers.length ? "their number goes straight to the Reserved Pool" : "they have no number"}.
          </p>
        ) : (
          <>
            <p>
              {user.name} ({user.email}, {user.officeName}) will no longer be able to sign in, and their
              sessions end. You can restore them from Deleted Users for 72 hours; after that, they are
              anonymized for good.
            </p>
            <ul>
              <li>
                {user.numbers.length
                  ? `Their ${user.numbers.length === 1 ? "number" : "numbers"} (${user.numbers.map((n) => n.formatted).join(", ")}) ${user.numbers.length === 1 ? "goes" : "go"} to the Reserved Pool, on hold for a restore.`
                  : "They have no phone number."}
              </li>
              <li>
                {user.groups.length
                  ? `Their memberships of ${user.groups.map((g) => g.name).join(", ")} are kept on hold for a restore.`
                  : "They are not a member of any group."}
              </li>
            </ul>
          </>
        )}
        <LicenseChoice form={form} legend={`Their ${LICENSE_NAMES[user.licenseType]} license`} />
      </ConfirmForm>
    </UserConfirmPage>
  );
}
