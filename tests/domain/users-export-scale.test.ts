/**
 * Export CSV at scale: 20,000 more users stream out in batches, every one of
 * them once, a chunk per batch: neither one string built in memory nor a
 * chunk per row.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { parse } from "csv-parse/sync";
import { freshDatabase, type TestDatabase } from "../support/db.ts";
import { actorFor } from "../support/actors.ts";
import { seedDemo } from "../../db/seed/demo.ts";
import { seedScale } from "../../db/seed/scale.ts";
import { EXPORT_BATCH, usersCsv } from "../../app/users/export.server.ts";
import { readListParams } from "../../app/users/list-params.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await freshDatabase();
  await seedDemo(t.db, new Date());
  await seedScale(t.db, 20_000, () => {});
}, 300_000);
afterAll(() => t.close());

it("streams every matching user once, in chunks", { timeout: 300_000 }, async () => {
  const ada = await actorFor(t.db, "ada@acme.test");
  const reader = usersCsv(
    t.db,
    ada,
    readListParams(new URL("http://x/users?sort=added&dir=desc")).params,
  ).getReader();
  const decoder = new TextDecoder();
  let text = "";
  let chunks = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks++;
    text += decoder.decode(value, { stream: true });
  }
  const rows = (parse(text, { bom: true }) as string[][]).slice(1);
  const live = await t.db
    .selectFrom("users as u")
    .innerJoin("companies as c", "c.id", "u.company_id")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("c.name", "=", "Acme")
    .where("u.status", "<>", "deleted")
    .executeTakeFirstOrThrow();
  expect(Number(live.n)).toBeGreaterThan(20_000);
  expect(rows).toHaveLength(Number(live.n));
  expect(new Set(rows.map((r) => r[2])).size).toBe(rows.length);
  // The header, then one chunk per batch: not one per row (a write and a compression flush each).
  expect(chunks).toBe(1 + Math.ceil(rows.length / EXPORT_BATCH));
});
