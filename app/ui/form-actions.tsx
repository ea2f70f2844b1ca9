/** The row under every POST form: its submit (busy while it is sent), and the ways out. */
import { Link, useNavigation } from "react-router";

/** Whether this page's form is on its way to the server (its submit waits, disabled). */
export function useBusy(): boolean {
  return useNavigation().state === "submitting";
}

/** A way out: a link (nothing to let go), or a POST of its intent (the page holds something it lets go). */
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

export interface Submit {
  label: string;
  /** What the button says while the form is sent; without it, the label stays. */
  busyLabel?: string;
  danger?: boolean;
  /** Sent as `intent`, for an action that answers several buttons. */
  intent?: string;
}

export function FormActions({
  submit,
  back,
  cancel,
}: {
  submit: Submit | null;
  back?: Leave;
  cancel: Leave;
}) {
  const busy = useBusy();
  return (
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
  );
}
