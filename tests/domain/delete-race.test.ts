/**
 * Deletions at the same instant, on a PostgreSQL server only (PGlite is one
 * connection, where nothing runs at once): the rules that a company keeps an
 * active Company Admin, and its only office an active user, count rows that
 * concurrent deletions change. deleteUsers locks the company first, so the
 * second deletion counts after the first has committed: exactly one of two
 * admins deleting each other succeeds, never both, and neither deadlocks.
 * Each race runs several rounds, each a fresh pair.
 */
import { describe, expect, it } from "vitest";
import { activeCount, ADMIN_PAIRS, onlyCompanyAdmins, onServer, raceDatabase } from "../support/race.ts";
import { actorFor } from "../support/actors.ts";
import { deleteUsers } from "../../app/users/delete.server.ts";
import { restoreUser } from "../../app/users/deleted.server.ts";

const NOW = new Date("2026-11-27T12:00:00Z");
const t = raceDatabase(6, NOW);

const userOf = (email: string) =>
  t.db
    .selectFrom("users")
    .select(["id", "company_id", "office_id"])
    .where("email", "=", email)
    .executeTakeFirstOrThrow();
/** Each of the two deletes the other, at once; both requests answer (no deadlock, no error). */
async function deleteEachOther(a: string, b: string) {
  const [actorA, actorB] = await Promise.all([actorFor(t.db, a, NOW), actorFor(t.db, b, NOW)]);
  const [userA, userB] = await Promise.all([userOf(a), userOf(b)]);
  const [byA, byB] = await Promise.all([
    deleteUsers(t.db, actorA, [userB.id], "keep", NOW),
    deleteUsers(t.db, actorB, [userA.id], "keep", NOW),
  ]);
  return [byA.outcomes[0]!, byB.outcomes[0]!].sort((x, y) => x.outcome.localeCompare(y.outcome));
}

describe.runIf(onServer)("two admins deleting each other at the same instant", () => {
  it("two Company Admins: exactly one succeeds, and one active Company Admin remains", async () => {
    const acme = (await userOf("ada@acme.test")).company_id;
    for (const [a, b] of ADMIN_PAIRS) {
      await onlyCompanyAdmins(t.db, acme, a, b);
      const [done, skipped] = await deleteEachOther(a, b);
      expect([done!.outcome, skipped!.outcome, skipped!.detail], `${a} and ${b}`).toEqual([
        "done",
        "skipped",
        "This would remove the last active Company Admin.",
      ]);
      expect(await activeCount(t.db, acme, true)).toBe(1);
    }
  });

  it("the last two active users of a company's only office: exactly one succeeds, and one remains", async () => {
    // Globex (one office), down to Walter and Homer, both Office Admins of Springfield. Its Company Admin
    // is made a plain user first, so the rule that holds here is the office's own, not the Company Admin's.
    const gina = await userOf("gina@globex.test");
    const [walter, homer] = await Promise.all([userOf("walter@globex.test"), userOf("homer@globex.test")]);
    await t.db
      .insertInto("office_admins")
      .values([walter, homer].map((u) => ({ user_id: u.id, office_id: u.office_id, granted_at: NOW })))
      .execute();
    await t.db.updateTable("users").set({ is_company_admin: false }).where("id", "=", gina.id).execute();
    const others = await t.db
      .selectFrom("users")
      .select("id")
      .where("company_id", "=", gina.company_id)
      .where("status", "<>", "deleted")
      .where("id", "not in", [walter.id, homer.id])
      .execute();
    const setup = await deleteUsers(
      t.db,
      await actorFor(t.db, "walter@globex.test", NOW),
      others.map((u) => u.id),
      "keep",
      NOW,
    );
    expect(setup.outcomes.every((o) => o.outcome === "done")).toBe(true);
    expect(await activeCount(t.db, gina.company_id, false)).toBe(2);

    for (let round = 0; round < 5; round++) {
      const [done, skipped] = await deleteEachOther("walter@globex.test", "homer@globex.test");
      expect([done!.outcome, skipped!.outcome, skipped!.detail], `round ${round}`).toEqual([
        "done",
        "skipped",
        "This would remove the last active user of the company's only office.",
      ]);
      expect(await activeCount(t.db, gina.company_id, false)).toBe(1);
      // The one left restores the other (their license was kept) for the next round.
      const survivor = done!.id === walter.id ? "homer@globex.test" : "walter@globex.test";
      const restored = await restoreUser(t.db, await actorFor(t.db, survivor, NOW), done!.id, NOW);
      expect(restored.ok).toBe(true);
    }
  });
});
