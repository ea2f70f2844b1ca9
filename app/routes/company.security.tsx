import { data, Form } from "react-router";
import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { Route } from "./+types/company.security";
import { getDb } from "~/db.server";
import { now } from "~/clock.server";
import { requireSecurityAdmin } from "~/auth/guards.server";
import { redirectWithFlash } from "~/http/result.server";
import { readProxySecurity, saveProxySecurity } from "~/proxy/security.server";
import { proxySecuritySchema, REASON_MAX, REASON_MIN } from "~/proxy/schema";
import { CsrfField } from "~/ui/csrf";
import { CheckboxField, FormErrors } from "~/ui/field";
import { useBusy } from "~/ui/form-actions";
import { SettingsHeading } from "~/ui/breadcrumb";

export const meta: Route.MetaFunction = () => [{ title: "Security · Company Settings · Switchboard" }];

export async function loader({ request, context }: Route.LoaderArgs) {
  const actor = requireSecurityAdmin(context, request);
  return { values: await readProxySecurity(await getDb(), actor.company.id) };
}

export async function action({ request, context }: Route.ActionArgs) {
  const actor = requireSecurityAdmin(context, request);
  const submission = parseWithZod(await request.formData(), { schema: proxySecuritySchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  const message = await saveProxySecurity(await getDb(), actor, submission.value, now(request));
  redirectWithFlash(request, "/company/security", message);
}

export default function Security({ loaderData, actionData }: Route.ComponentProps) {
  const [form, fields] = useForm({
    lastResult: actionData,
    defaultValue: loaderData.values,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: proxySecuritySchema }),
    shouldValidate: "onSubmit",
  });
  const saving = useBusy();
  return (
    <div className="page narrow">
      <SettingsHeading page="Security" purpose="How Proxy Login works for everyone in your company." />
      <Form method="post" {...getFormProps(form)} className="panel form">
        <CsrfField />
        <FormErrors id={form.errorId} errors={form.errors} />
        <fieldset>
          <legend>Proxy Login</legend>
          <CheckboxField
            meta={fields.reasonRequired}
            label="Require a reason for Proxy Login"
            hint={`Admins give a reason of ${REASON_MIN} to ${REASON_MAX} characters before they proxy. It is kept with the proxy session and shown on the user's page.`}
          />
          <CheckboxField
            meta={fields.notice}
            label="Tell people when someone proxies into their account"
            hint="They get an email naming who, when, and the reason."
          />
        </fieldset>
        <button type="submit" className="button primary" disabled={saving}>
          {saving ? "Saving…" : "Save security settings"}
        </button>
      </Form>
    </div>
  );
}
