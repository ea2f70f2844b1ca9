import { Form, Link } from "react-router";
import { getFormProps } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { Route } from "./+types/user.license";
import { getDb } from "~/db.server";
import { now } from "~/clock.server";
import { notFound, requireAdmin, idParam } from "~/auth/guards.server";
import { formError, redirectWithFlash, refusalReply, refusedStep } from "~/http/result.server";
import { changeLicenseType, licenseChoices, previewLicenseChange } from "~/licenses/change-type.server";
import { licenseChangeSchema, USER_LICENSE_CHOICES } from "~/licenses/schema";
import { ConfirmAlert, ConfirmForm, reviewShouldRevalidate, useConfirmForm, useStepKey } from "~/ui/review";
import { RadioGroup, radiosOf } from "~/ui/radio-group";
import { GROUP_KIND_NAMES, LICENSE_NAMES } from "~/ui/format";
import { UserBreadcrumb } from "~/ui/breadcrumb";
import { KindList } from "~/ui/kind-list";

export const meta: Route.MetaFunction = ({ data }) => [
  { title: `Change license type${data?.user ? ` of ${data.user.name}` : ""} · Switchboard` },
];

function userIdOf(params: { userId: string }): number {
  const id = idParam(params.userId, "This user");
  return id;
}

const licenseOf = (value: string | null) =>
  (USER_LICENSE_CHOICES as string[]).includes(value ?? "")
    ? (value as (typeof USER_LICENSE_CHOICES)[number])
    : null;

export async function loader({ request, context, params }: Route.LoaderArgs) {
  const actor = requireAdmin(context, request);
  const id = userIdOf(params);
  const db = await getDb();
  const url = new URL(request.url);
  const to = licenseOf(url.searchParams.get("to"));
  const choices = await licenseChoices(db, actor, id);
  if (!choices) notFound("This user");
  if (url.searchParams.get("step") === "confirm") {
    if (!to)
      return refusedStep(url, { ...choices, to: null, preview: null }, "Choose the new license type.", "to");
    const preview = await previewLicenseChange(db, actor, id, to);
    if (!preview) notFound("This user");
    return { ...choices, to, preview, reply: null };
  }
  return { ...choices, to, preview: null, reply: null };
}

export async function action({ request, context, params }: Route.ActionArgs) {
  const actor = requireAdmin(context, request);
  const id = userIdOf(params);
  const submission = parseWithZod(await request.formData(), { schema: licenseChangeSchema });
  if (submission.status !== "success")
    return formError(
      submission,
      "This confirmation is incomplete. Go back and choose the license type again.",
    );
  const result = await changeLicenseType(await getDb(), actor, id, submission.value, now(request));
  if (!result.ok) return refusalReply(submission, result);
  redirectWithFlash(request, `/users/${id}`, result.message);
}

export const shouldRevalidate = reviewShouldRevalidate;

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

export default function ChangeLicense({ loaderData, actionData }: Route.ComponentProps) {
  const { user, choices, to, preview, reply } = loaderData;
  const formKey = useStepKey();
  // One Conform form for whichever step is shown: the choice's refusal beside it, the confirmation's over it.
  const form = useConfirmForm(actionData ?? reply);
  const base = `/users/${user.id}/license`;
  return (
    <div className="page narrow" key={formKey}>
      <UserBreadcrumb user={user} current="Change license type" />
      <h1>Change license type</h1>
      <p className="subtitle">
        {user.name} · {user.officeName} · now {LICENSE_NAMES[user.licenseType]}
      </p>
      <ConfirmAlert form={form} />

      {!preview ? (
        <Form method="get" action={base} {...getFormProps(form)} className="panel form">
          <input type="hidden" name="step" value="confirm" />
          <RadioGroup
            {...radiosOf(form.getFieldset().to!, to ?? undefined)}
            legend="New license type"
            options={choices.map((c) => ({
              value: c.type,
              label: LICENSE_NAMES[c.type],
              disabled: c.type === user.licenseType,
              description:
                c.type === user.licenseType
                  ? "The current license."
                  : `${plural(c.unassigned, "unassigned license")} in ${user.officeName}.`,
            }))}
          />
          <div className="form-actions">
            <button type="submit" className="button primary">
              Next
            </button>
            <Link to={`/users/${user.id}`}>Cancel</Link>
          </div>
        </Form>
      ) : (
        <ConfirmForm
          form={form}
          alert={false}
          submit={preview.refusal ? null : { label: "Confirm" }}
          back={{ to: `${base}?to=${preview.to}`, className: "button subtle" }}
          cancel={{ to: `/users/${user.id}` }}
        >
          <h2>Confirm the change</h2>
          <dl className="details">
            <dt>From</dt>
            <dd>{LICENSE_NAMES[preview.user.licenseType]}</dd>
            <dt>To</dt>
            <dd>{LICENSE_NAMES[preview.to]}</dd>
          </dl>
          {preview.refusal ? (
            <p className="callout danger">{preview.refusal}</p>
          ) : (
            <>
              <section aria-labelledby="groups-removed">
                <h3 id="groups-removed">Groups {user.name} will be removed from</h3>
                {preview.groupsRemoved.length ? (
                  <>
                    <p>{LICENSE_NAMES[preview.to]} is not eligible for these groups:</p>
                    <KindList items={preview.groupsRemoved} kinds={GROUP_KIND_NAMES} />
                  </>
                ) : (
                  <p>None: {user.name} stays in every group they are in.</p>
                )}
              </section>
              <section aria-labelledby="seat">
                <h3 id="seat">License seat</h3>
                <p>
                  {user.officeName} has{" "}
                  {plural(preview.freeSeats, `unassigned ${LICENSE_NAMES[preview.to]} license`)}: this change
                  assigns one, and the {LICENSE_NAMES[preview.user.licenseType]} license becomes unassigned.
                </p>
              </section>
              <section aria-labelledby="number">
                <h3 id="number">Phone number</h3>
                {preview.number?.outcome === "can_keep" ? (
                  <>
                    <p>
                      {LICENSE_NAMES[preview.to]} does not include a local number. {user.officeName} has{" "}
                      {plural(preview.number.freeAddons, "unassigned Local number add-on")}:{" "}
                      {preview.number.formatted} can be kept with one of them. Otherwise it goes to the
                      Reserved Pool.
                    </p>
                    <div className="field checkbox">
                      <input
                        type="checkbox"
                        id="keepNumber"
                        name="keepNumber"
                        value="on"
                        defaultChecked
                        aria-describedby="keepNumber-hint"
                      />
                      <label htmlFor="keepNumber">Keep the number</label>
                      <p id="keepNumber-hint" className="hint">
                        Keeps {preview.number.formatted} with a Local number add-on.
                      </p>
                    </div>
                  </>
                ) : preview.number?.outcome === "to_pool" ? (
                  <p className="callout warning">
                    {LICENSE_NAMES[preview.to]} does not include a local number, and {user.officeName} has no
                    unassigned Local number add-on: {preview.number.formatted} cannot be kept and will go to
                    the Reserved Pool.
                  </p>
                ) : preview.number?.outcome === "becomes_included" ? (
                  <p>
                    {preview.number.formatted} becomes the number included with Connect; its Local number
                    add-on becomes unassigned.
                  </p>
                ) : (
                  <p>No change to phone numbers.</p>
                )}
              </section>
              <input type="hidden" name="to" value={preview.to} />
              <input type="hidden" name="seen" value={preview.key} />
            </>
          )}
        </ConfirmForm>
      )}
    </div>
  );
}
