/**
 * The embedded PGlite in its own thread (db/pglite-thread.ts): what callers
 * get back is what they got when it ran on their own thread. A refused
 * statement is a `pg.DatabaseError` with PostgreSQL's fields (the app reads
 * `code` and `constraint` to word its refusals); a transaction holds the one
 * session; statements sent together are answered in order; once the thread
 * is gone, what is sent to it fails at once instead of hanging.
 */
import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, type TestDatabase } from "../support/db.ts";
import { seedDemo } from "../../db/seed/demo.ts";
import { openPgliteThread } from "../../db/pglite-thread.ts";

describe.runIf(!process.env.DATABASE_URL)("the embedded PGlite's thread", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase();
    await seedDemo(t.db, new Date());
  });
  afterAll(() => t.close());

  it("answers a refused statement with PostgreSQL's error and its fields, and goes on", async () => {
    const taken = t.db
      .updateTable("users")
      .set({ email: "ada@acme.test" })
      .where("email", "=", "uma@acme.test")
      .execute();
    const err = await taken.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(pg.DatabaseError);
    expect(err).toMatchObject({ code: "23505", severity: "ERROR", table: "users" });
    expect((err as pg.DatabaseError).constraint).toMatch(/email/);
    expect((err as Error).message).toMatch(/duplicate key value/);
    const syntax = await sql`selec 1`.execute(t.db).catch((e: unknown) => e);
    expect(syntax).toMatchObject({ code: "42601", position: "1" });
    expect((await sql<{ one: number }>`select 1 as one`.execute(t.db)).rows).toEqual([{ one: 1 }]);
  });

  it("keeps a transaction to itself, rolled back whole on a refusal", async () => {
    const before = await t.db
      .selectFrom("users")
      .select("first_name")
      .where("email", "=", "uma@acme.test")
      .executeTakeFirstOrThrow();
    await t.db
      .transaction()
      .execute(async (tx) => {
        await tx
          .updateTable("users")
          .set({ first_name: "Changed" })
          .where("email", "=", "uma@acme.test")
          .execute();
        await tx
          .updateTable("users")
          .set({ email: "ada@acme.test" })
          .where("email", "=", "uma@acme.test")
          .execute();
      })
      .catch(() => undefined);
    expect(
      await t.db
        .selectFrom("users")
        .select("first_name")
        .where("email", "=", "uma@acme.test")
        .executeTakeFirstOrThrow(),
    ).toEqual(before);
  });

  it("answers statements sent together in the order sent", async () => {
    const ids = await Promise.all(
      Array.from({ length: 20 }, (_, i) => sql<{ i: number }>`select ${i}::int as i`.execute(t.db)),
    );
    expect(ids.map((r) => r.rows[0]!.i)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it("refuses to open a database it cannot, with the reason and its code", async () => {
    await expect(openPgliteThread("/proc/no-such-folder/pglite")).rejects.toMatchObject({
      code: "ENOENT",
      message: expect.stringContaining("no such file or directory"),
    });
  });

  it("fails at once what is sent after the thread is gone", async () => {
    const thread = await openPgliteThread("memory://");
    const select1 = new Uint8Array([0x51, 0, 0, 0, 13, ...new TextEncoder().encode("select 1"), 0]);
    expect(await thread.pglite.execProtocolStream(select1)).toContainEqual(
      expect.objectContaining({ name: "dataRow", fields: ["1"] }),
    );
    await thread.close();
    await expect(thread.pglite.execProtocolStream(select1)).rejects.toThrow(/PGlite thread exited/);
  });
});
