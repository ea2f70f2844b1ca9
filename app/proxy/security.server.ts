/**
 * Company Settings › Security: the company's rules for Proxy Login, beyond
 * who may proxy (auth/policy.server.ts). "Require a reason for Proxy Login"
 * makes proxyLoginSchema ask for 5 to 200 characters; "Tell people when
 * someone proxies into their account" makes startProxy mail the person
 * (proxy/notice.server.ts). Changed by Company Admins, audited with before
 * and after in the change's transaction.
 */
import type { Kysely, Transaction } from "kysely";
import type { Database } from "../../db/schema.ts";
import type { Actor } from "../auth/actor.server.ts";
import { changeCompanySettings } from "../company-settings.server.ts";
import type { ProxySecurity } from "./schema.ts";

/**
 * The company's settings, as they are when this statement runs (startProxy
 * reads them in its transaction). `lock`: the company row, FOR NO KEY UPDATE
 * (as lockCompany), so that two admins saving at once queue, and each audit
 * entry's "before" is what the other left.
 */
export async function readProxySecurity(
  db: Kysely<Database> | Transaction<Database>,
  companyId: number,
  lock = false,
): Promise<ProxySecurity> {
  let query = db
    .selectFrom("companies")
    .select(["proxy_reason_required", "proxy_notice"])
    .where("id", "=", companyId);
  if (lock) query = query.forNoKeyUpdate();
  const row = await query.executeTakeFirstOrThrow();
  return { reasonRequired: row.proxy_reason_required, notice: row.proxy_notice };
}

/** The settings as the audit log records them (its words: app/audit/log.server.ts). */
const audited = (s: ProxySecurity) => ({ proxy_reason_required: s.reasonRequired, proxy_notice: s.notice });

/**
 * Saves the settings, and answers what the page says next. Any two booleans
 * are a valid pair, so nothing refuses; saving what is already there changes
 * and records nothing.
 */
export async function saveProxySecurity(
  db: Kysely<Database>,
  actor: Actor,
  input: ProxySecurity,
  now: Date,
): Promise<string> {
  return db.transaction().execute(async (tx) => {
    const was = await readProxySecurity(tx, actor.company.id, true);
    if (was.reasonRequired === input.reasonRequired && was.notice === input.notice) {
      return "Nothing changed: the security settings are as they were.";
    }
    await changeCompanySettings(
      tx,
      actor,
      {
        set: { proxy_reason_required: input.reasonRequired, proxy_notice: input.notice },
        action: "company.security_changed",
        label: "Company Settings › Security",
        before: audited(was),
        after: audited(input),
      },
      now,
    );
    return "The security settings are saved.";
  });
}
