import { data, Form, redirect } from "react-router";
import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { z } from "zod";
import type { Route } from "./+types/invite";
import { getDb } from "~/db.server";
import { now } from "~/clock.server";
import { clientIp } from "~/auth/cookies.server";
import { flashCookie } from "~/auth/flash.server";
import { acceptInvite, findInvite } from "~/users/invite.server";
import { CsrfField } from "~/ui/csrf";
import { FormErrors, TextField } from "~/ui/field";

export const meta: Route.MetaFunction = () => [{ title: "Set your password · Switchboard" }];

const schema = z
  .object({
    password: z
      .string("Choose a password.")
      .min(12, "Use at least 12 characters.")
      .max(200, "Use at most 200 characters."),
    confirm: z.string("Type the password again."),
  })
  .refine((v) => v.password === v.confirm, { path: ["confirm"], message: "The two passwords differ." });

const EXPIRED = "This invite link has expired or was already used. Ask your admin to resend the invite.";

export async function loader({ request, params }: Route.LoaderArgs) {
  const invite = await findInvite(await getDb(), params.token, now(request));
  if (!invite) throw data({ message: EXPIRED }, { status: 404 });
  return {
    name: `${invite.first_name} ${invite.last_name}`,
    email: invite.email!,
    company: invite.company_name,
  };
}

export async function action({ request, params, context }: Route.ActionArgs) {
  const submission = parseWithZod(await request.formData(), { schema });
  if (submission.status !== "success")
    return data(submission.reply({ hideFields: ["password", "confirm"] }), { status: 400 });
  const db = await getDb();
  const at = now(request);
  const ip = clientIp(request, context);
  const accepted = await acceptInvite(db, request, params.token, submission.value.password, ip, at);
  if (!accepted)
    return data(submission.reply({ formErrors: [EXPIRED], hideFields: ["password", "confirm"] }), {
      status: 410,
    });
  const headers = new Headers();
  headers.append("Set-Cookie", accepted.cookie);
  headers.append("Set-Cookie", flashCookie(request, "Welcome to Switchboard. Your password is set."));
  throw redirect("/settings", { headers });
}

export default function Invite({ loaderData, actionData }: Route.ComponentProps) {
  const [form, fields] = useForm({
    lastResult: actionData,
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
    shouldValidate: "onSubmit",
  });
  return (
    <div className="page auth">
      <div className="card">
        <h1>Welcome to {loaderData.company}</h1>
        <p>
          {loaderData.name}, set a password for {loaderData.email} to start using Switchboard.
        </p>
        <Form method="post" {...getFormProps(form)}>
          <CsrfField />
          <FormErrors id={form.errorId} errors={form.errors} />
          <TextField
            meta={fields.password}
            label="New password"
            type="password"
            autoComplete="new-password"
            hint="At least 12 characters."
          />
          <TextField
            meta={fields.confirm}
            label="Type it again"
            type="password"
            autoComplete="new-password"
          />
          <button type="submit" className="button primary">
            Set password and sign in
          </button>
        </Form>
      </div>
    </div>
  );
}
