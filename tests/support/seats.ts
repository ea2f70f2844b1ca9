/**
 * The seat check that transfer tests share: whatever ran, every pool's
 * assigned count is what its office's users and add-on numbers take.
 */
import { expect } from "vitest";
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";

/** Every pool's assigned count, recounted from users and add-on numbers. */
export async function expectPoolsConsistent(db: Kysely<Database>) {
  const pools = await db
    .selectFrom("license_pools")
    .select(["office_id", "license_type", "assigned"])
    .execute();
  const users = await db
    .selectFrom("users")
    .select(["office_id", "license_type", "has_meetings_seat"])
    .where("status", "<>", "deleted")
    .execute();
  const numbers = await db
    .selectFrom("phone_numbers")
    .select(["office_id", "addon_license_type"])
    .where("addon_license_type", "is not", null)
    .execute();
  const count = new Map<string, number>();
  const add = (k: string) => count.set(k, (count.get(k) ?? 0) + 1);
  for (const x of users) {
    add(`${x.office_id}/${x.license_type}`);
    if (x.has_meetings_seat) add(`${x.office_id}/meetings`);
  }
  for (const n of numbers) add(`${n.office_id}/${n.addon_license_type}`);
  for (const p of pools)
    expect([p.office_id, p.license_type, p.assigned]).toEqual([
      p.office_id,
      p.license_type,
      count.get(`${p.office_id}/${p.license_type}`) ?? 0,
    ]);
}
