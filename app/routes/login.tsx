import { data, Form, redirect, useNavigation } from "react-router";
import { useForm, getFormProps } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { z } from "zod";
import type { Route } from "./+types/login";
import { getDb } from "~/db.server";
import { now } from "~/clock.server";
import { actorContext } from "~/auth/actor.server";
import { homeFor } from "~/auth/guards.server";
import { safeRedirect, signIn } from "~/auth/login.server";
import { clientIp } from "~/auth/cookies.server";
import { CsrfField } from "~/ui/csrf";
import { FormErrors, TextField } from "~/ui/field";

const schema = z.object({
  email: z.email("Enter an email address, like name@company.com.").max(254, "That email is too long."),
  password: z
    .string("Enter your password.")
    .min(1, "Enter your password.")
    .max(200, "That password is too long."),
  redirectTo: z.string().max(2000).optional(),
});

export const meta: Route.MetaFunction = () => [{ title: "Sign in · Switchboard" }];

export async function loader({ request, context }: Route.LoaderArgs) {
  const actor = context.get(actorContext);
  if (actor) throw redirect(homeFor(actor));
  return { redirectTo: new URL(request.url).searchParams.get("redirectTo") ?? "" };
}

export async function action({ request, context }: Route.ActionArgs) {
  const formData = await request.formData();
  const submission = parseWithZod(formData, { schema });
  if (submission.status !== "success") {
    return data(submission.reply({ hideFields: ["password"] }), { status: 400 });
  }
  const db = await getDb();
  const at = now(request);
  const ip = clientIp(request, context);
  const result = await signIn(db, request, ip, submission.value, at);
  if (!result.ok) {
    return data(submission.reply({ formErrors: [result.message], hideFields: ["password"] }), {
      status: 400,
    });
  }
  const to = safeRedirect(submission.value.redirectTo, "/", new URL(request.url).origin);
  throw redirect(to, { headers: { "Set-Cookie": result.cookie } });
}

export default function Login({ loaderData, actionData }: Route.ComponentProps) {
  const [form, fields] = useForm({
    lastResult: actionData,
    defaultValue: { redirectTo: loaderData.redirectTo },
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
  });
  const busy = useNavigation().state === "submitting";
  return (
    <div className="page auth">
      <div className="card">
        <h1>Sign in to Switchboard</h1>
        <Form method="post" {...getFormProps(form)} aria-describedby={form.errorId}>
          <CsrfField />
          <FormErrors id={form.errorId} errors={form.errors} />
          <TextField meta={fields.email} label="Email" type="email" autoComplete="username" />
          <TextField
            meta={fields.password}
            label="Password"
            type="password"
            autoComplete="current-password"
          />
          <input type="hidden" name="redirectTo" value={loaderData.redirectTo} />
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? "Signing in…" : "Sign in"}
          </button>
        </Form>
      </div>
    </div>
  );
}
