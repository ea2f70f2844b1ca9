import { Form, Link } from "react-router";
import { parseWithZod } from "@conform-to/zod/v4";
import type { Route } from "./+types/company.licenses.transfer";
import { getDb } from "~/db.server";
import { now } from "~/clock.server";
import { requireLicenseTransfer } from "~/auth/guards.server";
import { formError, redirectWithFlash, refusalReply, refusedStep } from "~/http/result.server";
import { listPools } from "~/licenses/pools.server";
import {
  destinationRefusal,
  officesOf,
  poolOf,
  resolveTransferStep,
  transferLicenses,
  transferReviewKey,
  unassignedIn,
} from "~/licenses/transfer.server";
import {
  CATEGORIES,
  CATEGORY_NAMES,
  TRANSFER_STEPS,
  licenseTransferConfirmSchema,
  transferParamsSchema,
  transferUrl,
  type TransferStep,
} from "~/licenses/schema";
import { ConfirmAlert, ConfirmForm, reviewShouldRevalidate, useConfirmForm, useStepKey } from "~/ui/review";
import { OfficeRadios, RadioGroup, radiosOf } from "~/ui/radio-group";
import { NumericHeader } from "~/ui/table";

export const meta: Route.MetaFunction = () => [
  { title: "Transfer Licenses · Company Settings · Switchboard" },
];

const STEP_TITLES: Record<TransferStep, string> = {
  category: "Choose the category",
  from: "Choose the office to transfer from",
  to: "Choose the office to transfer to",
  type: "Choose the type and quantity",
  review: "Review the transfer",
};

type ReviewedPool = NonNullable<ReturnType<typeof poolOf>>;

/** The review step: both pools as they are, and the key the confirmation carries back. */
const reviewOf = (quantity: number, from: ReviewedPool, to: ReviewedPool) => ({
  quantity,
  typeName: from.typeName,
  from,
  to,
  key: transferReviewKey(from, to),
});

export async function loader({ request, context }: Route.LoaderArgs) {
  const actor = requireLicenseTransfer(context, request);
  const url = new URL(request.url);
  const params = transferParamsSchema.parse(Object.fromEntries(url.searchParams));
  const pools = await listPools(await getDb(), actor);
  const r = resolveTransferStep(pools, params);
  const category = r.values.category;
  const offices = officesOf(pools);
  const view = {
    step: r.step,
    values: r.values,
    sources: category
      ? offices.map((o) => {
          const n = unassignedIn(pools, o.id, category);
          return { id: o.id, name: o.name, priceLevelName: o.priceLevelName, unassigned: n };
        })
      : [],
    destinations:
      r.source && category
        ? offices
            .filter((o) => o.id !== r.source!.id)
            .map((o) => ({
              id: o.id,
              name: o.name,
              priceLevelName: o.priceLevelName,
              refusal: destinationRefusal(r.source!, o),
            }))
        : [],
    types:
      r.source && category
        ? pools
            .filter((p) => p.officeId === r.source!.id && p.category === category)
            .map((p) => ({ code: p.type, name: p.typeName, unassigned: p.unassigned }))
        : [],
    source: r.source ?? null,
    destination: r.destination ?? null,
    review:
      r.step === "review"
        ? reviewOf(
            r.quantity!,
            poolOf(pools, r.source!.id, r.values.type)!,
            // A type the destination never bought reads as 0 of 0: the transfer creates its pool.
            poolOf(pools, r.destination!.id, r.values.type)!,
          )
        : null,
  };
  // A step refused (one field at a time) comes back as its form's reply, beside that field.
  const [field, message] = Object.entries(r.errors)[0] ?? [];
  return field && message ? refusedStep(url, view, message, field) : { ...view, reply: null };
}

