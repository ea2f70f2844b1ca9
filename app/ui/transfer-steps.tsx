/** The steps Transfer user and Transfer users share (app/users/transfer.server.ts). */
import { Form, Link } from "react-router";
import { CsrfField } from "./csrf";
import { RadioGroup } from "./radio-group";
import { useBusy } from "./form-actions";

/** An office the users could move to, or not, and why (see app/users/transfer-offices.server.ts). */
interface OfficeOption {
  id: number;
  name: string;
  country: string;
  priceLevel: string;
  disabledReason: string | null;
}

/**
 * Step 1: the new office. Next is a POST: it holds the new local numbers
 * the review will show (for another country), then redirects to the
 * review, so the choice rides in the URL and the flow works without
 * JavaScript. Offices that cannot be chosen are listed,
 * disabled, with why.
 */
export function NewOfficeStep(props: {
  /** Where Next posts: the page's own URL, selection included. */
  action: string;
  /** The form field of the chosen office. */
  name: string;
  hint: string;
  offices: OfficeOption[];
  chosen: number | null | undefined;
  error: string | null | undefined;
  cancel: string;
}) {
  const busy = useBusy();
  return (
    <Form method="post" action={props.action} className="panel form">
      <CsrfField />
      <RadioGroup
        name={props.name}
        legend="New office"
        hint={props.hint}
        defaultValue={props.chosen ? String(props.chosen) : undefined}
        error={props.error ?? undefined}
        options={props.offices.map((o) => ({
          value: String(o.id),
          label: o.name,
          disabled: !!o.disabledReason,
          description: o.disabledReason ?? `${o.country} · price level ${o.priceLevel}`,
        }))}
      />
      <div className="form-actions">
        <button type="submit" name="intent" value="next" className="button primary" disabled={busy}>
          {busy ? "Looking for numbers…" : "Next"}
        </button>
        <Link to={props.cancel}>Cancel</Link>
      </div>
    </Form>
  );
}
