/**
 * The database as rows, to show that a request changed nothing: every table's
 * rows as sorted JSON, except `sessions` and `login_attempts`, which signing
 * in (the suites' setup, and the hostile sign-ins, which the lockout must
 * count) writes by design, and `scim_rate_limits`, which every SCIM request
 * spends from. Used by the hostile-input table and the fuzzer.
 */
import { sql, type Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import type { AppServer } from "./app-server.ts";

const VOLATILE = ["sessions", "login_attempts", "scim_rate_limits"];

export type Snapshot = Record<string, string[]>;

/** Every table but the volatile ones, each as sorted JSON rows (on PGlite the server stops meanwhile). */
export async function snapshot(app: Pick<AppServer, "withDb">): Promise<Snapshot> {
  return app.withDb(async (db: Kysely<Database>) => {
    const { rows } = await sql<{ table_name: string }>`
      select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`.execute(
      db,
    );
    const out: Snapshot = {};
    for (const { table_name } of rows) {
      if (VOLATILE.includes(table_name)) continue;
      const all = await sql<Record<string, unknown>>`select * from ${sql.table(table_name)}`.execute(db);
      out[table_name] = all.rows.map((r) => JSON.stringify(r)).sort();
    }
    return out;
  });
}

/** The tables whose rows differ, with the rows gone and the rows new (each cut to 300 characters). */
export function changes(before: Snapshot, after: Snapshot) {
  const diff: Record<string, { gone: string[]; new: string[] }> = {};
  for (const t of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const a = new Set(before[t] ?? []);
    const b = new Set(after[t] ?? []);
    const gone = [...a].filter((r) => !b.has(r));
    const added = [...b].filter((r) => !a.has(r));
    if (gone.length || added.length)
      diff[t] = { gone: gone.map((r) => r.slice(0, 300)), new: added.map((r) => r.slice(0, 300)) };
  }
  return diff;
}
