/** The steps Transfer user and Transfer users share (app/users/transfer.server.ts). */
import { Form, Link } from "react-router";
import { getFormProps } from "@conform-to/react";
import { CsrfField } from "./csrf";
import { OfficeRadios } from "./radio-group";
import { useBusy } from "./form-actions";
import type { ConfirmFormMeta } from "./review";

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
 * disabled, with why. `form` is the page's Conform form (the review's too:
 * one step is shown at a time), whose reply puts a refused office beside the
 * choice; the page shows its errors about the whole form (ConfirmAlert).
 */
export function NewOfficeStep(props: {
  /** Where Next posts: the page's own URL, selection included. */
  action: string;
  form: ConfirmFormMeta;
  /** The form field of the chosen office. */
  name: string;
  hint: string;
  offices: OfficeOption[];
  chosen: number | null | undefined;
  cancel: string;
}) {
  const busy = useBusy();
  const field = props.form.getFieldset()[props.name]!;
  return (
    <Form method="post" action={props.action} {...getFormProps(props.form)} className="panel form">
      <CsrfField />
      <OfficeRadios
        field={field}
        chosen={props.chosen}
        legend="New office"
        hint={props.hint}
        offices={props.offices.map((o) => ({
          ...o,
          refusal: o.disabledReason,
          about: `${o.country} · price level ${o.priceLevel}`,
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
