import { data, Form, Link } from "react-router";
import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { Route } from "./+types/users.new";
import { getDb } from "~/db.server";
import { now } from "~/clock.server";
import { requireAdmin } from "~/auth/guards.server";
import { officesInScope } from "~/auth/scopes.server";
import { redirectWithFlash, refusalReply } from "~/http/result.server";
import { addUser, numberChoices } from "~/users/add.server";
import { inviteNotMailed } from "~/users/invite.server";
import { addUserSchema, type AddUserInput } from "~/users/add-schema";
import { CsrfField } from "~/ui/csrf";
import { FormActions } from "~/ui/form-actions";
import { FormErrors, GetSelect, PersonFields, SelectField } from "~/ui/field";
import { formatDate, LICENSE_NAMES } from "~/ui/format";
import { parseId } from "~/input";

export const meta: Route.MetaFunction = () => [{ title: "Add User · Switchboard" }];

export async function loader({ request, context }: Route.LoaderArgs) {
  const actor = requireAdmin(context, request);
  const db = await getDb();
  const offices = (await officesInScope(db, actor)).map((o) => ({ id: o.id, name: o.name }));
  const requested = parseId(new URL(request.url).searchParams.get("office"));
  // With one office there is nothing to choose: go straight to the form.
  const officeId = offices.length === 1 ? offices[0]!.id : requested;
  const choices = officeId ? await numberChoices(db, actor, officeId, now(request)) : null;
  return { offices, choices };
}

export async function action({ request, context }: Route.ActionArgs) {
  const actor = requireAdmin(context, request);
  const submission = parseWithZod(await request.formData(), { schema: addUserSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  const origin = new URL(request.url).origin;
  const result = await addUser(await getDb(), actor, submission.value, origin, now(request));
  if (!result.ok) return refusalReply(submission, result);
  redirectWithFlash(
    request,
    `/users/${result.userId}`,
    result.mailed
      ? `${result.name} is added as Pending, and an invite is on its way.`
      : `${result.name} is added as Pending. ${inviteNotMailed(submission.value.email)}`,
  );
}

export default function AddUser({ loaderData, actionData }: Route.ComponentProps) {
  const { offices, choices } = loaderData;
  return (
    <div className="page narrow">
      <p className="breadcrumb">
        <Link to="/users">Office › Users</Link> › <span aria-current="page">Add User</span>
      </p>
      <h1>Add User</h1>
      {!choices ? (
        <Form method="get" className="panel form">
          <p>Which office will they work in? Their number comes from that office.</p>
          <GetSelect
            name="office"
            label="Office"
            options={offices.map((o) => ({ value: o.id, label: o.name }))}
          />
          <FormActions submit={{ label: "Next" }} cancel={{ to: "/users", className: "button subtle" }} />
        </Form>
      ) : (
        // Keyed by office: choosing another office starts a new form with that office's numbers.
        <AddUserForm
          key={choices.office.id}
          choices={choices}
          canChooseOffice={offices.length > 1}
          lastResult={actionData}
        />
      )}
    </div>
  );
}

type Choices = NonNullable<Route.ComponentProps["loaderData"]["choices"]>;

function AddUserForm({
  choices,
  canChooseOffice,
  lastResult,
}: {
  choices: Choices;
  canChooseOffice: boolean;
  lastResult: Route.ComponentProps["actionData"];
}) {
  const [form, fields] = useForm<AddUserInput>({
    lastResult,
    defaultValue: {
      licenseType: "connect",
      number: choices.pool[0]
        ? `pool:${choices.pool[0].id}`
        : choices.fresh[0]
          ? `new:${choices.fresh[0].e164}`
          : "none",
    },
    // The browser checks the fields as the server would (same schema); the
    // seat and the number are still decided on the server.
    onValidate: ({ formData }) => parseWithZod(formData, { schema: addUserSchema }),
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
  });
  return (
    <Form method="post" {...getFormProps(form)} className="panel form">
      <CsrfField />
      <FormErrors id={form.errorId} errors={form.errors} />
      <input type="hidden" name="officeId" value={choices.office.id} />
      <p>
        Office: <strong>{choices.office.name}</strong>
        {canChooseOffice ? (
          <>
            {" "}
            (<Link to="/users/new">choose another office</Link>)
          </>
        ) : null}
      </p>
      {fields.officeId.errors ? <p className="field-error">{fields.officeId.errors.join(" ")}</p> : null}
      <PersonFields
        firstName={fields.firstName}
        lastName={fields.lastName}
        email={fields.email}
        emailHint="The invite goes to this address."
      />
      <SelectField
        meta={fields.licenseType}
        label="License type"
        options={(["connect", "sell", "support"] as const).map((l) => ({
          value: l,
          label: LICENSE_NAMES[l]!,
        }))}
        hint="Connect includes a local number; Sell and Support use a Local number add-on for one."
      />
      <fieldset aria-describedby={fields.number.errors ? fields.number.errorId : undefined}>
        <legend>Number</legend>
        {choices.pool.length ? (
          <p className="hint">From the Reserved Pool of {choices.office.name}:</p>
        ) : null}
        {choices.pool.map((n) => (
          <label key={n.id} className="choice">
            <input
              type="radio"
              name={fields.number.name}
              value={`pool:${n.id}`}
              defaultChecked={fields.number.initialValue === `pool:${n.id}`}
            />{" "}
            {n.formatted}{" "}
            <span className="muted">
              · last for {n.lastHolder ?? "nobody"}, unassigned {formatDate(n.unassignedAt)}
            </span>
          </label>
        ))}
        {choices.fresh.length ? <p className="hint">A new number from the number provider:</p> : null}
        {choices.fresh.map((n) => (
          <label key={n.e164} className="choice">
            <input
              type="radio"
              name={fields.number.name}
              value={`new:${n.e164}`}
              defaultChecked={fields.number.initialValue === `new:${n.e164}`}
            />{" "}
            {n.formatted} <span className="muted">· new</span>
          </label>
        ))}
        <label className="choice">
          <input
            type="radio"
            name={fields.number.name}
            value="none"
            defaultChecked={fields.number.initialValue === "none"}
          />{" "}
          No number
        </label>
        {fields.number.errors ? (
          <p id={fields.number.errorId} className="field-error">
            {fields.number.errors.join(" ")}
          </p>
        ) : null}
      </fieldset>
      <FormActions
        submit={{ label: "Add user and send invite", busyLabel: "Adding…" }}
        cancel={{ to: "/users", className: "button subtle" }}
      />
    </Form>
  );
}
