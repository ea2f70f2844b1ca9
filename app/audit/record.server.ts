/**
 * The audit log is written inside the caller's transaction: if the change
 * rolls back, so does its entry, and no change is ever committed without one.
 */
import { sql, type Kysely, type Transaction } from "kysely";
import type { Database } from "../../db/schema.ts";
import { actingUserId, type Actor } from "../auth/actor.server.ts";
import type { AuditAction } from "./log-params.ts";

export interface AuditEntry {
  /** Only actions the audit log has a label for. */
  action: AuditAction;
  targetType:
    "user" | "phone_number" | "license_pool" | "office" | "company" | "proxy_session" | "provisioning_token";
  targetId?: string | number | null;
  targetLabel?: string | null;
  officeId?: number | null;
  before?: unknown;
  after?: unknown;
}

/**
 * Who acts: a person, an admin on behalf of the person they proxy as, or a
 * provisioning token (app/scim/actor.server.ts: its actor carries the token,
 * and the entry names the token, not a person).
 */
export type AuditActor = Pick<Actor, "company" | "person" | "proxy" | "ip" | "provisioningToken">;

export async function recordAudit(
  tx: Transaction<Database> | Kysely<Database>,
  actor: AuditActor,
  entries: AuditEntry | AuditEntry[],
  at: Date,
): Promise<number[]> {
  const list = Array.isArray(entries) ? entries : [entries];
  if (list.length === 0) return [];
  // One statement with one array per column, whatever the number of entries:
  // a bulk action on thousands of users stays far below PostgreSQL's limit
  // of 65,535 parameters a statement.
  const column = <T>(pick: (e: AuditEntry) => T) => list.map(pick);
  const rows = await sql<{ id: number }>`
    insert into audit_log (company_id, office_id, actor_user_id, on_behalf_of_user_id, action, target_type,
                           target_id, target_label, before, after, ip, created_at, actor_token_id)
    select ${actor.company.id}, x.office_id,
           -- while proxying, the person acting is the admin, on behalf of the user; a token is no person
           ${actingUserId(actor)}::int,
           ${actor.proxy ? actor.person.id : null}::int,
           x.action, x.target_type, x.target_id, x.target_label, x.before, x.after, ${actor.ip}::text, ${at}::timestamptz,
           ${actor.provisioningToken?.id ?? null}::int
      from unnest(${column((e) => e.officeId ?? null)}::int[], ${column((e) => e.action)}::text[],
                  ${column((e) => e.targetType)}::text[],
                  ${column((e) => (e.targetId == null ? null : String(e.targetId)))}::text[],
                  ${column((e) => e.targetLabel ?? null)}::text[],
                  ${column((e) => (e.before === undefined ? null : JSON.stringify(e.before)))}::jsonb[],
                  ${column((e) => (e.after === undefined ? null : JSON.stringify(e.after)))}::jsonb[])
        as x(office_id, action, target_type, target_id, target_label, before, after)
    returning id`.execute(tx);
  return rows.rows.map((r) => Number(r.id));
}
