/**
 * The review → confirm protocol every flow shares (the flows themselves stay
 * their own: the license transfer's steps are GETs, the user transfer's Next
 * holds numbers). A confirmation is a POST form carrying the anti-forgery
 * token and what the review showed (its key, app/review-key.server.ts); the
 * change re-reads under lock and refuses, as Conform's reply, if the key no
 * longer matches. A refused confirmation reloads the page (shouldRevalidate),
 * so the review is shown again as it is now, with the refusal announced.
 */
import type { ReactNode } from "react";
import { Form, Link, useLocation, type ShouldRevalidateFunctionArgs } from "react-router";
import { getFormProps, useForm, type FormMetadata, type SubmissionResult } from "@conform-to/react";
import { UserBreadcrumb } from "./breadcrumb";
import { CsrfField } from "./csrf";
import { FormErrors } from "./field";
import { FormActions, type Leave, type Submit } from "./form-actions";

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

export type ConfirmFormMeta = FormMetadata<Record<string, unknown>, string[]>;

/** The Conform form of a confirmation: its errors are the refusal the action replied with. */
export function useConfirmForm(lastResult: SubmissionResult | null | undefined): ConfirmFormMeta {
  const [form] = useForm<Record<string, unknown>>({ lastResult, shouldValidate: "onSubmit" });
  return form;
}

/** The refusal of a confirmation, announced when it appears (where the page puts it). */
export function ConfirmAlert({ form }: { form: ConfirmFormMeta }) {
  return <FormErrors id={form.errorId} errors={form.errors} />;
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
  submit: Submit | null;
  back?: Leave;
  cancel: Leave;
  /** Whether the refusal shows at the top of the form; false when the page shows ConfirmAlert itself. */
  alert?: boolean;
  children: ReactNode;
}) {
  return (
    <Form method="post" {...getFormProps(form)} className="panel form">
      <CsrfField />
      {alert ? <ConfirmAlert form={form} /> : null}
      {children}
      <FormActions submit={submit} back={back} cancel={cancel} />
    </Form>
  );
}

/**
 * A confirmation about one user (Delete, Suspend, Reactivate user): the
 * question, then either why it cannot be done with the way back to them, or
 * the page's form (children).
 */
export function UserConfirmPage({
  user,
  verb,
  refusal,
  children,
}: {
  user: { id: number; name: string };
  /** "Delete", "Suspend"…: the breadcrumb's last crumb and the question's verb. */
  verb: string;
  refusal: ReactNode | null;
  children: ReactNode;
}) {
  return (
    <div className="page narrow">
      <UserBreadcrumb user={user} current={verb} />
      <h1>
        {verb} {user.name}?
      </h1>
      {refusal ? (
        <>
          <p className="callout danger" role="alert">
            {refusal}
          </p>
          <p>
            <Link to={`/users/${user.id}`}>Back to {user.name}</Link>
          </p>
        </>
      ) : (
        children
      )}
    </div>
  );
}
