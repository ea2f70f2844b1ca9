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

/**
 * How many sessions of `db`'s database wait for a lock (a row's or an advisory one), or for one of these
 * kinds only (pg_stat_activity's wait_event: `transactionid` and `tuple` for a row, `relation` for a table).
 */
export async function lockWaits(db: Kysely<Database>, kinds?: string[]): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from pg_stat_activity
     where datname = current_database() and wait_event_type = 'Lock'
       and (${kinds ?? null}::text[] is null or wait_event = any(${kinds ?? null}::text[]))`.execute(db);
  return rows[0]!.n;
}

/**
 * Resolves once `n` of `db`'s sessions wait for a lock (of these kinds, if given), or `settled` says what was
 * waited for is over: where a race test starts its next step. Each look is a round trip and 10 ms; after five
 * seconds it gives up.
 */
export async function untilLocksWait(
  db: Kysely<Database>,
  n: number,
  what: string,
  settled = () => false,
  kinds?: string[],
) {
  for (let look = 0; look < 500; look++) {
    if (settled() || (await lockWaits(db, kinds)) >= n) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`Gave up waiting for ${what}.`);
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
