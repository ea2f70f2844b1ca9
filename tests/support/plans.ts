/**
 * Plans of the statements a function really sends: record them as compiled
 * (with their parameters), then ask EXPLAIN for each one's plan as JSON.
 */
import { CompiledQuery, type Kysely, type QueryId, type RootOperationNode } from "kysely";
import type { Database } from "../../db/schema.ts";

/** A node of EXPLAIN's JSON plan, with the nodes under it. */
export interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Index Cond"?: string;
  "Plan Rows": number;
  /** With ANALYZE only. */
  "Actual Loops"?: number;
  Plans?: PlanNode[];
}

/** The node and every node under it. */
export const planNodes = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(planNodes)];

/** `db`, recording every statement sent through it; `sent()` gives them compiled, as the database got them. */
export function recording(db: Kysely<Database>): { db: Kysely<Database>; sent: () => CompiledQuery[] } {
  const nodes: { node: RootOperationNode; queryId: QueryId }[] = [];
  const watched = db.withPlugin({
    transformQuery: (args) => (nodes.push(args), args.node),
    transformResult: async ({ result }) => result,
  });
  return {
    db: watched,
    sent: () => nodes.map(({ node, queryId }) => watched.getExecutor().compileQuery(node, queryId)),
  };
}

/** The plan of a statement as sent (ANALYZE runs it). */
export async function planOf(
  db: Kysely<Database>,
  query: CompiledQuery,
  { analyze = false } = {},
): Promise<PlanNode> {
  const { rows } = await db.executeQuery<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(
    CompiledQuery.raw(`explain (${analyze ? "analyze, " : ""}format json) ${query.sql}`, [
      ...query.parameters,
    ]),
  );
  return rows[0]!["QUERY PLAN"][0].Plan;
}
