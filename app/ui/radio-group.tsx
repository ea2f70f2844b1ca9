import type { ReactNode } from "react";
import type { FieldMeta } from "./field";

/** A Conform field as RadioGroup takes it: its name, its errors, the value it was sent with (else `chosen`). */
export const radiosOf = (meta: FieldMeta, chosen?: string) => ({
  name: meta.name,
  error: meta.errors?.join(" "),
  defaultValue: typeof meta.initialValue === "string" ? meta.initialValue : chosen,
});

/**
 * A fieldset of radio buttons with a legend, each option with its own
 * description. An option that cannot be chosen is listed disabled, with the
 * reason in its description (read out with it). The error sits under the
 * legend and is tied to every option; the first option takes focus when the
 * page comes back with it.
 */
export function RadioGroup({
  name,
  legend,
  options,
  defaultValue,
  error,
  hint,
}: {
  name: string;
  legend: ReactNode;
  options: { value: string; label: ReactNode; description?: ReactNode; disabled?: boolean }[];
  defaultValue?: string;
  error?: string;
  hint?: ReactNode;
}) {
  const errorId = `${name}-error`;
  const hintId = `${name}-hint`;
  const firstEnabled = options.find((o) => !o.disabled)?.value;
  return (
    <fieldset className="radio-group">
      <legend>{legend}</legend>
      {hint ? (
        <p id={hintId} className="hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="field-error">
          {error}
        </p>
      ) : null}
      {options.map((o) => {
        const id = `${name}-${o.value}`;
        const describedBy = [
          o.description ? `${id}-description` : null,
          hint ? hintId : null,
          error ? errorId : null,
        ]
          .filter(Boolean)
          .join(" ");
        return (
          <div className="field checkbox" key={o.value}>
            <input
              type="radio"
              id={id}
              name={name}
              value={o.value}
              defaultChecked={!o.disabled && o.value === defaultValue}
              disabled={o.disabled}
              aria-invalid={error ? true : undefined}
              aria-describedby={describedBy || undefined}
              autoFocus={error && o.value === firstEnabled ? true : undefined}
            />
            <label htmlFor={id}>{o.label}</label>
            {o.description ? (
              <p id={`${id}-description`} className="hint">
                {o.description}
              </p>
            ) : null}
          </div>
        );
      })}
    </fieldset>
  );
}

/**
 * The choice of one office, by id (a transfer's source or destination). An
 * office that cannot be chosen is listed disabled with why (`refusal`); the
 * others with what to know of them (`about`).
 */
export function OfficeRadios({
  field,
  chosen,
  legend,
  hint,
  offices,
}: {
  field: FieldMeta;
  chosen: number | null | undefined;
  legend: ReactNode;
  hint?: ReactNode;
  offices: { id: number; name: string; refusal: string | null; about: string }[];
}) {
  return (
    <RadioGroup
      {...radiosOf(field, chosen ? String(chosen) : undefined)}
      legend={legend}
      hint={hint}
      options={offices.map((o) => ({
        value: String(o.id),
        label: o.name,
        disabled: o.refusal !== null,
        description: o.refusal ?? o.about,
      }))}
    />
  );
}