export async function action({ request, context }: Route.ActionArgs) {
  const actor = requireLicenseTransfer(context, request);
  const submission = parseWithZod(await request.formData(), { schema: licenseTransferConfirmSchema });
  if (submission.status !== "success")
    return formError(submission, "This review is incomplete. Go back and choose the transfer again.");
  const v = submission.value;
  const result = await transferLicenses(
    await getDb(),
    actor,
    {
      from: v.from,
      to: v.to,
      type: v.type,
      quantity: v.quantity,
      seen: v.seen,
    },
    now(request),
  );
  if (!result.ok) return refusalReply(submission, result);
  redirectWithFlash(request, "/company/licenses", result.message);
}

export const shouldRevalidate = reviewShouldRevalidate;

type Values = Route.ComponentProps["loaderData"]["values"];

/** The values of the other steps, carried through this step's form. */
function Carried({ values, except }: { values: Values; except: (keyof Values)[] }) {
  return (
    <>
      {(["category", "from", "to", "type", "quantity"] as const)
        .filter((k) => !except.includes(k) && values[k] !== undefined && values[k] !== "")
        .map((k) => (
          <input key={k} type="hidden" name={k} value={String(values[k])} />
        ))}
    </>
  );
}

function StepForm({
  step,
  values,
  fields,
  children,
}: {
  step: TransferStep;
  values: Values;
  fields: (keyof Values)[];
  children: React.ReactNode;
}) {
  const index = TRANSFER_STEPS.indexOf(step);
  const previous = index > 0 ? TRANSFER_STEPS[index - 1] : null;
  return (
    <Form method="get" action="/company/licenses/transfer" className="panel form">
      <input type="hidden" name="step" value={TRANSFER_STEPS[index + 1]} />
      <Carried values={values} except={fields} />
      {children}
      <div className="form-actions">
        <button type="submit" className="button primary">
          Next
        </button>
        {previous ? (
          <Link to={transferUrl(previous, values)} className="button subtle">
            Back
          </Link>
        ) : null}
        <Link to="/company/licenses">Cancel</Link>
      </div>
    </Form>
  );
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

export default function TransferLicenses({ loaderData, actionData }: Route.ComponentProps) {
  const { step, values, sources, destinations, types, source, destination, review, reply } = loaderData;
  // Fields keep no state of their own across steps: a new URL remounts them with its values.
  const formKey = useStepKey();
  // One Conform form for whichever step is shown: a step's refusal beside its field, the review's over it.
  const form = useConfirmForm(actionData ?? reply);
  const fields = form.getFieldset();
  const quantityError = fields.quantity?.errors?.join(" ");
  const index = TRANSFER_STEPS.indexOf(step);
  const categoryName = values.category ? CATEGORY_NAMES[values.category] : "";
  return (
    <div className="page narrow" key={formKey}>
      <p className="breadcrumb">
        Company Settings › <Link to="/company/licenses">Licenses</Link> ›{" "}
        <span aria-current="page">Transfer Licenses</span>
      </p>
      <h1>Transfer Licenses</h1>
      <p className="subtitle">
        Step {index + 1} of {TRANSFER_STEPS.length}: {STEP_TITLES[step]}
      </p>
      <ConfirmAlert form={form} />

      {step === "category" ? (
        <StepForm step={step} values={values} fields={["category"]}>
          <RadioGroup
            {...radiosOf(fields.category!, values.category)}
            legend="Category"
            hint="Only unassigned licenses can be transferred, and only between offices at the same price level."
            options={CATEGORIES.map((c) => ({ value: c.code, label: c.name }))}
          />
        </StepForm>
      ) : null}

      {step === "from" ? (
        <StepForm step={step} values={values} fields={["from"]}>
          <OfficeRadios
            field={fields.from!}
            chosen={values.from}
            legend={`Transfer ${categoryName} licenses from`}
            offices={sources.map((o) => ({
              ...o,
              refusal:
                o.unassigned === 0
                  ? `No unassigned ${categoryName} licenses to transfer. Price level: ${o.priceLevelName}.`
                  : null,
              about: `${plural(o.unassigned, `unassigned ${categoryName} license`)}. Price level: ${o.priceLevelName}.`,
            }))}
          />
        </StepForm>
      ) : null}

      {step === "to" ? (
        <StepForm step={step} values={values} fields={["to"]}>
          <p>
            From <strong>{source?.name}</strong> ({source?.priceLevelName}).
          </p>
          <OfficeRadios
            field={fields.to!}
            chosen={values.to}
            legend={`Transfer ${categoryName} licenses to`}
            offices={destinations.map((o) => ({ ...o, about: `Price level: ${o.priceLevelName}.` }))}
          />
          {destinations.every((o) => o.refusal !== null) ? (
            <p className="callout warning">
              No other office is at the price level of {source?.name}: its licenses cannot be transferred.
            </p>
          ) : null}
        </StepForm>
      ) : null}

      {step === "type" ? (
        <StepForm step={step} values={values} fields={["type", "quantity"]}>
          <p>
            From <strong>{source?.name}</strong> to <strong>{destination?.name}</strong>.
          </p>
          <RadioGroup
            {...radiosOf(fields.type!, values.type ?? (types.length === 1 ? types[0]!.code : undefined))}
            legend="Type of license"
            options={types.map((t) => ({
              value: t.code,
              label: t.name,
              disabled: t.unassigned === 0,
              description: `${t.unassigned} unassigned in ${source?.name}`,
            }))}
          />
          <div className="field">
            <label htmlFor="quantity">Quantity</label>
            <p id="quantity-hint" className="hint">
              At most the unassigned count of the type in {source?.name}.
            </p>
            <input
              id="quantity"
              name="quantity"
              type="number"
              inputMode="numeric"
              min={1}
              step={1}
              defaultValue={values.quantity ?? "1"}
              aria-invalid={quantityError ? true : undefined}
              aria-describedby={["quantity-hint", quantityError ? "quantity-error" : null]
                .filter(Boolean)
                .join(" ")}
              autoFocus={quantityError && !fields.type?.errors ? true : undefined}
            />
            {quantityError ? (
              <p id="quantity-error" className="field-error">
                {quantityError}
              </p>
            ) : null}
          </div>
        </StepForm>
      ) : null}

      {step === "review" && review && source && destination ? (
        <ConfirmForm
          form={form}
          alert={false}
          submit={{ label: "Confirm transfer" }}
          back={{ to: transferUrl("type", values), className: "button subtle" }}
          cancel={{ to: "/company/licenses" }}
        >
          <h2>Review</h2>
          <dl className="details">
            <dt>From</dt>
            <dd>{source.name}</dd>
            <dt>To</dt>
            <dd>{destination.name}</dd>
            <dt>Type</dt>
            <dd>{review.typeName}</dd>
            <dt>Quantity</dt>
            <dd>{review.quantity}</dd>
          </dl>
          <table className="data compact">
            <caption>{review.typeName} licenses before and after the transfer</caption>
            <thead>
              <tr>
                <th scope="col">Office</th>
                <NumericHeader label="Purchased before" />
                <NumericHeader label="Purchased after" />
                <NumericHeader label="Assigned" />
                <NumericHeader label="Unassigned before" />
                <NumericHeader label="Unassigned after" />
              </tr>
            </thead>
            <tbody>
              {[
                { pool: review.from, delta: -review.quantity },
                { pool: review.to, delta: review.quantity },
              ].map(({ pool, delta }) => (
                <tr key={pool.officeId}>
                  <th scope="row">{pool.officeName}</th>
                  <td className="numeric">{pool.purchased}</td>
                  <td className="numeric">{pool.purchased + delta}</td>
                  <td className="numeric">{pool.assigned}</td>
                  <td className="numeric">{pool.unassigned}</td>
                  <td className="numeric">{pool.unassigned + delta}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <input type="hidden" name="category" value={values.category} />
          <input type="hidden" name="from" value={source.id} />
          <input type="hidden" name="to" value={destination.id} />
          <input type="hidden" name="type" value={values.type} />
          <input type="hidden" name="quantity" value={review.quantity} />
          <input type="hidden" name="seen" value={review.key} />
        </ConfirmForm>
      ) : null}
    </div>
  );
}
