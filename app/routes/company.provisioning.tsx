import { useState, useSyncExternalStore } from "react";
import { data, Form, Link, useNavigation } from "react-router";
import { getFormProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { Route } from "./+types/company.provisioning";
import { getDb } from "~/db.server";
import { now } from "~/clock.server";
import { requireProvisioningAdmin } from "~/auth/guards.server";
import type { Actor } from "~/auth/actor.server";
import { createToken, listTokens } from "~/provisioning/tokens.server";
import { provisioningDefaults, saveProvisioningDefaults } from "~/provisioning/defaults.server";
import { createTokenSchema, defaultsSchema } from "~/provisioning/schema";
import { scimBaseUrl } from "~/scim/http.server";
import { officesInScope } from "~/auth/scopes.server";
import { redirectWithFlash, refusalReply } from "~/http/result.server";
import { USER_LICENSE_TYPES } from "../../db/schema";
import { CsrfField } from "~/ui/csrf";
import { FormErrors, SelectField, TextField } from "~/ui/field";
import { formatDate, formatDateTime, LICENSE_NAMES } from "~/ui/format";
import { ActionsHeader, DataTable } from "~/ui/table";
import { SettingsHeading } from "~/ui/breadcrumb";

export const meta: Route.MetaFunction = () => [{ title: "Provisioning · Company Settings · Switchboard" }];

export async function loader({ request, context }: Route.LoaderArgs) {
  const actor = requireProvisioningAdmin(context, request);
  const db = await getDb();
  const [tokens, defaults, offices] = await Promise.all([
    listTokens(db, actor.company.id),
    provisioningDefaults(db, actor.company.id),
    officesInScope(db, actor),
  ]);
  return { tokens, defaults, offices, baseUrl: scimBaseUrl(request) };
}

type ActionData = SubmissionResult<string[]> | { created: { name: string; token: string } };

/** The page's two forms: Create token, and the defaults (intent=defaults). */
export async function action({ request, context }: Route.ActionArgs) {
  const actor = requireProvisioningAdmin(context, request);
  const form = await request.formData();
  return form.get("intent") === DEFAULTS ? saveDefaults(request, actor, form) : create(request, actor, form);
}

async function saveDefaults(request: Request, actor: Actor, form: FormData) {
  const submission = parseWithZod(form, { schema: defaultsSchema });
  if (submission.status !== "success") return data<ActionData>(submission.reply(), { status: 400 });
  const result = await saveProvisioningDefaults(await getDb(), actor, submission.value, now(request));
  if (!result.ok) return refusalReply(submission, result);
  redirectWithFlash(request, "/company/provisioning", result.message);
}

async function create(request: Request, actor: Actor, form: FormData) {
  const submission = parseWithZod(form, { schema: createTokenSchema });
  if (submission.status !== "success") return data<ActionData>(submission.reply(), { status: 400 });
  const result = await createToken(await getDb(), actor, submission.value, now(request));
  if (!result.ok)
    return data<ActionData>(submission.reply({ fieldErrors: { [result.field]: [result.message] } }), {
      status: 400,
    });
  // Not a redirect: the token is shown on this answer, once, and never again.
  return data<ActionData>({ created: { name: result.name, token: result.token } });
}

const DEFAULTS = "defaults";

export default function Provisioning({
  loaderData: { tokens, defaults, offices, baseUrl },
  actionData,
}: Route.ComponentProps) {
  const created = actionData && "created" in actionData ? actionData.created : null;
  const reply = created ? null : (actionData as SubmissionResult<string[]> | undefined);
  // Which form the answer is about: the defaults form sends its intent, and the reply carries what was sent.
  const aboutDefaults = reply?.initialValue?.intent === DEFAULTS;
  const [form, fields] = useForm({
    id: "token-form",
    lastResult: created ? { status: "success", initialValue: {} } : aboutDefaults ? undefined : reply,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: createTokenSchema }),
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
  });
  const navigation = useNavigation();
  const sending =
    navigation.state === "submitting"
      ? navigation.formData?.get("intent") === DEFAULTS
        ? DEFAULTS
        : "token"
      : null;
  return (
    <div className="page">
      <SettingsHeading
        page="Provisioning"
        purpose="Let your identity provider (Okta, Microsoft Entra ID) create, update and delete users over SCIM 2.0."
      />
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
      <DefaultsForm
        defaults={defaults}
        offices={offices}
        lastResult={aboutDefaults ? reply : undefined}
        saving={sending === DEFAULTS}
      />
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
          <button type="submit" className="button primary" disabled={sending === "token"}>
            {sending === "token" ? "Creating…" : "Create token"}
          </button>
        </Form>
      </section>
    </div>
  );
}

function DefaultsForm({
  defaults,
  offices,
  lastResult,
  saving,
}: {
  defaults: Route.ComponentProps["loaderData"]["defaults"];
  offices: Route.ComponentProps["loaderData"]["offices"];
  lastResult?: SubmissionResult<string[]>;
  saving: boolean;
}) {
  const [form, fields] = useForm({
    id: "defaults-form",
    lastResult,
    defaultValue: { officeId: String(defaults.officeId), licenseType: defaults.licenseType },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: defaultsSchema }),
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
  });
  return (
    <section aria-labelledby="defaults-heading" className="panel">
      <h2 id="defaults-heading">Defaults for provisioned users</h2>
      <p>
        Where a user your identity provider creates goes, and their license, when it names no office or
        license (the extension attributes <code>office</code> and <code>license</code>).
      </p>
      <Form method="post" {...getFormProps(form)} className="form">
        <CsrfField />
        <input type="hidden" name="intent" value={DEFAULTS} />
        <FormErrors id={form.errorId} errors={form.errors} />
        <SelectField
          meta={fields.officeId}
          label="Default office"
          options={offices.map((o) => ({ value: String(o.id), label: o.name }))}
        />
        <SelectField
          meta={fields.licenseType}
          label="Default license type"
          options={USER_LICENSE_TYPES.map((t) => ({ value: t, label: LICENSE_NAMES[t] }))}
        />
        <button type="submit" className="button primary" disabled={saving}>
          Save defaults
        </button>
      </Form>
    </section>
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
