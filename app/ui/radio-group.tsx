import type { ReactNode } from "react";

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
