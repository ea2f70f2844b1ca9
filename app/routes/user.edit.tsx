import { data, Form } from "react-router";
import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { Route } from "./+types/user.edit";
import { now } from "~/clock.server";
import { adminTarget } from "~/http/target.server";
import { redirectWithFlash, refusalReply } from "~/http/result.server";
import { editUser, findEditable } from "~/users/edit.server";
import { inviteNotMailed } from "~/users/invite.server";
import { editUserSchema, type EditUserInput } from "~/users/edit-schema";
import { CsrfField } from "~/ui/csrf";
import { FormActions } from "~/ui/form-actions";
import { FormErrors, PersonFields, TextField } from "~/ui/field";
import { UserBreadcrumb } from "~/ui/breadcrumb";

export const meta: Route.MetaFunction = ({ data }) => [
  { title: `Edit ${data?.user.name ?? "user"} · Switchboard` },
];

/** The user this URL names, if this admin may edit them: 404 outside their scope, 403 for a Company Admin. */
async function editable(request: Request, context: Route.LoaderArgs["context"], userId: string) {
  const { target: user, ...rest } = await adminTarget(context, request, userId, "This user", findEditable);
  if (user.refusal) throw data({ message: user.refusal }, { status: 403 });
  return { ...rest, user };
}

export async function loader({ request, context, params }: Route.LoaderArgs) {
  const { user } = await editable(request, context, params.userId);
  return { user };
}

export async function action({ request, context, params }: Route.ActionArgs) {
  const { actor, db, user } = await editable(request, context, params.userId);
  const submission = parseWithZod(await request.formData(), { schema: editUserSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  const origin = new URL(request.url).origin;
  const result = await editUser(db, actor, user.id, submission.value, origin, now(request));
  if (!result.ok) {
    // Made a Company Admin since the page was loaded: the same page as the loader's refusal.
    if (result.kind === "forbidden") throw data({ message: result.message }, { status: 403 });
    return refusalReply(submission, result);
  }
  const message =
    result.changed.length === 0
      ? `Nothing to save: ${result.name}'s details were already as entered.`
      : result.invitedTo && !result.mailed
        ? `${result.name}'s details are saved, and the old invite link no longer works. ${inviteNotMailed(result.invitedTo)}`
        : result.invitedTo
          ? `${result.name}'s details are saved. A new invite is on its way to ${result.invitedTo}; the old link no longer works.`
          : `${result.name}'s details are saved.`;
  redirectWithFlash(request, `/users/${user.id}`, message);
}

export default function EditUser({ loaderData: { user }, actionData }: Route.ComponentProps) {
  const [form, fields] = useForm<EditUserInput>({
    lastResult: actionData,
    defaultValue: user.values,
    // The browser checks the fields as the server would (same schema); what is
    // taken by someone else is decided on the server.
    onValidate: ({ formData }) => parseWithZod(formData, { schema: editUserSchema }),
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
  });
  return (
    <div className="page narrow">
      <UserBreadcrumb user={user} current="Edit user" />
      <h1>Edit {user.name}</h1>
      <Form method="post" {...getFormProps(form)} className="panel form">
        <CsrfField />
        <FormErrors id={form.errorId} errors={form.errors} />
        <PersonFields
          firstName={fields.firstName}
          lastName={fields.lastName}
          email={fields.email}
          emailHint={
            user.status === "pending"
              ? "They have not accepted their invite yet: a new address gets a new invite, and the old link stops working."
              : "They sign in with this address."
          }
        />
        <TextField
          meta={fields.extension}
          label="Extension"
          autoComplete="off"
          hint="2 to 6 digits, not used by anyone else in the company. Leave it empty for none."
        />
        <TextField meta={fields.jobTitle} label="Job title" autoComplete="off" />
        <FormActions
          submit={{ label: "Save changes", busyLabel: "Saving…" }}
          cancel={{ to: `/users/${user.id}`, className: "button subtle" }}
        />
      </Form>
    </div>
  );
}
