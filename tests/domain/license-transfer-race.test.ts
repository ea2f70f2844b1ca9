/**
 * Ten transfers of 3 seats, started at the same instant from a pool with 10
 * unassigned: the row lock serializes them, so exactly 3 succeed and the
 * other 7 are refused in words (counted after the lock, not left to the
 * pools' CHECK constraints, which would only turn an overspend into an
 * error); each success moves its seats (the total purchased stays) with
 * its two audit entries. Races are real only on a PostgreSQL server (PGlite
 * is one connection).
 */
import { expect, it } from "vitest";
import { onServer, raceDatabase } from "../support/race.ts";
import { actorFor } from "../support/actors.ts";
import { transferLicenses } from "../../app/licenses/transfer.server.ts";

const now = new Date("2026-11-27T12:00:00Z");
const t = raceDatabase(15, now);

it.runIf(onServer)("10 transfers of 3 seats from a pool with 10 unassigned: exactly 3 succeed", async () => {
  const db = t.db;
  const ada = await actorFor(db, "ada@acme.test", now);
  const offices = await db
    .selectFrom("offices")
    .select(["id", "name"])
    .where("company_id", "=", ada.company.id)
    .execute();
  const sf = offices.find((o) => o.name === "San Francisco")!.id;
  const ny = offices.find((o) => o.name === "New York")!.id;
  const tor = offices.find((o) => o.name === "Toronto")!.id;
  await db
    .updateTable("license_pools")
    .set((eb) => ({ purchased: eb("assigned", "+", 10) }))
    .where("office_id", "=", sf)
    .where("license_type", "=", "connect")
    .execute();
  const totals = () =>
    db
      .selectFrom("license_pools")
      .select((eb) => eb.fn.sum<number>("purchased").as("purchased"))
      .where(
        "office_id",
        "in",
        offices.map((o) => o.id),
      )
      .where("license_type", "=", "connect")
      .executeTakeFirstOrThrow()
      .then((r) => Number(r.purchased));
  const before = await totals();

  // Half to New York, half to Toronto: locks in office order must not deadlock either way.
  const results = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      transferLicenses(db, ada, { from: sf, to: i % 2 ? ny : tor, type: "connect", quantity: 3 }, now),
    ),
  );
  expect(results.filter((r) => r.ok)).toHaveLength(3);
  for (const r of results.filter((r) => !r.ok))
    expect(r.message).toMatch(/^San Francisco has 1 unassigned Connect license/);

  const source = await db
    .selectFrom("license_pools")
    .select(["purchased", "assigned"])
    .where("office_id", "=", sf)
    .where("license_type", "=", "connect")
    .executeTakeFirstOrThrow();
  expect(source.purchased - source.assigned).toBe(1);
  expect(await totals()).toBe(before);
  const audit = await db
    .selectFrom("audit_log")
    .select("action")
    .where("target_type", "=", "license_pool")
    .execute();
  expect(audit).toHaveLength(6);
});
