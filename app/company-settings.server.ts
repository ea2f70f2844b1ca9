/**
 * A Company Settings change (Provisioning's defaults, Security): the company's
 * row and its audit entry with before and after, in the caller's transaction,
 * so each settings page writes its columns and is audited the one same way.
 */
import type { Transaction, Updateable } from "kysely";
import type { CompaniesTable, Database } from "../db/schema.ts";
import type { Actor } from "./auth/actor.server.ts";
import { recordAudit, type AuditEntry } from "./audit/record.server.ts";

export async function changeCompanySettings(
  tx: Transaction<Database>,
  actor: Actor,
  change: {
    set: Updateable<CompaniesTable>;
    action: AuditEntry["action"];
    /** What the audit log names as the target: the settings, not the company. */
    label: string;
    before: unknown;
    after: unknown;
  },
  now: Date,
): Promise<void> {
  await tx.updateTable("companies").set(change.set).where("id", "=", actor.company.id).execute();
  await recordAudit(
    tx,
    actor,
    {
      action: change.action,
      targetType: "company",
      targetId: actor.company.id,
      targetLabel: change.label,
      before: change.before,
      after: change.after,
    },
    now,
  );
}
