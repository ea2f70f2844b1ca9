import { sql, type Kysely } from "kysely";
import type { Database } from "../schema.ts";
import { seedDemo } from "./demo.ts";

export { seedDemo } from "./demo.ts";
export { seedScale } from "./scale.ts";

// Any constant will do, as long as nothing else locks on it.
const SEED_LOCK = 4_201_977;

/**
 * Seeds the demo companies into a database that has no company yet, and says
 * whether it did. Several app servers may start at once on one database: the
 * lock makes the others wait, then find the companies and skip.
 */
export async function seedDemoIfEmpty(db: Kysely<Database>, now: Date): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${SEED_LOCK})`.execute(trx);
    const company = await trx.selectFrom("companies").select("id").limit(1).executeTakeFirst();
    if (company) return false;
    await seedDemo(trx, now);
    return true;
  });
}
