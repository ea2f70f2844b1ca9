import { useState, useSyncExternalStore } from "react";
import { data, Form, Link, useNavigation } from "react-router";
import { getFormProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { Route } from "./+types/company.provisioning";
import { getDb } from "~/db.server";
import { now } from "~/clock.server";
import { requireProvisioningAdmin } from "~/auth/guards.server";
import { createToken, listTokens } from "~/provisioning/tokens.server";
import { createTokenSchema } from "~/provisioning/schema";
import { scimBaseUrl } from "~/scim/http.server";
import { CsrfField } from "~/ui/csrf";
import { FormErrors, TextField } from "~/ui/field";
import { formatDate, formatDateTime } from "~/ui/format";
import { ActionsHeader, DataTable } from "~/ui/table";

export const meta: Route.MetaFunction = () => [{ title: "Provisioning · Company Settings · Switchboard" }];

export async function loader({ request, context }: Route.LoaderArgs) {
  const actor = requireProvisioningAdmin(context, request);
  return {
    tokens: await listTokens(await getDb(), actor.company.id),
    baseUrl: scimBaseUrl(request),
  };
}

type ActionData = SubmissionResult<string[]> | { created: { name: string; token: string } };

export async function action({ request, context }: Route.ActionArgs) {
  const actor = requireProvisioningAdmin(context, request);
  const submission = parseWithZod(await request.formData(), { schema: createTokenSchema });
  if (submission.status !== "success") return data<ActionData>(submission.reply(), { status: 400 });
  const result = await createToken(await getDb(), actor, submission.value, now(request));
  if (!result.ok)
    return data<ActionData>(submission.reply({ fieldErrors: { [result.field]: [result.message] } }), {
      status: 400,
    });
  // Not a redirect: the token is shown on this answer, once, and never again.
  return data<ActionData>({ created: { name: result.name, token: result.token } });
}

export default function Provisioning({ loaderData: { tokens, baseUrl }, actionData }: Route.ComponentProps) {
  const created = actionData && "created" in actionData ? actionData.created : null;
  const [form, fields] = useForm({
    lastResult: created
      ? { status: "success", initialValue: {} }
      : (actionData as SubmissionResult<string[]>),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: createTokenSchema }),
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
  });
  const saving = useNavigation().state === "submitting";
  return (
    <div className="page">
      <p className="breadcrumb">
        Company Settings › <span aria-current="page">Provisioning</span>
      </p>
      <h1>Provisioning</h1>
      <p className="subtitle">
        Let your identity provider (Okta, Microsoft Entra ID) create, update and delete users over SCIM 2.0.
      </p>
      <section aria-labelledby="base-url" className="panel">
        <h2 id="base-url">SCIM base URL</h2>
        <p>
          Paste this into your identity provider as the SCIM base URL (Entra ID: Tenant URL), and a token
          below as the Bearer token (Entra ID: Secret Token).
        </p>
        <p>
          <code>{baseUrl}</code>
        </p>
      </section>
      {created ? <CreatedToken {...created} /> : null}
      <section aria-labelledby="tokens" className="panel">
        <h2 id="tokens">Tokens</h2>
        {tokens.length === 0 ? (
          <p>No tokens yet.</p>
        ) : (
          <DataTable
            caption="Provisioning tokens"
            columns={["Name", "Created by", "Created", "Expires", "Last used", <ActionsHeader />]}
          >
            {tokens.map((t) => (
              <tr key={t.id}>
                <th scope="row">{t.name}</th>
                <td>{t.createdBy}</td>
                <td>{formatDateTime(t.createdAt)}</td>
                <td>{t.expiresAt ? formatDateTime(t.expiresAt) : "Never"}</td>
                <td>{t.lastUsedAt ? formatDateTime(t.lastUsedAt) : "Never"}</td>
                <td>
                  {t.revokedAt ? (
                    `Revoked ${formatDate(t.revokedAt)}`
                  ) : (
                    <Link to={`/company/provisioning/${t.id}/revoke`} aria-label={`Revoke ${t.name}`}>
                      Revoke
                    </Link>
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>
      <section aria-labelledby="create-token" className="panel">
        <h2 id="create-token">Create token</h2>
        <Form method="post" {...getFormProps(form)} className="form">
          <CsrfField />
          <FormErrors id={form.errorId} errors={form.errors} />
          <TextField meta={fields.name} label="Name" hint="Who will use it, like Okta or Entra ID." />
          <TextField
            meta={fields.expiresOn}
            label="Last day it works (optional)"
            type="date"
            hint="YYYY-MM-DD, in UTC. Leave it empty for a token that does not expire."
          />
          <button type="submit" className="button primary" disabled={saving}>
            {saving ? "Creating…" : "Create token"}
          </button>
        </Form>
      </section>
    </div>
  );
}

const noSubscription = () => () => {};

/** The new token, once: with a copy button where the browser runs scripts (the token is on the page either way). */
function CreatedToken({ name, token }: { name: string; token: string }) {
  // Rendered on the server as false: the button appears only where a script can copy.
  const canCopy = useSyncExternalStore(
    noSubscription,
    () => !!navigator.clipboard,
    () => false,
  );
  const [copied, setCopied] = useState(false);
  return (
    <section aria-labelledby="new-token" className="panel callout">
      <h2 id="new-token">Token {name} is created</h2>
      <p>Copy it now: it is shown only this once. Switchboard keeps only a hash of it.</p>
      <p>
        <code id="new-token-value">{token}</code>
      </p>
      {canCopy ? (
        <p>
          <button
            type="button"
            className="button"
            onClick={() => void navigator.clipboard.writeText(token).then(() => setCopied(true))}
          >
            Copy token
          </button>{" "}
          <span role="status">{copied ? "Copied." : ""}</span>
        </p>
      ) : null}
    </section>
  );
}
