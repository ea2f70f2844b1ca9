/**
 * The audit log is written inside the caller's transaction: if the change
 * rolls back, so does its entry, and no change is ever committed without one.
 */
import type { Kysely, Transaction } from "kysely";
import type { Database } from "../../db/schema.ts";
import type { Actor } from "../auth/actor.server.ts";

export interface AuditEntry {
  action: string;
  targetType: "user" | "phone_number" | "license_pool" | "office" | "company" | "proxy_session";
  targetId?: string | number | null;
  targetLabel?: string | null;
  officeId?: number | null;
  before?: unknown;
  after?: unknown;
}

export async function recordAudit(
  tx: Transaction<Database> | Kysely<Database>,
  actor: Pick<Actor, "company" | "person" | "proxy" | "ip">,
  entries: AuditEntry | AuditEntry[],
  at: Date,
): Promise<number[]> {
  const list = Array.isArray(entries) ? entries : [entries];
  if (list.length === 0) return [];
  const rows = await tx
    .insertInto("audit_log")
    .values(
      list.map((e) => ({
        company_id: actor.company.id,
        office_id: e.officeId ?? null,
        // While proxying, the person acting is the admin, on behalf of the user.
        actor_user_id: actor.proxy ? actor.proxy.admin.id : actor.person.id,
        on_behalf_of_user_id: actor.proxy ? actor.person.id : null,
        action: e.action,
        target_type: e.targetType,
        target_id: e.targetId == null ? null : String(e.targetId),
        target_label: e.targetLabel ?? null,
        before: e.before === undefined ? null : JSON.stringify(e.before),
        after: e.after === undefined ? null : JSON.stringify(e.after),
        ip: actor.ip,
        created_at: at,
      })),
    )
    .returning("id")
    .execute();
  return rows.map((r) => Number(r.id));
}
