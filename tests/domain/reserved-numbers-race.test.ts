/**
 * Races are real on a PostgreSQL server only (PGlite is one connection):
 * twenty admins' requests assign one reserved number to twenty different
 * users at the same instant. Exactly one wins and its user holds the number;
 * the others get a clear refusal (the number's lock and recheck, not a
 * constraint error: that a number has at most one holder is the schema's
 * CHECK, so it is not asserted here); one audit entry, the winner's.
 */
import { expect, it } from "vitest";
import { sql } from "kysely";
import { onServer, raceDatabase } from "../support/race.ts";
import { actorFor } from "../support/actors.ts";
import { reassignNumber } from "../../app/numbers/reassign.server.ts";

const NOW = new Date("2026-11-27T12:00:00Z");
const t = raceDatabase(25, NOW);

it.runIf(onServer)("20 concurrent reassignments of one number: exactly one succeeds", async () => {
  const ada = await actorFor(t.db, "ada@acme.test", NOW);
  const sf = await t.db
    .selectFrom("offices")
    .select(["id", "company_id"])
    .where("name", "=", "San Francisco")
    .where("company_id", "=", ada.company.id)
    .executeTakeFirstOrThrow();
  await t.db
    .updateTable("license_pools")
    .set((eb) => ({ purchased: eb("purchased", "+", 20) }))
    .where("office_id", "=", sf.id)
    .where("license_type", "=", "connect")
    .execute();
  const users = await t.db
    .insertInto("users")
    .values(
      Array.from({ length: 20 }, (_, i) => ({
        company_id: sf.company_id,
        office_id: sf.id,
        first_name: "Racer",
        last_name: String(i + 1),
        email: `racer${i + 1}@acme.test`,
        status: "active" as const,
        license_type: "connect" as const,
      })),
    )
    .returning("id")
    .execute();
  const n = await t.db
    .selectFrom("phone_numbers")
    .select(["id"])
    .where("last_holder_name", "=", "Frank Ortiz")
    .executeTakeFirstOrThrow();

  // Open every connection first, so the twenty start together instead of queuing on connects.
  await Promise.all(Array.from({ length: 22 }, () => sql`select pg_sleep(0.05)`.execute(t.db)));
  const results = await Promise.all(
    users.map((u) => reassignNumber(t.db, ada, n.id, { target: `user:${u.id}`, as: "primary" }, NOW)),
  );

  const won = results.filter((r) => r.ok);
  const lost = results.filter((r) => !r.ok);
  expect(won).toHaveLength(1);
  expect(lost).toHaveLength(19);
  for (const r of lost) expect(r.message).toContain("no longer in the Reserved Pool");
  const winner = users[results.findIndex((r) => r.ok)]!.id;
  const row = await t.db
    .selectFrom("phone_numbers")
    .select("assigned_user_id")
    .where("id", "=", n.id)
    .executeTakeFirstOrThrow();
  expect(row.assigned_user_id).toBe(winner);
  const audit = await t.db
    .selectFrom("audit_log")
    .select(["action", "after"])
    .where("target_type", "=", "phone_number")
    .where("target_id", "=", String(n.id))
    .execute();
  expect(audit).toHaveLength(1);
  expect(audit[0]).toMatchObject({ action: "phone_number.reassigned", after: { user_id: winner } });
});
