/**
 * Where the race tests start. Races are real on a PostgreSQL server only
 * (PGlite is one connection, where nothing runs at once), so a race test runs
 * there, on a fresh demo database with enough connections for its requests
 * at once; elsewhere it is skipped (it.runIf(onServer)).
 */
import { afterAll, beforeAll } from "vitest";
import { sql, type Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import { freshDatabase, type TestDatabase } from "./db.ts";
import { seedDemo } from "../../db/seed/demo.ts";

export const onServer = !!process.env.DATABASE_URL;

/** The file's database: opened and seeded before its tests (on the server only), closed after them. */
export function raceDatabase(poolSize: number, now: Date): { readonly db: Kysely<Database> } {
  let t: TestDatabase | undefined;
  beforeAll(async () => {
    if (!onServer) return;
    t = await freshDatabase({ poolSize });
    await seedDemo(t.db, now);
  });
  afterAll(() => t?.close());
  return {
    get db() {
      if (!t) throw new Error("A race test runs on the PostgreSQL server only: it.runIf(onServer).");
      return t.db;
    },
  };
}

/** Pairs of Acme's people, each pair in turn its only two Company Admins, who then remove each other. */
export const ADMIN_PAIRS = [
  ["ada@acme.test", "priya@acme.test"],
  ["marcus@acme.test", "mei@acme.test"],
  ["ethan@acme.test", "chloe@acme.test"],
  ["camille@acme.test", "arjun@acme.test"],
  ["charlotte@acme.test", "harry@acme.test"],
] as const;

/** These two, and nobody else, are the company's active Company Admins. */
export const onlyCompanyAdmins = (db: Kysely<Database>, companyId: number, a: string, b: string) =>
  db
    .updateTable("users")
    .set({ is_company_admin: sql<boolean>`email in (${a}, ${b})` })
    .where("company_id", "=", companyId)
    .where("status", "=", "active")
    .execute();

/** How many of the company's users are active (only its Company Admins, if asked). */
export const activeCount = async (db: Kysely<Database>, companyId: number, companyAdmins: boolean) =>
  Number(
    (
      await db
        .selectFrom("users")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("company_id", "=", companyId)
        .where("status", "=", "active")
        .$if(companyAdmins, (qb) => qb.where("is_company_admin", "=", true))
        .executeTakeFirstOrThrow()
    ).n,
  );
