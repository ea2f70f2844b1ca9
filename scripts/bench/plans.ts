/**
 * The query plans of the lists, from the app's own code: the list of a path
 * (Active or Pending Users, Reserved Numbers, Deleted Users, the audit log) runs with a
 * Kysely logger that keeps the SQL and parameters it sends, and each of those
 * statements (the page, its count, the office sort's second statement) is
 * explained. Changing the queries changes what is explained.
 */
import type { CompiledQuery } from "kysely";
import pg from "pg";
import { openDatabase } from "../../db/connect.ts";
import { loadActor } from "../../app/auth/actor.server.ts";
import { hashToken } from "../../app/auth/session.server.ts";
import { listUsers } from "../../app/users/list.server.ts";
import { readListParams } from "../../app/users/list-params.ts";
import { listPool } from "../../app/numbers/pool.server.ts";
import { readPoolParams } from "../../app/numbers/pool-params.ts";
import { listDeleted } from "../../app/users/deleted.server.ts";
import { cursorField } from "../../app/input.ts";
import { listAudit, readAuditFilters } from "../../app/audit/log.server.ts";
import type { Actor } from "../../app/auth/actor.server.ts";
import type { Database } from "../../db/schema.ts";
import type { Kysely } from "kysely";

export interface Plan {
  path: string;
  sql: string;
  parameters: readonly unknown[];
  plan: string;
  /** Whether it reads the whole of one of BIG_TABLES. */
  seqScan: boolean;
  /** The most rows one Sort node took in: at most a page's 51 when an index gives the order. */
  largestSort: number;
}

/** The tables a page must never read whole. */
export const BIG_TABLES = "users, phone_numbers or audit_log";

interface PlanNode {
  "Node Type": string;
  "Actual Rows": number;
  Plans?: PlanNode[];
}

/**
 * The most rows any Sort of the plan took in (its child's rows per loop). An Incremental Sort is left
 * out: its rows come in order already (the office sort's offices, from their index), sorted group by group.
 */
function largestSort(node: PlanNode): number {
  const input = node["Node Type"] === "Sort" ? (node.Plans?.[0]?.["Actual Rows"] ?? 0) : 0;
  return Math.max(input, ...(node.Plans ?? []).map(largestSort));
}

/**
 * One statement explained, with ANALYZE and BUFFERS, whether it reads the whole users table, and the
 * most rows it sorts (from a second run's plan as JSON).
 */
export async function explain(
  client: pg.Client,
  path: string,
  { sql, parameters }: CompiledQuery,
): Promise<Plan> {
  const result = await client.query<{ "QUERY PLAN": string }>(`explain (analyze, buffers) ${sql}`, [
    ...parameters,
  ]);
  const plan = result.rows.map((r) => r["QUERY PLAN"]).join("\n");
  const json = await client.query<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(
    `explain (analyze, format json) ${sql}`,
    [...parameters],
  );
  return {
    path,
    sql,
    parameters,
    plan,
    // "Parallel Seq Scan on users u" counts too; other tables' scans (offices) do not.
    seqScan: /Seq Scan on (users|phone_numbers|audit_log)\b/.test(plan),
    largestSort: largestSort(json.rows[0]!["QUERY PLAN"][0].Plan),
  };
}

/** The list a path shows, as its loader reads it. */
function listOf(db: Kysely<Database>, actor: Actor, path: string) {
  const url = new URL(path, "http://localhost");
  if (url.pathname === "/users/reserved-numbers")
    return listPool(db, actor, readPoolParams(url).params, new Date());
  if (url.pathname === "/users/deleted")
    return listDeleted(db, actor, new Date(), cursorField.parse(url.searchParams.get("cursor") ?? undefined));
  if (url.pathname === "/audit") return listAudit(db, actor, readAuditFilters(url).filters);
  return listUsers(db, actor, readListParams(url).params);
}

/**
 * Explains, with ANALYZE and BUFFERS, the statements the list of each path
 * sends, as the signed-in user of `sessionToken` (loaded the way the app's
 * middleware loads them).
 */
export async function explainLists(url: string, sessionToken: string, paths: string[]): Promise<Plan[]> {
  let sent: CompiledQuery[] = [];
  const handle = await openDatabase({
    url,
    log: (event) => {
      if (event.level === "query") sent.push(event.query);
    },
  });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const actor = await loadActor(handle.db, null, hashToken(sessionToken), new Date());
    if (!actor) throw new Error("The session the bench signed in with is gone.");
    const plans: Plan[] = [];
    for (const path of paths) {
      sent = [];
      await listOf(handle.db, actor, path);
      if (sent.length === 0) throw new Error(`The list of ${path} sent no query.`);
      for (const query of sent) {
        // The count's own EXPLAIN (an estimate past 1,000 matches) is not explained again.
        if (!/^explain/i.test(query.sql)) plans.push(await explain(client, path, query));
      }
    }
    return plans;
  } finally {
    await client.end();
    await handle.close();
  }
}
