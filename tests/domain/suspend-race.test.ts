/**
 * Suspensions at the same instant, on a PostgreSQL server only (PGlite is one
 * connection, where nothing runs at once). Reactivation reads the pools after
 * locking them (missingSeats), so of two reactivations for the last seat the
 * second sees the first's: it is refused with the words a person reads, not
 * by the schema's overspend check. Suspension locks the company first, as
 * deletions do, so two Company Admins suspending each other leave one; and
 * a SCIM PUT or PATCH locks the company before the user, as a deletion does,
 * so the two never wait on each other (a deadlock, answered 500).
 */
import { describe, expect, it } from "vitest";
import { onServer, raceDatabase, untilLocksWait } from "../support/race.ts";
import { actorFor } from "../support/actors.ts";
import { acmeOfficeId, userIdOf } from "../support/demo.ts";
import { reactivateUser, suspendUser } from "../../app/users/suspend.server.ts";
import { deleteUsers } from "../../app/users/delete.server.ts";
import { createToken } from "../../app/provisioning/tokens.server.ts";
import { scimActor } from "../../app/scim/actor.server.ts";
import { patchUser } from "../../app/scim/users.server.ts";
import { bearer } from "../support/scim-world.ts";

const NOW = new Date("2026-11-27T12:00:00Z");
const t = raceDatabase(6, NOW);

const statusOf = (id: number) =>
  t.db
    .selectFrom("users")
    .select("status")
    .where("id", "=", id)
    .executeTakeFirstOrThrow()
    .then((u) => u.status);

describe.runIf(onServer)("on the PostgreSQL server", () => {
  it("two reactivations for the last seat: one wins, the other is told there is no seat", async () => {
    const [ada, oscar] = await Promise.all([
      actorFor(t.db, "ada@acme.test", NOW),
      actorFor(t.db, "oscar@acme.test", NOW),
    ]);
    const sf = await acmeOfficeId(t.db, "San Francisco");
    // Two Connect users of San Francisco without a Meetings seat.
    const [uma, noah] = await Promise.all([
      userIdOf(t.db, "uma@acme.test"),
      userIdOf(t.db, "noah@acme.test"),
    ]);
    for (const id of [uma, noah]) expect(await suspendUser(t.db, ada, id, NOW)).toMatchObject({ ok: true });
    // One seat left for the two of them.
    const pool = await t.db
      .selectFrom("license_pools")
      .select(["assigned"])
      .where("office_id", "=", sf)
      .where("license_type", "=", "connect")
      .executeTakeFirstOrThrow();
    await t.db
      .updateTable("license_pools")
      .set({ purchased: pool.assigned + 1 })
      .where("office_id", "=", sf)
      .where("license_type", "=", "connect")
      .execute();

    for (let round = 0; round < 3; round++) {
      const [byAda, byOscar] = await Promise.all([
        reactivateUser(t.db, ada, uma, NOW),
        reactivateUser(t.db, oscar, noah, NOW),
      ]);
      const [winner, loser, lost] = byAda.ok ? [uma, noah, byOscar] : [noah, uma, byAda];
      expect([byAda.ok, byOscar.ok].sort()).toEqual([false, true]);
      expect(lost).toMatchObject({ ok: false, kind: "refused" });
      expect(!lost.ok && lost.message).toMatch(
        /cannot be reactivated: San Francisco has no unassigned Connect license\./,
      );
      expect(await statusOf(winner)).toBe("active");
      expect(await statusOf(loser)).toBe("suspended");
      expect(
        await t.db
          .selectFrom("audit_log")
          .select("target_id")
          .where("action", "=", "user.reactivated")
          .where("created_at", "=", NOW)
          .where("target_id", "in", [String(uma), String(noah)])
          .execute(),
      ).toHaveLength(round + 1);
      // The winner is suspended again for the next round.
      expect(await suspendUser(t.db, ada, winner, NOW)).toMatchObject({ ok: true });
    }
  });

  it("two Company Admins suspending each other at once: exactly one succeeds", async () => {
    const walter = await userIdOf(t.db, "walter@globex.test");
    await t.db.updateTable("users").set({ is_company_admin: true }).where("id", "=", walter).execute();
    const [gina, walterActor] = await Promise.all([
      actorFor(t.db, "gina@globex.test", NOW),
      actorFor(t.db, "walter@globex.test", NOW),
    ]);
    const [byGina, byWalter] = await Promise.all([
      suspendUser(t.db, gina, walter, NOW),
      suspendUser(t.db, walterActor, gina.person.id, NOW),
    ]);
    expect([byGina.ok, byWalter.ok].sort()).toEqual([false, true]);
    const lost = byGina.ok ? byWalter : byGina;
    expect(!lost.ok && lost.message).toMatch(/this would remove the last active Company Admin\.$/);
    const statuses = [await statusOf(gina.person.id), await statusOf(walter)].sort();
    expect(statuses).toEqual(["active", "suspended"]);
  });

  it("a SCIM deactivation and a deletion of one user at once: no deadlock, one after the other", async () => {
    const ada = await actorFor(t.db, "ada@acme.test", NOW);
    const made = await createToken(t.db, ada, { name: "Okta" }, NOW);
    if (!made.ok) throw new Error(made.message);
    const okta = await scimActor(t.db, bearer(made.token), null, NOW);
    const call = {
      db: t.db,
      actor: okta,
      origin: "http://sb.test",
      baseUrl: "http://sb.test/scim/v2",
      now: NOW,
    };
    const target = await userIdOf(t.db, "kwame@acme.test");
    const patch = (op: Record<string, unknown>) =>
      patchUser(call, String(target), {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        Operations: [op],
      });
    // Known to SCIM by a userName of its own: the PATCH then locks their identity row too.
    await patch({ op: "replace", path: "userName", value: "kwame.okta" });

    // A third transaction holds that identity row, so that the deactivation stops there, after
    // it has locked what it locks first, while the deletion starts. Were the user locked before
    // the company, the deactivation would hold the user the deletion waits for, and then wait
    // for the company the deletion holds: a deadlock, one of them failing.
    let held!: () => void;
    let release!: () => void;
    const holding = new Promise<void>((r) => (held = r));
    const released = new Promise<void>((r) => (release = r));
    const holder = t.db.transaction().execute(async (tx) => {
      await tx
        .selectFrom("scim_identities")
        .select("user_id")
        .where("user_id", "=", target)
        .forUpdate()
        .execute();
      held();
      await released;
    });
    await holding;
    const deactivation = patch({ op: "replace", value: { active: false } });
    await untilLocksWait(t.db, 1, "1 sessions to wait for a lock");
    const deletion = deleteUsers(t.db, ada, [target], "keep", NOW);
    await untilLocksWait(t.db, 2, "2 sessions to wait for a lock");
    release();
    await holder;

    // The deactivation first (it had the company), then the deletion of the suspended user.
    const [answer, deleted] = await Promise.all([deactivation, deletion]);
    expect(answer.active).toBe(false);
    expect(deleted.outcomes).toMatchObject([{ id: target, outcome: "done" }]);
    expect(await statusOf(target)).toBe("deleted");
    const audited = await t.db
      .selectFrom("audit_log")
      .select("action")
      .where("target_id", "=", String(target))
      .where("action", "in", ["user.suspended", "user.deleted"])
      .orderBy("id")
      .execute();
    expect(audited.map((a) => a.action)).toEqual(["user.suspended", "user.deleted"]);
  });
});
