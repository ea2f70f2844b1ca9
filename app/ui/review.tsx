/**
 * The review → confirm protocol every flow shares (the flows themselves stay
 * their own: the license transfer's steps are GETs, the user transfer's Next
 * holds numbers). A confirmation is a POST form carrying the anti-forgery
 * token and what the review showed (its key, app/review.server.ts); the
 * change re-reads under lock and refuses, as Conform's reply, if the key no
 * longer matches. A refused confirmation reloads the page (shouldRevalidate),
 * so the review is shown again as it is now, with the refusal announced.
 */
import type { ReactNode } from "react";
import { Form, Link, useLocation, useNavigation, type ShouldRevalidateFunctionArgs } from "react-router";
import { getFormProps, useForm, type FormMetadata, type SubmissionResult } from "@conform-to/react";
import { CsrfField } from "./csrf";
import { FormErrors } from "./field";

/** A refused confirmation shows what is true now: reload it even after a 4xx. Export it as the route's own. */
export function reviewShouldRevalidate({
  actionResult,
  defaultShouldRevalidate,
}: ShouldRevalidateFunctionArgs) {
  return actionResult ? true : defaultShouldRevalidate;
}

/** Fields keep no state of their own across steps: key the page by this, and a new URL remounts them. */
export function useStepKey(): string {
  return useLocation().search;
}

/** Whether this page's form is on its way to the server (its submit waits, disabled). */
export function useBusy(): boolean {
  return useNavigation().state === "submitting";
}

type ConfirmFormMeta = FormMetadata<Record<string, unknown>, string[]>;

/** The Conform form of a confirmation: its errors are the refusal the action replied with. */
export function useConfirmForm(lastResult: SubmissionResult | null | undefined): ConfirmFormMeta {
  const [form] = useForm<Record<string, unknown>>({ lastResult, shouldValidate: "onSubmit" });
  return form;
}

/** The refusal of a confirmation, announced when it appears (where the page puts it). */
export function ConfirmAlert({ form }: { form: ConfirmFormMeta }) {
  return <FormErrors id={form.errorId} errors={form.errors} />;
}

/** A way out of the review: a link (nothing to let go), or a POST of its intent (the review holds something). */
export type Leave = { to: string; className?: string } | { intent: "back" | "cancel" };

export function LeaveControl({
  leave,
  label,
  className,
}: {
  leave: Leave;
  label: string;
  className: string;
}) {
  if ("intent" in leave)
    return (
      <button type="submit" name="intent" value={leave.intent} className={className}>
        {label}
      </button>
    );
  return (
    <Link to={leave.to} className={leave.className}>
      {label}
    </Link>
  );
}

export function ConfirmForm({
  form,
  submit,
  back,
  cancel,
  alert = true,
  children,
}: {
  form: ConfirmFormMeta;
  /** The confirm button; none when the review says it cannot be done. */
  submit: { label: string; busyLabel?: string; danger?: boolean; intent?: string } | null;
  back?: Leave;
  cancel: Leave;
  /** Whether the refusal shows at the top of the form; false when the page shows ConfirmAlert itself. */
  alert?: boolean;
  children: ReactNode;
}) {
  const busy = useBusy();
  return (
    <Form method="post" {...getFormProps(form)} className="panel form">
      <CsrfField />
      {alert ? <ConfirmAlert form={form} /> : null}
      {children}
      <div className="form-actions">
        {submit ? (
          <button
            type="submit"
            name={submit.intent ? "intent" : undefined}
            value={submit.intent}
            className={submit.danger ? "button danger" : "button primary"}
            disabled={busy}
          >
            {busy && submit.busyLabel ? submit.busyLabel : submit.label}
          </button>
        ) : null}
        {back ? <LeaveControl leave={back} label="Back" className="button subtle" /> : null}
        <LeaveControl leave={cancel} label="Cancel" className="link-button" />
      </div>
    </Form>
  );
}
