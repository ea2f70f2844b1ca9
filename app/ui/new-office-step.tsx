import type { ReactNode } from "react";
import { Form, Link } from "react-router";
import { RadioGroup } from "./radio-group";

/** An office the users could move to, or not, and why (see app/users/transfer.server.ts). */
interface OfficeOption {
  id: number;
  name: string;
  country: string;
  priceLevel: string;
  disabledReason: string | null;
}

/**
 * Transfer user(s), step 1: the new office. A GET form to the review
 * (`step=review`), so the choice rides in the URL and works without
 * JavaScript; offices that cannot be chosen are listed, disabled, with why.
 */
export function NewOfficeStep(props: {
  action: string;
  /** The query field of the chosen office. */
  name: string;
  hint: string;
  offices: OfficeOption[];
  chosen: number | null | undefined;
  error: string | null | undefined;
  cancel: string;
  /** Hidden fields carried to the review (the selection). */
  children?: ReactNode;
}) {
  return (
    <Form method="get" action={props.action} className="panel form">
      {props.children}
      <input type="hidden" name="step" value="review" />
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
        <button type="submit" className="button primary">
          Next
        </button>
        <Link to={props.cancel}>Cancel</Link>
      </div>
    </Form>
  );
}
