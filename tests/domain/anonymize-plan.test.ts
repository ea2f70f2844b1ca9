/**
 * The anonymization's plan in a company whose audit log was mostly made by a
 * few admins, as a real one is: it reads the entries of the people it
 * anonymizes through indexes, and never the whole log. Joined to the log by
 * actor alone, the planner counted on the average actor's thousands of
 * entries for each person and read every entry (1.5 s of each batch of a bulk
 * delete in a log of ten million).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { freshDatabase, type TestDatabase } from "../support/db.ts";
import { planNodes, planOf, recording } from "../support/plans.ts";
import { actorFor } from "../support/actors.ts";
import { seedDemo } from "../../db/seed/demo.ts";
import { seedScale } from "../../db/seed/scale.ts";
import { deleteUsers } from "../../app/users/delete.server.ts";

const T0 = new Date("2026-06-01T12:00:00Z");
/** Entries made by Acme's few admins (a third on behalf of one of them): enough that reading them all costs more than finding a few. */
const ENTRIES = 100_000;

let t: TestDatabase;
beforeAll(async () => {
  t = await freshDatabase();
  await seedDemo(t.db, T0);
  // A batch's worth of pending users to delete, as a bulk job's batch holds
  await seedScale(t.db, 1000, () => undefined);
  await sql`
    insert into audit_log (company_id, office_id, actor_user_id, on_behalf_of_user_id, action, target_type,
                           target_id, target_label, created_at)
    select u.company_id, u.office_id, u.id, case when i % 3 = 0 then u.id end, 'user.updated', 'user', u.id::text,
           u.first_name, ${T0}::timestamptz
      from generate_series(1, ${ENTRIES}) i
      join users u on u.email = (array['ada@acme.test', 'olive@acme.test', 'oscar@acme.test'])[1 + i % 3]`.execute(
    t.db,
  );
  await sql`analyze audit_log`.execute(t.db);
});
afterAll(() => t.close());

describe("anonymizing the pending users a deletion takes", () => {
  it("looks up the audit entries that name them in indexes, reading neither the whole log nor a whole index", async () => {
    const ada = await actorFor(t.db, "ada@acme.test", T0);
    const pending = await t.db
      .selectFrom("users")
      .select("id")
      .where("company_id", "=", ada.company.id)
      .where("status", "=", "pending")
      .execute();
    expect(pending.length).toBeGreaterThanOrEqual(50);

    const watched = recording(t.db);
    await deleteUsers(
      watched.db,
      ada,
      pending.map((u) => u.id),
      "keep",
      T0,
    );
    const erasure = watched.sent().filter((q) => /update audit_log a\s+set target_label/.test(q.sql));
    expect(erasure).toHaveLength(1);

    const plan = planNodes(await planOf(t.db, erasure[0]!));
    const reads = plan.filter((n) => n["Node Type"] !== "ModifyTable" && n["Relation Name"] === "audit_log");
    expect(reads.length).toBeGreaterThan(0);
    for (const read of reads)
      expect
        .soft(read["Node Type"], "a read of the audit log that is not an index lookup")
        .toMatch(/^(Index Scan|Index Only Scan|Bitmap Heap Scan)$/);
    // Each index is looked up, not read whole: by its first column (a Bitmap Heap Scan's lookup is its Bitmap
    // Index Scan's; a condition on a later column alone reads all of the index), and for a few entries (by
    // the company alone, it would read every one).
    const { rows: firsts } = await sql<{ name: string; first: string }>`
      select c.relname as name, pg_get_indexdef(c.oid, 1, true) as first
        from pg_index i join pg_class c on c.oid = i.indexrelid
       where i.indrelid = 'audit_log'::regclass`.execute(t.db);
    const first = new Map(firsts.map((f) => [f.name, f.first]));
    for (const lookup of plan.filter((n) => n["Index Name"]?.startsWith("audit_log"))) {
      const condition = (lookup["Index Cond"] ?? "").replace(/\b\w+\./g, "");
      expect
        .soft(condition, `${lookup["Index Name"]} looked up by ${first.get(lookup["Index Name"]!)}`)
        .toContain(first.get(lookup["Index Name"]!));
      expect
        .soft(lookup["Plan Rows"], `${lookup["Index Name"]} looked up by ${condition}`)
        .toBeLessThan(ENTRIES / 10);
    }
  });
});
