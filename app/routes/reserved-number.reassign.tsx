import { data, Form, Link } from "react-router";
import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { Route } from "./+types/reserved-number.reassign";
import { getDb } from "~/db.server";
import { now } from "~/clock.server";
import { idParam, notFound, requireAdmin } from "~/auth/guards.server";
import { redirectWithFlash, refusalReply } from "~/http/result.server";
import { loadReassignForm, reassignNumber } from "~/numbers/reassign.server";
import { reassignSchema, reassignSearch } from "~/numbers/reassign-schema";
import { readSearchQuery } from "~/input";
import { CsrfField } from "~/ui/csrf";
import { FormActions } from "~/ui/form-actions";
import { FormErrors, SearchField } from "~/ui/field";
import { GROUP_KIND_NAMES, LICENSE_NAMES } from "~/ui/format";
import { ReservedNumberDetails } from "~/ui/number-details";
import { Breadcrumb, RESERVED_NUMBERS_CRUMB, USERS_CRUMB } from "~/ui/breadcrumb";
import { RadioGroup, radiosOf } from "~/ui/radio-group";

export const meta: Route.MetaFunction = ({ data }) => [
  { title: `Reassign ${data?.number.formatted ?? "number"} · Reserved Numbers · Switchboard` },
];

export async function loader({ request, context, params }: Route.LoaderArgs) {
  const actor = requireAdmin(context, request);
  const id = idParam(params.numberId, "This reserved number");
  // A refused search is shown as typed, with its message beside the box; the list ignores it.
  const { params: query, error, typed } = readSearchQuery(new URL(request.url).searchParams, reassignSearch);
  const form = await loadReassignForm(await getDb(), actor, id, query.q, now(request));
  if (!form) notFound("This reserved number");
  return data({ ...form, search: { typed, error } }, { status: error ? 400 : 200 });
}

export async function action({ request, context, params }: Route.ActionArgs) {
  const actor = requireAdmin(context, request);
  const id = idParam(params.numberId, "This reserved number");
  const submission = parseWithZod(await request.formData(), { schema: reassignSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  const result = await reassignNumber(await getDb(), actor, id, submission.value, now(request));
  if (!result.ok) return refusalReply(submission, result);
  redirectWithFlash(request, "/users/reserved-numbers", result.message);
}

export default function Reassign({ loaderData, actionData }: Route.ComponentProps) {
  const { number, unavailable, notToUsers, groups, users, userTotal, freeAddons, search } = loaderData;
  const [form, fields] = useForm({
    lastResult: actionData,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: reassignSchema }),
    shouldValidate: "onSubmit",
  });
  const targetError = fields.target.errors?.length ? fields.target.errorId : undefined;
  const radio = (value: string, label: React.ReactNode, hint?: string) => (
    <div className="field checkbox" key={value}>
      <input
        type="radio"
        id={`target-${value}`}
        name={fields.target.name}
        value={value}
        defaultChecked={fields.target.initialValue === value}
        aria-describedby={targetError}
      />
      <label htmlFor={`target-${value}`}>
        {label}
        {hint ? <span className="muted"> · {hint}</span> : null}
      </label>
    </div>
  );
  return (
    <div className="page narrow">
      <Breadcrumb trail={[USERS_CRUMB, RESERVED_NUMBERS_CRUMB]} current="Reassign" />
      <h1>Reassign {number.formatted}</h1>
      <section aria-labelledby="number-heading" className="panel">
        <h2 id="number-heading">The number</h2>
        <ReservedNumberDetails number={number} country={number.country} />
      </section>

      {unavailable ? (
        <div className="callout warning" role={unavailable.urgent ? "alert" : "status"}>
          <p>{unavailable.message}</p>
          <p>
            <Link to="/users/reserved-numbers">Back to Reserved Numbers</Link>
          </p>
        </div>
      ) : (
        <>
          <p className="callout">
            Add-ons free in {number.officeName}: {LICENSE_NAMES.local_number} {freeAddons.local_number} ·{" "}
            {LICENSE_NAMES.fax_line} {freeAddons.fax_line} · {LICENSE_NAMES.toll_free_number}{" "}
            {freeAddons.toll_free_number}.
          </p>
          {notToUsers ? null : (
            <Form method="get" role="search" aria-label={`Users of ${number.officeName}`} className="toolbar">
              <SearchField
                label={`Find a user in ${number.officeName}`}
                defaultValue={search.typed}
                error={search.error}
              />
              <div className="toolbar-actions">
                <button type="submit" className="button subtle">
                  Find
                </button>
              </div>
            </Form>
          )}
          <Form method="post" {...getFormProps(form)} className="panel form">
            <CsrfField />
            <FormErrors id={form.errorId} errors={form.errors} />
            <fieldset aria-describedby={targetError}>
              <legend>Assign to</legend>
              {fields.target.errors?.length ? (
                <p id={fields.target.errorId} className="field-error">
                  {fields.target.errors.join(" ")}
                </p>
              ) : null}
              <h2 className="hint">The main line, a department or a call center of {number.officeName}</h2>
              {groups.map((g) => radio(`group:${g.id}`, g.name, GROUP_KIND_NAMES[g.kind]))}
              <h2 className="hint">A user of {number.officeName}</h2>
              {notToUsers ? (
                <p>{notToUsers}</p>
              ) : (
                <>
                  <p className="hint">
                    Only active and pending users of {number.officeName} ({number.country}) are listed: a
                    number stays in its office and country.{" "}
                    {userTotal > users.length
                      ? `Showing ${users.length} of ${userTotal}: find a user to see others.`
                      : userTotal === 0
                        ? "Nobody matches."
                        : ""}
                  </p>
                  {users.map((u) =>
                    radio(
                      `user:${u.id}`,
                      u.name,
                      `${LICENSE_NAMES[u.license]}, ${u.primary ? `primary ${u.primary}` : "no number"}`,
                    ),
                  )}
                </>
              )}
            </fieldset>
            {number.kind === "local" && !notToUsers ? (
              <RadioGroup
                {...radiosOf(fields.as, "primary")}
                legend="For a user, as"
                options={[
                  {
                    value: "primary",
                    label: "Their primary number",
                    description: `Their current primary number goes to the Reserved Pool. Included in a Connect license; a Sell or Support user's uses a ${LICENSE_NAMES.local_number} add-on.`,
                  },
                  {
                    value: "additional",
                    label: "An additional number",
                    description: `Uses a ${LICENSE_NAMES.local_number} add-on.`,
                  },
                ]}
              />
            ) : number.kind === "fax" ? (
              <p className="hint">
                A fax number goes to a user as a fax line, beside their primary number, and uses a{" "}
                {LICENSE_NAMES.fax_line} add-on; on a group it uses one too.
              </p>
            ) : number.kind === "toll_free" ? (
              <p className="hint">
                A toll-free number on a group uses a {LICENSE_NAMES.toll_free_number} add-on.
              </p>
            ) : null}
            <FormActions
              submit={{ label: "Reassign number", busyLabel: "Reassigning…" }}
              cancel={{ to: "/users/reserved-numbers", className: "button subtle" }}
            />
          </Form>
        </>
      )}
    </div>
  );
}
