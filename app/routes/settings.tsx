import { data, Form } from "react-router";
import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { Route } from "./+types/settings";
import { getDb } from "~/db.server";
import { now } from "~/clock.server";
import { requireActor } from "~/auth/guards.server";
import { redirectWithFlash, refusalReply } from "~/http/result.server";
import { loadSettings, updateSettings } from "~/settings/update.server";
import { LANGUAGES, settingsSchema, TIMEZONES } from "~/settings/schema";
import { CsrfField } from "~/ui/csrf";
import { CheckboxField, FormErrors, SelectField, TextField } from "~/ui/field";
import { useBusy } from "~/ui/form-actions";

export const meta: Route.MetaFunction = () => [{ title: "My settings · Switchboard" }];

export async function loader({ request, context }: Route.LoaderArgs) {
  const actor = requireActor(context, request);
  const settings = await loadSettings(await getDb(), actor);
  return {
    ...settings,
    timezones: TIMEZONES,
    languages: Object.entries(LANGUAGES).map(([value, label]) => ({ value, label })),
  };
}

export async function action({ request, context }: Route.ActionArgs) {
  const actor = requireActor(context, request);
  const submission = parseWithZod(await request.formData(), { schema: settingsSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  const result = await updateSettings(await getDb(), actor, submission.value, now(request));
  if (!result.ok) return refusalReply(submission, result);
  redirectWithFlash(request, "/settings", "Your settings are saved.");
}

export default function Settings({ loaderData, actionData }: Route.ComponentProps) {
  const [form, fields] = useForm({
    lastResult: actionData,
    defaultValue: loaderData.values,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: settingsSchema }),
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
  });
  const saving = useBusy();
  return (
    <div className="page narrow">
      <h1>My settings</h1>
      <p className="subtitle">Account settings for {loaderData.email}</p>
      <Form method="post" {...getFormProps(form)} className="panel form">
        <CsrfField />
        <FormErrors id={form.errorId} errors={form.errors} />
        <fieldset>
          <legend>Profile</legend>
          <div className="row">
            <TextField meta={fields.firstName} label="First name" autoComplete="given-name" />
            <TextField meta={fields.lastName} label="Last name" autoComplete="family-name" />
          </div>
          <TextField meta={fields.jobTitle} label="Job title" autoComplete="organization-title" />
          <div className="row">
            <SelectField
              meta={fields.timezone}
              label="Time zone"
              options={loaderData.timezones.map((tz) => ({ value: tz, label: tz.replaceAll("_", " ") }))}
            />
            <SelectField meta={fields.language} label="Language" options={loaderData.languages} />
          </div>
        </fieldset>
        <fieldset>
          <legend>Calls</legend>
          <TextField
            meta={fields.forwardingNumber}
            label="Call forwarding number"
            type="tel"
            autoComplete="tel"
            hint="Calls ring this number too. Leave it empty to forward nowhere."
          />
          <CheckboxField
            meta={fields.doNotDisturb}
            label="Do not disturb"
            hint="Calls go straight to voicemail."
          />
          <CheckboxField meta={fields.voicemailToEmail} label="Send voicemail to my email" />
        </fieldset>
        <button type="submit" className="button primary" disabled={saving}>
          {saving ? "Saving…" : "Save settings"}
        </button>
      </Form>
    </div>
  );
}
