/**
 * The query plans of the list, from the app's own code: listUsers runs with a
 * Kysely logger that keeps the SQL and parameters it sends, and that very
 * statement is explained. Changing the query changes what is explained.
 */
import type { CompiledQuery } from "kysely";
import pg from "pg";
import { openDatabase } from "../../db/connect.ts";
import { loadActor } from "../../app/auth/actor.server.ts";
import { hashToken } from "../../app/auth/session.server.ts";
import { listUsers } from "../../app/users/list.server.ts";
import { readListParams } from "../../app/users/list-params.ts";

export interface Plan {
  path: string;
  sql: string;
  parameters: readonly unknown[];
  plan: string;
  seqScanOnUsers: boolean;
}

/**
 * Explains, with ANALYZE and BUFFERS, the statement listUsers sends for each
 * path, as the signed-in user of `sessionToken` (loaded the way the app's
 * middleware loads them).
 */
export async function explainUserList(url: string, sessionToken: string, paths: string[]): Promise<Plan[]> {
  let last: CompiledQuery | undefined;
  const handle = await openDatabase({
    url,
    log: (event) => {
      if (event.level === "query") last = event.query;
    },
  });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const actor = await loadActor(handle.db, null, hashToken(sessionToken), new Date());
    if (!actor) throw new Error("The session the bench signed in with is gone.");
    const plans: Plan[] = [];
    for (const path of paths) {
      last = undefined;
      await listUsers(handle.db, actor, readListParams(new URL(path, "http://localhost")).params);
      if (!last) throw new Error(`listUsers sent no query for ${path}.`);
      const { sql, parameters } = last as CompiledQuery;
      const result = await client.query<{ "QUERY PLAN": string }>(`explain (analyze, buffers) ${sql}`, [
        ...parameters,
      ]);
      const plan = result.rows.map((r) => r["QUERY PLAN"]).join("\n");
      // "Parallel Seq Scan on users u" counts too; other tables' scans (offices) do not.
      plans.push({ path, sql, parameters, plan, seqScanOnUsers: /Seq Scan on users\b/.test(plan) });
    }
    return plans;
  } finally {
    await client.end();
    await handle.close();
  }
}
