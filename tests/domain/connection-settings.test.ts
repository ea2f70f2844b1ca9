/**
 * What each of the pool's connections to a PostgreSQL server is set to
 * (db/connect.ts, openDatabase): no JIT compilation, which cost a statement
 * estimated costly more than it ran.
 */
import { describe, expect, it } from "vitest";
import { sql } from "kysely";
import { openDatabase } from "../../db/connect.ts";
import { onServer } from "../support/race.ts";

describe("a connection to the PostgreSQL server", () => {
  it.runIf(onServer)("runs without JIT compilation, each one the pool opens", async () => {
    const h = await openDatabase({ url: process.env.DATABASE_URL, poolSize: 2 });
    try {
      // Two connections held at once, so both are the pool's own.
      const settings = await h.db.connection().execute((a) =>
        h.db.connection().execute((b) =>
          Promise.all(
            [a, b].map(
              async (c) =>
                (
                  await sql<{ jit: string; pid: number }>`
                      select current_setting('jit') as jit, pg_backend_pid() as pid`.execute(c)
                ).rows[0]!,
            ),
          ),
        ),
      );
      expect(new Set(settings.map((s) => s.pid)).size).toBe(2);
      expect(settings.map((s) => s.jit)).toEqual(["off", "off"]);
    } finally {
      await h.close();
    }
  });
});
