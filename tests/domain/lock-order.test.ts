/**
 * Lock order, on the PostgreSQL server only (PGlite is one connection, where
 * nothing runs at once). Every transaction takes its row locks in one order:
 * the company, then users (FOR NO KEY UPDATE, so that the foreign-key checks
 * of the audit entries and invites that name them do not wait), then numbers,
 * then pools; and a company's anonymizations take turns. Each test forces
 * the one interleaving that deadlocked (40P01)
 * while one path took them out of that order: a gate connection holds a row
 * lock, the first transaction waits on it holding what it locked before, the
 * second starts and either finishes or waits too; the gate lets go and both
 * must succeed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import pg from "pg";
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import { seedDemo } from "../../db/seed/demo.ts";
import { freshDatabase, serverUrl, type TestDatabase } from "../support/db.ts";
import { actorFor } from "../support/actors.ts";
import { acmeOfficeId, userIdOf } from "../support/demo.ts";
import { bearer } from "../support/scim-world.ts";
import { untilLocksWait } from "../support/race.ts";
import type { Actor } from "../../app/auth/actor.server.ts";
import { addUser } from "../../app/users/add.server.ts";
import { reassignNumber } from "../../app/numbers/reassign.server.ts";
import { deleteUsers } from "../../app/users/delete.server.ts";
import { changeAdminAccess } from "../../app/users/admin-access.server.ts";
import { createToken } from "../../app/provisioning/tokens.server.ts";
import { scimActor } from "../../app/scim/actor.server.ts";
import { createUser } from "../../app/scim/users.server.ts";
import { EXTENSION_SCHEMA, USER_SCHEMA } from "../../app/scim/mapping.ts";
import { reviewedImport } from "../support/imports.ts";
import { confirmImport } from "../../app/users/import-confirm.server.ts";
import { permanentlyDelete, restoreUser } from "../../app/users/deleted.server.ts";
import { ANONYMIZING } from "../../app/users/anonymize.server.ts";
import { previewTransfer, startTransferReview, transferUser } from "../../app/users/transfer.server.ts";

const NOW = new Date("2026-11-27T12:00:00Z");
const OUTBOX_DIR = `.tmp/lock-order-test-${process.pid}`;
const ORIGIN = "http://switchboard.test";
const HEADER = "First name,Last name,Email,Office,License,Extension,Job title";

describe.runIf(!!process.env.DATABASE_URL)("lock order on the PostgreSQL server", () => {
  let t: TestDatabase | undefined;
  let gate: pg.Client | undefined;

  beforeAll(() => {
    process.env.DATA_DIR = OUTBOX_DIR;
  });
  afterEach(async () => {
    await gate?.end().catch(() => undefined);
    gate = undefined;
    await t?.close();
    t = undefined;
  });
  afterAll(() => rmSync(OUTBOX_DIR, { recursive: true, force: true }));

  /** A fresh demo database, with seats to spare everywhere so that no refusal ends a transaction early. */
  async function demo(): Promise<Kysely<Database>> {
    t = await freshDatabase({ poolSize: 6 });
    await seedDemo(t.db, NOW);
    await t.db
      .updateTable("license_pools")
      .set((eb) => ({ purchased: eb("purchased", "+", 20) }))
      .execute();
    return t.db;
  }

  /** The gate: another connection, in a transaction holding the lock `statement` takes. */
  async function hold(statement: string, params: unknown[]): Promise<pg.Client> {
    gate = new pg.Client({ connectionString: serverUrl(t!.name) });
    await gate.connect();
    await gate.query("begin");
    await gate.query(statement, params);
    return gate;
  }

  /**
   * `first` starts and waits on the gate, holding what it locked before; `second` starts and
   * either finishes or waits too; then the gate lets go. Both must succeed: PostgreSQL ends one
   * of two transactions that wait on each other after deadlock_timeout (1 s), with 40P01.
   */
  async function interleaved<A, B>(first: () => Promise<A>, second: () => Promise<B>): Promise<[A, B]> {
    const a = Promise.allSettled([first()]);
    await untilLocksWait(t!.db, 1, "the first transaction to wait on the gate");
    let settled = false;
    const b = Promise.allSettled([second()]).finally(() => (settled = true));
    await Promise.race([
      b,
      untilLocksWait(t!.db, 2, "the second transaction to finish or wait", () => settled),
    ]);
    await gate!.query("commit");
    const [[x], [y]] = await Promise.all([a, b]);
    const failures = [x, y].flatMap((s) =>
      s.status === "rejected" ? [`${(s.reason as { code?: string }).code}: ${String(s.reason)}`] : [],
    );
    expect(failures).toEqual([]);
    return [(x as PromiseFulfilledResult<A>).value, (y as PromiseFulfilledResult<B>).value];
  }

  /** The reserved numbers of an office nobody holds, of one kind, in id order (the order they are locked). */
  const freeReserved = (db: Kysely<Database>, officeId: number, kind: "local" | "fax" = "local") =>
    db
      .selectFrom("phone_numbers")
      .select("id")
      .where("office_id", "=", officeId)
      .where("state", "=", "reserved")
      .where("kind", "=", kind)
      .where("held_for_user_id", "is", null)
      .orderBy("id")
      .execute();

  /** A reserved number added to an office's pool (its id the highest yet). */
  const reserve = (
    db: Kysely<Database>,
    actor: Actor,
    officeId: number,
    e164: string,
    more: { kind?: "local" | "fax"; country?: string; heldFor?: { id: number; name: string } } = {},
  ) =>
    db
      .insertInto("phone_numbers")
      .values({
        company_id: actor.company.id,
        office_id: officeId,
        e164,
        country: more.country ?? "US",
        kind: more.kind ?? "local",
        state: "reserved",
        assigned_user_id: null,
        assigned_group_id: null,
        addon_license_type: null,
        last_holder_user_id: more.heldFor?.id ?? null,
        last_holder_name: more.heldFor?.name ?? null,
        last_office_id: null,
        unassigned_at: null,
        held_for_user_id: more.heldFor?.id ?? null,
        held_until: more.heldFor ? new Date(NOW.getTime() + 24 * 3600_000) : null,
        released_at: null,
        created_at: NOW,
      })
      .returning("id")
      .executeTakeFirstOrThrow()
      .then((n) => n.id);

  /** An import reviewed and ready to confirm: its job and the key the review page carries. */
  async function reviewedLines(db: Kysely<Database>, actor: Actor, lines: string[]) {
    const { jobId, result } = await reviewedImport(db, actor, [HEADER, ...lines].join("\n"), NOW);
    expect(result.errors).toBe(0);
    return { jobId, key: result.key, add: result.add, update: result.update };
  }

  /** What a bulk action did to each user, by id. */
  const outcomesOf = (result: { outcomes: { id: number; outcome: string }[] }) =>
    Object.fromEntries(result.outcomes.map((o) => [o.id, o.outcome]));

  it("an admin made the target of a reassignment can still add a user: the target's row is locked for no key update, which the audit entry's foreign key does not wait for", async () => {
    const db = await demo();
    const [ada, oscar] = await Promise.all([
      actorFor(db, "ada@acme.test", NOW),
      actorFor(db, "oscar@acme.test", NOW),
    ]);
    const sf = await acmeOfficeId(db, "San Francisco");
    const [number] = await freeReserved(db, sf);
    await hold("select 1 from phone_numbers where id = $1 for update", [number!.id]);

    const [reassigned, added] = await interleaved(
      // Locks Ada's row, then waits for the number.
      () => reassignNumber(db, oscar, number!.id, { target: `user:${ada.person.id}`, as: "additional" }, NOW),
      // Locks San Francisco's pools; its invite and audit entry name Ada.
      () =>
        addUser(
          db,
          ada,
          {
            officeId: sf,
            firstName: "Nell",
            lastName: "Ward",
            email: "nell.ward@acme.test",
            licenseType: "sell",
            number: "none",
          },
          ORIGIN,
          NOW,
        ),
    );
    expect(reassigned).toMatchObject({ ok: true });
    expect(added).toMatchObject({ ok: true, name: "Nell Ward" });
    const after = await db
      .selectFrom("phone_numbers")
      .select("assigned_user_id")
      .where("id", "=", number!.id)
      .executeTakeFirstOrThrow();
    expect(after.assigned_user_id).toBe(ada.person.id);
  });

  it("a SCIM create of a deactivated user takes the company before the office's pools, as a deletion in that office does", async () => {
    const db = await demo();
    const ada = await actorFor(db, "ada@acme.test", NOW);
    const made = await createToken(db, ada, { name: "Okta" }, NOW);
    if (!made.ok) throw new Error(made.message);
    const okta = await scimActor(db, bearer(made.token), null, NOW);
    const call = { db, actor: okta, origin: ORIGIN, baseUrl: `${ORIGIN}/scim/v2`, now: NOW };
    const uma = await userIdOf(db, "uma@acme.test");
    await hold("select 1 from users where id = $1 for update", [uma]);

    const [deleted, created] = await interleaved(
      // Holds the company, waits for Uma.
      () => deleteUsers(db, ada, [uma], "keep", NOW),
      // Adds in San Francisco, then suspends (suspendUserIn locks the company).
      () =>
        createUser(call, {
          schemas: [USER_SCHEMA, EXTENSION_SCHEMA],
          userName: "zed@acme.test",
          name: { givenName: "Zed", familyName: "Zero" },
          emails: [{ value: "zed@acme.test", primary: true }],
          active: false,
          [EXTENSION_SCHEMA]: { office: "San Francisco", license: "connect" },
        }),
    );
    expect(outcomesOf(deleted)).toEqual({ [uma]: "done" });
    expect(created).toMatchObject({ userName: "zed@acme.test", active: false });
  });

  it("an import locks the users it updates before numbers and pools, so a deletion of one of them waits for the import instead of deadlocking with it", async () => {
    const db = await demo();
    const ada = await actorFor(db, "ada@acme.test", NOW);
    const austin = await acmeOfficeId(db, "Austin");
    const uma = await db
      .selectFrom("users")
      .select(["id", "extension"])
      .where("email", "=", "uma@acme.test")
      .executeTakeFirstOrThrow();
    const grace = await userIdOf(db, "grace@acme.test");
    // Two of Austin's reserved numbers: Grace (pending, so anonymized when deleted) once held the first.
    const [once, last] = await freeReserved(db, austin);
    await db
      .updateTable("phone_numbers")
      .set({ last_holder_user_id: grace, last_holder_name: "Grace Liu" })
      .where("id", "=", once!.id)
      .execute();
    const { jobId, key, ...review } = await reviewedLines(db, ada, [
      `Uma,Patel,uma@acme.test,San Francisco,Connect,${uma.extension ?? ""},Senior Account Executive`,
      "Ines,Duarte,ines.duarte@acme.test,Austin,Connect,,Buyer",
    ]);
    expect(review).toEqual({ add: 1, update: 1 });
    await hold("select 1 from phone_numbers where id = $1 for update", [last!.id]);

    const [imported, deleted] = await interleaved(
      // Holds Uma, then Austin's reserved numbers in id order: waits for the last.
      () => confirmImport(db, ada, jobId, key, ORIGIN, NOW),
      // Holds the company and waits for Uma (it would lock Grace's old number, then the pools).
      () => deleteUsers(db, ada, [uma.id, grace], "keep", NOW),
    );
    expect(imported).toEqual({ ok: true, added: 1, updated: 1 });
    expect(outcomesOf(deleted)).toEqual({ [uma.id]: "done", [grace]: "done" });
  });

  it("two admins' bulk admin-access changes, each selecting the other, lock their targets for no key update: neither audit entry waits on the other's", async () => {
    const db = await demo();
    await db
      .updateTable("users")
      .set({ is_company_admin: true })
      .where("email", "=", "priya@acme.test")
      .execute();
    const [ada, priya] = await Promise.all([
      actorFor(db, "ada@acme.test", NOW),
      actorFor(db, "priya@acme.test", NOW),
    ]);
    const [marcus, mei] = await Promise.all([
      userIdOf(db, "marcus@acme.test"),
      userIdOf(db, "mei@acme.test"),
    ]);
    await hold("select 1 from users where id = $1 for update", [mei]);

    const [byPriya, byAda] = await interleaved(
      // Locks Ada's row, waits for Mei's.
      () => changeAdminAccess(db, priya, [ada.person.id, mei], "add", NOW),
      // Locks Priya's and Marcus's rows; its audit entry names Ada.
      () => changeAdminAccess(db, ada, [priya.person.id, marcus], "add", NOW),
    );
    // Each skips the other, a Company Admin already.
    expect(outcomesOf(byPriya)).toEqual({ [ada.person.id]: "skipped", [mei]: "done" });
    expect(outcomesOf(byAda)).toEqual({ [priya.person.id]: "skipped", [marcus]: "done" });
    expect(byPriya.auditId).not.toBeNull();
    expect(byAda.auditId).not.toBeNull();
  });

  it("an admin being deleted can still add a user: the deletion locks them for no key update, which the invite's and audit entry's foreign keys do not wait for", async () => {
    const db = await demo();
    const [ada, oscar] = await Promise.all([
      actorFor(db, "ada@acme.test", NOW),
      actorFor(db, "oscar@acme.test", NOW),
    ]);
    const sf = await acmeOfficeId(db, "San Francisco");
    const jasper = await userIdOf(db, "jasper@acme.test");
    // Jasper is pending: deleted, he is anonymized, and the number he once held is locked (lockHolders).
    const numbers = await freeReserved(db, sf);
    const held = numbers[numbers.length - 1]!;
    await db
      .updateTable("phone_numbers")
      .set({ last_holder_user_id: jasper, last_holder_name: "Jasper Quinn" })
      .where("id", "=", held.id)
      .execute();
    await hold("select 1 from phone_numbers where id = $1 for update", [held.id]);

    const [deleted, added] = await interleaved(
      // Holds the company, Oscar and Jasper; waits for the number.
      () => deleteUsers(db, ada, [oscar.person.id, jasper], "keep", NOW),
      // Locks San Francisco's pools; its invite and audit entry name Oscar.
      () =>
        addUser(
          db,
          oscar,
          {
            officeId: sf,
            firstName: "Nell",
            lastName: "Ward",
            email: "nell.ward@acme.test",
            licenseType: "connect",
            number: "none",
          },
          ORIGIN,
          NOW,
        ),
    );
    expect(outcomesOf(deleted)).toEqual({ [oscar.person.id]: "done", [jasper]: "done" });
    expect(added).toMatchObject({ ok: true, name: "Nell Ward" });
  });

  it("a transfer confirmation locks the number its review holds before the pools, as an import adding in that office does", async () => {
    const db = await demo();
    const ada = await actorFor(db, "ada@acme.test", NOW);
    const toronto = await acmeOfficeId(db, "Toronto");
    const uma = await userIdOf(db, "uma@acme.test");
    await startTransferReview(db, ada, [uma], toronto, NOW);
    const preview = await previewTransfer(db, ada, uma, toronto, NOW);
    expect(preview?.refusal).toBeFalsy();
    const heldE164 = preview!.newNumber!.e164;
    const held = await db
      .selectFrom("phone_numbers")
      .select("id")
      .where("e164", "=", heldE164)
      .executeTakeFirstOrThrow();
    // A reserved Toronto number after the held one: the import locks the held one, then waits for this.
    const after = await reserve(db, ada, toronto, "+14165550999", { country: "CA" });
    expect(after).toBeGreaterThan(held.id);
    const { jobId, key } = await reviewedLines(db, ada, [
      "Ines,Duarte,ines.duarte@acme.test,Toronto,Connect,,Buyer",
    ]);
    await hold("select 1 from phone_numbers where id = $1 for update", [after]);

    const [imported, transferred] = await interleaved(
      // Holds Toronto's reserved numbers up to the gate's, the held one among them.
      () => confirmImport(db, ada, jobId, key, ORIGIN, NOW),
      // Holds Uma, then waits for the held number (it would lock Toronto's pools next).
      () => transferUser(db, ada, uma, { office: toronto, seen: preview!.key }, NOW),
    );
    expect(imported).toEqual({ ok: true, added: 1, updated: 0 });
    expect(transferred).toMatchObject({ ok: true });
    const moved = await db
      .selectFrom("phone_numbers")
      .select("assigned_user_id")
      .where("id", "=", held.id)
      .executeTakeFirstOrThrow();
    expect(moved.assigned_user_id).toBe(uma);
  });

  it("a restore locks the numbers held for its user in id order before it takes them, the order an import adding in that office locks them", async () => {
    const db = await demo();
    const ada = await actorFor(db, "ada@acme.test", NOW);
    const sf = await acmeOfficeId(db, "San Francisco");
    const sienna = await userIdOf(db, "sienna@acme.test");
    const heldFor = { id: sienna, name: "Sienna Walsh" };
    // Ids in the order b < gate < a, e164s in the order a < b: by e164 a restore locks a then b,
    // an import (id order) b, the gate's, then a.
    const b = await reserve(db, ada, sf, "+14150000002", { kind: "fax", heldFor });
    const gateNumber = await reserve(db, ada, sf, "+14150000003", { kind: "fax" });
    const a = await reserve(db, ada, sf, "+14150000001", { kind: "fax", heldFor });
    const { jobId, key } = await reviewedLines(db, ada, [
      "Ines,Duarte,ines.duarte@acme.test,San Francisco,Connect,,Buyer",
    ]);
    await hold("select 1 from phone_numbers where id = $1 for update", [gateNumber]);

    const [imported, restored] = await interleaved(
      // Holds b (and San Francisco's reserved numbers before it), waits for the gate's.
      () => confirmImport(db, ada, jobId, key, ORIGIN, NOW),
      // Waits for b (in e164 order it would hold a first).
      () => restoreUser(db, ada, sienna, NOW),
    );
    expect(imported).toEqual({ ok: true, added: 1, updated: 0 });
    expect(restored).toMatchObject({ ok: true, name: "Sienna Walsh" });
    const back = await db
      .selectFrom("phone_numbers")
      .select(["id", "assigned_user_id"])
      .where("id", "in", [a, b])
      .execute();
    expect(back.map((n) => n.assigned_user_id)).toEqual([sienna, sienna]);
  });

  it("anonymizations in one company take turns: a permanent delete waits while another is under way, then completes", async () => {
    // Two at once update the audit entries and proxy sessions that mention their people in whatever order
    // their plans visit them; one entry about people of both could make each wait for the other.
    const db = await demo();
    const ada = await actorFor(db, "ada@acme.test", NOW);
    const sienna = await userIdOf(db, "sienna@acme.test");
    await hold("select pg_advisory_xact_lock($1::int, $2::int)", [ANONYMIZING, ada.company.id]);
    const deleting = permanentlyDelete(db, ada, sienna, NOW);
    await untilLocksWait(t!.db, 1, "the permanent delete to wait for its turn");
    await gate!.query("commit");
    expect(await deleting).toMatchObject({ ok: true, name: "Sienna Walsh" });
  });
});
