/**
 * The users list's keyset pages and counted filters (issue #17), measured
 * beside the bench's own scenarios: the deepest page of two sorts (Last: the
 * reversed order's first page, which an OFFSET would make the slowest), and a
 * filter whose total comes from the counters. Then Reserved Numbers (100,000
 * numbers) and Deleted Users (50,000 in the 72 hours), each a first page and
 * its Last (database.ts tops them up).
 */
import type { Scenario } from "./load.ts";

export function listScenarios(headers: Record<string, string>): Scenario[] {
  return [
    { name: "/users?cursor=last", path: "/users?cursor=last", headers },
    { name: "/users?sort=office&cursor=last", path: "/users?sort=office&cursor=last", headers },
    { name: "/users?license=sell&status=active", path: "/users?license=sell&status=active", headers },
    ...[
      "/users/reserved-numbers",
      "/users/reserved-numbers?cursor=last",
      "/users/deleted",
      "/users/deleted?cursor=last",
    ].map((path) => ({ name: path, path, headers })),
  ];
}
