/**
 * Form fields with their label, hint and error together. The error sits
 * next to its field, is tied to it with aria-describedby, and the first
 * invalid field takes focus when the page comes back from the server (with
 * or without JavaScript) so a screen reader announces it.
 */
import { getInputProps, getSelectProps, type FieldMetadata } from "@conform-to/react";
import type { ReactNode } from "react";

// Any field of any form: the components read only its id, name, errors and initial value.
export type FieldMeta = FieldMetadata<unknown, Record<string, unknown>, string[]>;

function Errors({ meta }: { meta: FieldMeta }) {
  if (!meta.errors?.length) return null;
  return (
    <p id={meta.errorId} className="field-error">
      {meta.errors.join(" ")}
    </p>
  );
}

function Hint({ id, hint }: { id?: string; hint?: ReactNode }) {
  return hint ? (
    <p id={id} className="hint">
      {hint}
    </p>
  ) : null;
}

function describedBy(meta: FieldMeta, hintId?: string) {
  return [hintId, meta.errors?.length ? meta.errorId : undefined].filter(Boolean).join(" ") || undefined;
}

export function TextField({
  meta,
  label,
  type = "text",
  hint,
  autoFocusOnError = true,
  ...rest
}: {
  meta: FieldMeta;
  label: string;
  type?: "text" | "email" | "password" | "tel" | "search" | "date" | "file";
  hint?: ReactNode;
  autoFocusOnError?: boolean;
  autoComplete?: string;
  required?: boolean;
  /** A file field's kinds of file. */
  accept?: string;
}) {
  const hintId = hint ? `${meta.id}-hint` : undefined;
  const props = getInputProps(meta, { type });
  return (
    <div className="field">
      <label htmlFor={meta.id}>{label}</label>
      <Hint id={hintId} hint={hint} />
      <input
        {...props}
        key={props.key}
        aria-describedby={describedBy(meta, hintId)}
        autoFocus={autoFocusOnError && meta.errors?.length ? true : undefined}
        {...rest}
      />
      <Errors meta={meta} />
    </div>
  );
}

export function SelectField({
  meta,
  label,
  options,
  hint,
}: {
  meta: FieldMeta;
  label: string;
  options: { value: string; label: string }[];
  hint?: ReactNode;
}) {
  const hintId = hint ? `${meta.id}-hint` : undefined;
  const props = getSelectProps(meta);
  return (
    <div className="field">
      <label htmlFor={meta.id}>{label}</label>
      <Hint id={hintId} hint={hint} />
      <select {...props} key={props.key} aria-describedby={describedBy(meta, hintId)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <Errors meta={meta} />
    </div>
  );
}

export function CheckboxField({ meta, label, hint }: { meta: FieldMeta; label: string; hint?: ReactNode }) {
  const hintId = hint ? `${meta.id}-hint` : undefined;
  const props = getInputProps(meta, { type: "checkbox", value: "on" });
  return (
    <div className="field checkbox">
      <input {...props} key={props.key} aria-describedby={describedBy(meta, hintId)} />
      <label htmlFor={meta.id}>{label}</label>
      <Hint id={hintId} hint={hint} />
      <Errors meta={meta} />
    </div>
  );
}

/** A message about the whole form (a refusal), announced when it appears. */
export function FormErrors({ id, errors }: { id: string; errors?: string[] }) {
  return (
    <div id={id} role="alert" className={errors?.length ? "form-error" : undefined}>
      {errors?.length ? errors.map((e) => <p key={e}>{e}</p>) : null}
    </div>
  );
}

/**
 * The search box of a list page's GET form (not a Conform form: its state is
 * the URL). A search the page refused comes back with its message beside it,
 * tied to it and announced, and the box keeps focus for the correction.
 */
export function SearchField({
  label,
  defaultValue,
  error,
  hint,
  placeholder,
  className = "field grow",
}: {
  label: ReactNode;
  defaultValue: string;
  error: string[] | null;
  hint?: ReactNode;
  placeholder?: string;
  className?: string;
}) {
  const describedBy = [hint ? "q-hint" : undefined, error ? "q-error" : undefined].filter(Boolean).join(" ");
  return (
    <div className={className}>
      <label htmlFor="q">{label}</label>
      <input
        id="q"
        name="q"
        type="search"
        defaultValue={defaultValue}
        aria-describedby={describedBy || undefined}
        aria-invalid={error ? true : undefined}
        autoFocus={error ? true : undefined}
        placeholder={placeholder}
      />
      <Hint id="q-hint" hint={hint} />
      {error ? (
        <p id="q-error" className="field-error" role="alert">
          {error.join(" ")}
        </p>
      ) : null}
    </div>
  );
}

/**
 * A select of a list page's GET form (its state is the URL, not Conform): the field named `name`,
 * an "any" choice first when the filter may be left open, then the options.
 */
export function GetSelect({
  name,
  label,
  options,
  defaultValue,
  anyLabel,
}: {
  name: string;
  label: string;
  options: { value: string | number; label: string }[];
  defaultValue?: string | number | null;
  anyLabel?: string;
}) {
  return (
    <div className="field">
      <label htmlFor={name}>{label}</label>
      <select id={name} name={name} defaultValue={defaultValue ?? (anyLabel === undefined ? undefined : "")}>
        {anyLabel === undefined ? null : <option value="">{anyLabel}</option>}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A list's office filter, shown only to an admin of more than one office. */
export function OfficeFilter({
  offices,
  defaultValue,
}: {
  offices: { id: number; name: string }[];
  defaultValue: number | null | undefined;
}) {
  if (offices.length <= 1) return null;
  return (
    <GetSelect
      name="office"
      label="Office"
      anyLabel="All your offices"
      defaultValue={defaultValue}
      options={offices.map((o) => ({ value: o.id, label: o.name }))}
    />
  );
}

/** The options of a select from a table of names by value, in the table's order. */
export function nameOptions(names: Record<string, string>) {
  return Object.entries(names).map(([value, label]) => ({ value, label }));
}

/** A person's first and last name, side by side, and their email, with what the address is for. */
export function PersonFields({
  firstName,
  lastName,
  email,
  emailHint,
}: {
  firstName: FieldMeta;
  lastName: FieldMeta;
  email: FieldMeta;
  emailHint: string;
}) {
  return (
    <>
      <div className="row">
        <TextField meta={firstName} label="First name" autoComplete="off" />
        <TextField meta={lastName} label="Last name" autoComplete="off" />
      </div>
      <TextField meta={email} label="Email" type="email" autoComplete="off" hint={emailHint} />
    </>
  );
}
