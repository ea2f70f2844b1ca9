import { data, Form } from "react-router";
import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { Route } from "./+types/user.access";
import { now } from "~/clock.server";
import { adminTarget } from "~/http/target.server";
import { redirectWithFlash, refusalReply } from "~/http/result.server";
import { findAccess, setAdminAccess } from "~/users/access.server";
import { adminAccessSchema, type AdminAccessInput } from "~/users/access-schema";
import { CsrfField } from "~/ui/csrf";
import { FormActions } from "~/ui/form-actions";
import { FormErrors } from "~/ui/field";
import { RadioGroup } from "~/ui/radio-group";
import { UserBreadcrumb } from "~/ui/breadcrumb";

export const meta: Route.MetaFunction = ({ data }) => [
  { title: `Admin access of ${data?.user.name ?? "user"} · Switchboard` },
];

// Options › Privileges › Admin access: any admin sees it for the users in
// their scope (404 outside it); only a Company Admin changes it.
export async function loader({ request, context, params }: Route.LoaderArgs) {
  const { target: user } = await adminTarget(context, request, params.userId, "This user", findAccess);
  return { user };
}

export async function action({ request, context, params }: Route.ActionArgs) {
  const {
    actor,
    db,
    target: user,
  } = await adminTarget(context, request, params.userId, "This user", findAccess);
  // Who may is decided before the form is read: an Office Admin's POST is a 403, whatever it holds.
  if (!actor.person.isCompanyAdmin) throw data({ message: user.refusal }, { status: 403 });
  const submission = parseWithZod(await request.formData(), { schema: adminAccessSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  const result = await setAdminAccess(db, actor, user.id, submission.value, now(request));
  if (!result.ok) return refusalReply(submission, result);
  const message = result.changed
    ? `${result.name}'s admin access is saved.`
    : `Nothing to save: ${result.name}'s admin access was already as chosen.`;
  // Who removed their own admin access may not see Office › Users any more: home decides where they land.
  redirectWithFlash(request, result.self && result.changed ? "/" : `/users/${user.id}`, message);
}

export default function AdminAccess({ loaderData: { user }, actionData }: Route.ComponentProps) {
  const [form, fields] = useForm<AdminAccessInput>({
    lastResult: actionData,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: adminAccessSchema }),
    shouldValidate: "onSubmit",
  });
  const adminOf = new Set(user.adminOffices.map((o) => o.id));
  const officeError = fields.office.errors?.[0];
  const proxy = user.proxyAccess;
  return (
    <div className="page narrow">
      <UserBreadcrumb user={user} current="Admin access" />
      <h1>Admin access of {user.name}</h1>
      {user.refusal ? (
        <section aria-labelledby="access-now" className="panel">
          <h2 id="access-now">Now</h2>
          <dl className="details">
            <dt>Company Admin</dt>
            <dd>{user.isCompanyAdmin ? "Yes" : "No"}</dd>
            <dt>Office Admin of</dt>
            <dd>
              {user.adminOffices.length ? user.adminOffices.map((o) => o.name).join(", ") : "No office"}
            </dd>
            <dt>Proxy access</dt>
            <dd>
              {proxy.granted
                ? "Granted"
                : proxy.asCompanyAdmin
                  ? "Yes, as a Company Admin on this plan"
                  : "No"}
            </dd>
          </dl>
          <p className="callout">{user.refusal}</p>
        </section>
      ) : (
        <>
          <Form method="post" {...getFormProps(form)} className="panel form">
            <CsrfField />
            <FormErrors id={form.errorId} errors={form.errors} />
            <RadioGroup
              name="companyAdmin"
              legend="Company Admin"
              defaultValue={user.isCompanyAdmin ? "yes" : "no"}
              error={fields.companyAdmin.errors?.[0]}
              options={[
                {
                  value: "yes",
                  label: "Yes",
                  description: "Administers every office of the company, and gives and removes admin access.",
                },
                { value: "no", label: "No" },
              ]}
            />
            <fieldset>
              <legend>Office Admin of</legend>
              <p id="office-hint" className="hint">
                They see and change the users and numbers of the offices ticked here. A Company Admin
                administers every office whatever is ticked.
              </p>
              {officeError ? (
                <p id="office-error" className="field-error">
                  {officeError}
                </p>
              ) : null}
              {user.offices.map((o, i) => (
                <div className="field checkbox" key={o.id}>
                  <input
                    type="checkbox"
                    id={`office-${o.id}`}
                    name="office"
                    value={o.id}
                    defaultChecked={adminOf.has(o.id)}
                    aria-invalid={officeError ? true : undefined}
                    aria-describedby={officeError ? "office-hint office-error" : "office-hint"}
                    autoFocus={officeError && i === 0 ? true : undefined}
                  />
                  <label htmlFor={`office-${o.id}`}>{o.name}</label>
                </div>
              ))}
            </fieldset>
            <FormActions
              submit={{ label: "Save admin access", busyLabel: "Saving…" }}
              cancel={{ to: `/users/${user.id}`, className: "button subtle" }}
            />
          </Form>
          <section aria-labelledby="proxy-access" className="panel">
            <h2 id="proxy-access">Proxy access</h2>
            <p>
              {proxy.granted
                ? "Granted."
                : proxy.asCompanyAdmin
                  ? "Yes, as a Company Admin on this plan."
                  : "Not given."}
            </p>
            {proxy.refusal ? (
              <p className="hint">{proxy.refusal}</p>
            ) : (
              <Form method="post" action={`/users/${user.id}/proxy-access`}>
                <CsrfField />
                <input type="hidden" name="access" value={proxy.grant ? "grant" : "remove"} />
                <button type="submit" className="button">
                  {proxy.grant ? "Give proxy access" : "Remove proxy access"}
                </button>
              </Form>
            )}
          </section>
        </>
      )}
    </div>
  );
}
