/**
 * The audit log page at the issue's scale (issue #17, item 5: 10,000,000
 * entries; database.ts fills them): its first page, a filter by action, by
 * who acted (a demo admin, and one of the many admins who each made a
 * thousandth of the changes) and by target, an Office Admin's (whose scope is
 * their offices' entries), and a Next and a Previous link deep in the log,
 * where the entries of three years ago are.
 */
import pg from "pg";
import type { Scenario } from "./load.ts";
import { ACME } from "../../db/seed/demo.ts";
import { auditUrl } from "../../app/audit/log-params.ts";

/** Office Admin of San Francisco alone in the demo: the scope of one office, a third of Acme's entries. */
export const OFFICE_ADMIN = "oscar@acme.test";

/** Entries from the oldest to the deep page's: the page a Next link reaches after 200,000 pages of 50 in ten million. */
const DEEP = 1_000;

/**
 * The latest entries in which the busiest admin besides the demo's is looked for: enough that a bulk job's
 * entries (ada's, ten thousand for a job of that many) still leave others in the window.
 */
const RECENT = 100_000;

/**
 * An entry of Acme's log DEEP entries from the oldest, whose Next and Previous the deep scenarios open,
 * and the email of the person other than the demo's admins who made most of the RECENT latest entries.
 */
export async function auditPositions(url: string): Promise<{ deep: number; busyAdmin: string }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // The company as a value (not a join), so the company's index gives the order: no sort of the log.
    const acme = "(select id from companies where name = $1)";
    const deep = await client.query<{ id: string }>(
      `select id from audit_log where company_id = ${acme} order by created_at, id offset $2 limit 1`,
      [ACME, DEEP],
    );
    const busy = await client.query<{ email: string }>(
      `select u.email
         from (select actor_user_id from audit_log where company_id = ${acme}
                order by created_at desc, id desc limit $2) a
         join users u on u.id = a.actor_user_id
        where not u.is_company_admin and not exists (select 1 from office_admins o where o.user_id = u.id)
        group by u.email order by count(*) desc limit 1`,
      [ACME, RECENT],
    );
    if (deep.rows.length === 0 || busy.rows.length === 0)
      throw new Error(`${ACME}'s audit log has fewer than ${DEEP} entries, or none by other admins.`);
    return { deep: Number(deep.rows[0]!.id), busyAdmin: busy.rows[0]!.email };
  } finally {
    await client.end();
  }
}

/** The paths a Company Admin opens (each filter as the page's form sends it), and an Office Admin's. */
export function auditScenarios(
  asCompanyAdmin: Record<string, string>,
  asOfficeAdmin: Record<string, string>,
  { deep, busyAdmin }: { deep: number; busyAdmin: string },
): { companyAdmin: Scenario[]; officeAdmin: Scenario[] } {
  const companyAdmin = [
    auditUrl({}),
    // About one entry in twenty.
    auditUrl({ action: "user.license_changed" }),
    // The demo's Office Admin of San Francisco: a few hundred thousand entries, acting and on whose behalf.
    auditUrl({ who: "oscar" }),
    // One of the helpdesk: about ten thousand entries, a thousandth of the log.
    auditUrl({ who: busyAdmin }),
    // A fragment of many people's names, in the trigram index on the target's label.
    auditUrl({ target: "mar" }),
    auditUrl({ before: deep }),
    auditUrl({ after: deep }),
  ].map((path) => ({ name: path, path, headers: asCompanyAdmin }));
  return {
    companyAdmin,
    officeAdmin: [{ name: "/audit as an Office Admin", path: auditUrl({}), headers: asOfficeAdmin }],
  };
}
