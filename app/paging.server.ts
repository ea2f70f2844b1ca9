/**
 * One page of a list and the list's total, in one statement: the total, with
 * the page joined to it, so that a page past the end still brings the total
 * (and a list never counts in one snapshot and pages in another).
 */
import type { Kysely, SelectQueryBuilder } from "kysely";
import type { Database } from "../db/schema.ts";

export async function pageAndTotal<
  PDB,
  PTB extends keyof PDB,
  O extends { id: number },
  TDB,
  TTB extends keyof TDB,
>(
  db: Kysely<Database>,
  page: SelectQueryBuilder<PDB, PTB, O>,
  total: SelectQueryBuilder<TDB, TTB, { total: number }>,
): Promise<{ rows: O[]; total: number }> {
  // Left-joined, every column of the page may be null: a row whose id is null is the total alone (an
  // empty page), any other is a whole row of the page, with its own types.
  const rows = (await db
    .selectFrom(total.as("t"))
    .leftJoinLateral(page.as("p"), (join) => join.onTrue())
    .selectAll("p")
    .select("t.total")
    .execute()) as unknown as (Omit<O, "id"> & { id: number | null; total: number })[];
  return {
    rows: rows.filter((r): r is O & { total: number } => r.id !== null),
    total: Number(rows[0]?.total ?? 0),
  };
}
