import { data, Form, Link, redirect } from "react-router";
import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { Route } from "./+types/user.proxy";
import { now } from "~/clock.server";
import { adminTarget } from "~/http/target.server";
import { refusalReply } from "~/http/result.server";
import { getUserProfile } from "~/users/profile.server";
import { mayProxy, proxyTargetOf } from "~/auth/policy.server";
import { startProxy } from "~/proxy/session.server";
import { proxyLoginSchema, REASON_MAX, REASON_MIN } from "~/proxy/schema";
import { readProxySecurity } from "~/proxy/security.server";
import { CsrfField } from "~/ui/csrf";
import { FormErrors, TextField } from "~/ui/field";
import { FormActions } from "~/ui/form-actions";
import { UserBreadcrumb } from "~/ui/breadcrumb";

export const meta: Route.MetaFunction = ({ data }) => [
  { title: `Proxy Login · ${data?.user.name ?? "User"} · Switchboard` },
];

async function loadTarget(request: Request, context: Route.LoaderArgs["context"], userId: string) {
  const { target: user, ...rest } = await adminTarget(context, request, userId, "This user", getUserProfile);
  return { ...rest, user };
}

// A GET shows the form (or why proxying is not possible) and changes nothing.
export async function loader({ request, context, params }: Route.LoaderArgs) {
  const { actor, db, user } = await loadTarget(request, context, params.userId);
  const decision = mayProxy(actor, proxyTargetOf(user, actor.company.id));
  return {
    user: { id: user.id, name: user.name, email: user.email },
    refusal: decision.ok ? null : decision.reason,
    security: await readProxySecurity(db, actor.company.id),
  };
}

export async function action({ request, context, params }: Route.ActionArgs) {
  const { actor, db, user } = await loadTarget(request, context, params.userId);
  const { reasonRequired } = await readProxySecurity(db, actor.company.id);
  const submission = parseWithZod(await request.formData(), { schema: proxyLoginSchema(reasonRequired) });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  const result = await startProxy(db, actor, user.id, submission.value.reason || null, now(request));
  if (!result.ok) return refusalReply(submission, result);
  throw redirect("/settings");
}

export default function ProxyLogin({
  loaderData: { user, refusal, security },
  actionData,
}: Route.ComponentProps) {
  const [form, fields] = useForm({
    lastResult: actionData,
    onValidate: ({ formData }) =>
      parseWithZod(formData, { schema: proxyLoginSchema(security.reasonRequired) }),
    shouldValidate: "onSubmit",
  });
  return (
    <div className="page narrow">
      <UserBreadcrumb user={user} current="Proxy Login" />
      <h1>Proxy Login as {user.name}</h1>
      {refusal ? (
        <>
          <p className="callout warning">{refusal}</p>
          <p>
            <Link to={`/users/${user.id}`}>Back to {user.name}</Link>
          </p>
        </>
      ) : (
        <Form method="post" {...getFormProps(form)} className="panel form">
          <CsrfField />
          <FormErrors id={form.errorId} errors={form.errors} />
          <p>
            You will see and change the account and settings of {user.name} ({user.email}) as they see them.
            Changes you make are applied immediately and recorded as made by you on their behalf. The proxy
            session ends when you select Back, or after 30 minutes.
          </p>
          {security.notice ? (
            <p>{user.name} will get an email saying that you proxied into their account, when, and why.</p>
          ) : null}
          <TextField
            meta={fields.reason}
            label={security.reasonRequired ? "Reason" : "Reason (optional)"}
            hint={
              security.reasonRequired
                ? `Required by your company: ${REASON_MIN} to ${REASON_MAX} characters, for example a support ticket. Recorded with the proxy session.`
                : "Recorded with the proxy session, for example a support ticket."
            }
          />
          <FormActions
            submit={{ label: "Proxy Login" }}
            cancel={{ to: `/users/${user.id}`, className: "button subtle" }}
          />
        </Form>
      )}
    </div>
  );
}
