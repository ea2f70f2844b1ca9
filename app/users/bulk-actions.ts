/**
 * The registry of bulk actions: for each, its label, who may run it, how it
 * applies, and the audit action its outcome is recorded under (with that
 * entry's label in the audit log). The action select, the confirmation page,
 * the result page and the audit log's labels and action filter all read this
 * one table, so an action added here is offered, confirmed, reported and
 * labelled at once, and AuditAction (app/audit/log-params.ts) includes its
 * audit action, so recording it without a label does not compile.
 *
 * Client-safe (the pages read the labels): who may and how it applies are
 * named here, and decided on the server by `mayRunBulk`
 * (auth/policy.server.ts) and `planBulk`/`applyBulk` (users/bulk.server.ts).
 */
export interface BulkActionSpec {
  /** In the action select, and as the confirmation's and result's title. */
  label: string;
  /** "admin": any admin, for the users in their scope; "user_transfer": who may transfer users. */
  who: "admin" | "user_transfer";
  /** "confirm": one confirmation page; "review": a new office, then a review that holds numbers. */
  applies: "confirm" | "review";
  /** The audit action of its outcome entry, and that entry's label in the audit log. */
  audit: `users.bulk_${string}`;
  auditLabel: string;
}

export const BULK_ACTIONS = {
  delete: {
    label: "Delete users",
    who: "admin",
    applies: "confirm",
    audit: "users.bulk_delete",
    auditLabel: "Bulk action: delete users",
  },
  add_admin: {
    label: "Add admin access",
    who: "admin",
    applies: "confirm",
    audit: "users.bulk_admin_access_add",
    auditLabel: "Bulk action: add admin access",
  },
  remove_admin: {
    label: "Remove admin access",
    who: "admin",
    applies: "confirm",
    audit: "users.bulk_admin_access_remove",
    auditLabel: "Bulk action: remove admin access",
  },
  transfer: {
    label: "Transfer users",
    who: "user_transfer",
    applies: "review",
    audit: "users.bulk_transfer",
    auditLabel: "Bulk action: transfer users",
  },
} as const satisfies Record<string, BulkActionSpec>;

export type BulkAction = keyof typeof BULK_ACTIONS;
/** The actions confirmed in one step; the others (Transfer users) have their own steps. */
export type OneStepBulkAction = {
  [A in BulkAction]: (typeof BULK_ACTIONS)[A]["applies"] extends "confirm" ? A : never;
}[BulkAction];
export type BulkAuditAction = (typeof BULK_ACTIONS)[BulkAction]["audit"];

export const BULK_ACTION_KEYS = Object.keys(BULK_ACTIONS) as [BulkAction, ...BulkAction[]];
export const ONE_STEP_ACTIONS = BULK_ACTION_KEYS.filter(
  (a): a is OneStepBulkAction => BULK_ACTIONS[a].applies === "confirm",
) as [OneStepBulkAction, ...OneStepBulkAction[]];

/** The bulk action an audit entry records the outcome of, or null for any other entry. */
export const bulkActionOf = (audit: string): BulkAction | null =>
  BULK_ACTION_KEYS.find((a) => BULK_ACTIONS[a].audit === audit) ?? null;

/** The audit log's labels of the bulk actions' entries. */
export const BULK_AUDIT_LABELS = Object.fromEntries(
  BULK_ACTION_KEYS.map((a) => [BULK_ACTIONS[a].audit, BULK_ACTIONS[a].auditLabel]),
) as Record<BulkAuditAction, string>;
