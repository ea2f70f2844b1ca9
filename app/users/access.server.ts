/**
 * Admin access on the user's page (docs/domain.md, "Admin access"): whether a
 * user is a Company Admin, and of which offices an Office Admin (any set of
 * the company's offices: a regional admin). Company Admins change it
 * (mayChangeAdminAccess); Office Admins see it. Proxy access is given or
 * removed the one way it always was (proxy/access.server.ts).
 *
 * The company always keeps an active Company Admin: the change locks the
 * company's row first (lockCompany, as deletions do) and counts after that,
 * so of two admins removing each other at once, the second sees the first's
 * change and is refused. The actor's rights are read afresh on every request
 * (loadActor), so a change holds from the next request of each of that
 * person's sessions.
 */
import { sql, type Kysely } from "kysely";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import type { Database, UserStatus } from "../../db/schema.ts";
import type { Actor } from "../auth/actor.server.ts";
import { adminOfficesOf, currentUserInScope, PERSON_COLUMNS } from "../auth/scopes.server.ts";
import {
  mayChangeAdminAccess,
  mayChangeProxyAccess,
  proxyTargetOf,
  reasonOf,
} from "../auth/policy.server.ts";
import { recordAudit } from "../audit/record.server.ts";
import { companyCounts, lockCompany } from "./delete.server.ts";
import { refused, type Result } from "../refusal.server.ts";
import type { AdminAccessInput } from "./access-schema.ts";

/** The user's admin access as the page shows it, within the admin's scope and not deleted; null if not (404). */
export async function findAccess(db: Kysely<Database>, actor: Actor, userId: number) {
  const u = await currentUserInScope(db, actor, userId)
    .select((eb) => [
      ...PERSON_COLUMNS,
      "u.status",
      "u.office_id",
      "u.is_company_admin",
      "u.has_proxy_access",
      adminOfficesOf(eb),
      // The offices the form offers: every office of the company, for the Company Admin who may change it.
      jsonArrayFrom(
        eb
          .selectFrom("offices as co")
          .select(["co.id", "co.name"])
          .whereRef("co.company_id", "=", "u.company_id")
          .where(sql<boolean>`${actor.person.isCompanyAdmin}`)
          .orderBy("co.name"),
      ).as("company_offices"),
    ])
    .executeTakeFirst();
  if (!u) return null;
  const user = {
    id: u.id,
    name: `${u.first_name} ${u.last_name}`,
    status: u.status as Exclude<UserStatus, "deleted">,
    officeId: u.office_id,
    isCompanyAdmin: u.is_company_admin,
    adminOffices: u.admin_offices,
  };
  const grant = !u.has_proxy_access;
  return {
    ...user,
    proxyAccess: {
      granted: u.has_proxy_access,
      // A Company Admin on the higher tier has it without a grant.
      asCompanyAdmin: u.is_company_admin && actor.higherTier,
      grant,
      refusal: reasonOf(mayChangeProxyAccess(actor, proxyTargetOf(user, actor.company.id), grant)),
    },
    offices: u.company_offices,
    refusal: reasonOf(mayChangeAdminAccess(actor, user)),
  };
}

export type AccessResult = Result<{ name: string; changed: boolean; self: boolean }>;

/** Sets a user's admin access: one transaction, audited with before and after; the same again changes nothing. */
export async function setAdminAccess(
  db: Kysely<Database>,
  actor: Actor,
  userId: number,
  input: AdminAccessInput,
  now: Date,
): Promise<AccessResult> {
  return db.transaction().execute(async (tx) => {
    await lockCompany(tx, actor.company.id);
    const u = await currentUserInScope(tx, actor, userId)
      .select([
        ...PERSON_COLUMNS,
        "u.status",
        "u.office_id",
        "u.is_company_admin",
        sql<number[]>`array(select oa.office_id from office_admins oa where oa.user_id = u.id order by 1)`.as(
          "admin_office_ids",
        ),
      ])
      .forNoKeyUpdate("u")
      .executeTakeFirst();
    if (!u) return refused("This user", "not_found");
    const name = `${u.first_name} ${u.last_name}`;
    const may = mayChangeAdminAccess(actor, { name, status: u.status });
    if (!may.ok)
      return refused(may.reason, actor.person.isCompanyAdmin && !actor.proxy ? "refused" : "forbidden");

    const offices = [...new Set(input.office)].sort((a, b) => a - b);
    if (offices.length > 0) {
      const known = await tx
        .selectFrom("offices")
        .select("id")
        .where("company_id", "=", actor.company.id)
        .where("id", "in", offices)
        .execute();
      if (known.length !== offices.length)
        return refused("Choose offices from the list.", "invalid", "office");
    }

    const before = { company_admin: u.is_company_admin, office_admin_of: u.admin_office_ids.map(Number) };
    const after = { company_admin: input.companyAdmin === "yes", office_admin_of: offices };
    const changed = (Object.keys(before) as (keyof typeof before)[]).filter(
      (k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]),
    );
    const self = u.id === actor.person.id;
    if (changed.length === 0) return { ok: true, name, changed: false, self };

    if (before.company_admin && !after.company_admin && u.status === "active") {
      // Counted under the company's lock: a concurrent removal or deletion has committed by now.
      const { activeCompanyAdmins } = await companyCounts(tx, actor.company.id);
      if (activeCompanyAdmins <= 1)
        return refused(
          `${name} is the last active Company Admin of ${actor.company.name}. Make someone else a Company Admin first.`,
          "refused",
          "companyAdmin",
        );
    }

    if (changed.includes("company_admin"))
      await tx
        .updateTable("users")
        .set({ is_company_admin: after.company_admin })
        .where("id", "=", u.id)
        .execute();
    if (changed.includes("office_admin_of")) {
      const ids = sql`${sql.val(offices)}::int[]`;
      await sql`delete from office_admins where user_id = ${u.id} and office_id <> all(${ids})`.execute(tx);
      await sql`
        insert into office_admins (user_id, office_id, granted_at)
        select ${u.id}, unnest(${ids}), ${now}
        on conflict do nothing`.execute(tx);
    }
    await recordAudit(
      tx,
      actor,
      {
        action: "user.admin_access_changed",
        targetType: "user",
        targetId: u.id,
        targetLabel: name,
        officeId: u.office_id,
        before: Object.fromEntries(changed.map((k) => [k, before[k]])),
        after: Object.fromEntries(changed.map((k) => [k, after[k]])),
      },
      now,
    );
    return { ok: true, name, changed: true, self };
  });
}
