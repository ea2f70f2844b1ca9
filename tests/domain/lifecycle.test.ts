/**
 * The user lifecycle: delete (one or many), bulk admin access, restore
 * within 72 hours by the clock, anonymization everywhere, and the purge job.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { sql, type Kysely } from "kysely";
import fc from "fast-check";
import { freshDatabase, statementsOf, type TestDatabase } from "../support/db.ts";
import { actorFor } from "../support/actors.ts";
import { seedDemo } from "../../db/seed/demo.ts";
import { openDatabase } from "../../db/connect.ts";
import { seedScale } from "../../db/seed/scale.ts";
import type { Database } from "../../db/schema.ts";
import type { Actor } from "../../app/auth/actor.server.ts";
import { deleteUsers, planDeletion } from "../../app/users/delete.server.ts";
import { changeAdminAccess } from "../../app/users/admin-access.server.ts";
import { findDeleted, listDeleted, permanentlyDelete, restoreUser } from "../../app/users/deleted.server.ts";
import {
  anonymizeUsers,
  OWED_GRACE_MS,
  purgeExpired,
  vacuumErased,
  vacuumOwed,
} from "../../app/users/anonymize.server.ts";
import { untilLocksWait } from "../support/race.ts";
import { BULK_APPLY, enqueueBulk } from "../../app/users/bulk-job.server.ts";
import { MAX_ATTEMPTS, runJobs, type JobKind } from "../../app/jobs/runner.server.ts";
import { JOB_KINDS } from "../../app/jobs/kinds.server.ts";
import { loadSettings, updateSettings } from "../../app/settings/update.server.ts";
import { settingsSchema } from "../../app/settings/schema.ts";
import { planBulk } from "../../app/users/bulk.server.ts";
import { startProxy } from "../../app/proxy/session.server.ts";
import { removeNumber } from "../../app/numbers/remove.server.ts";
import { toPool } from "../../app/numbers/moves.server.ts";
import { reassignNumber } from "../../app/numbers/reassign.server.ts";

const HOUR = 3600_000;
const T0 = new Date("2026-06-01T12:00:00Z");
const at = (ms: number) => new Date(T0.getTime() + ms);

let t: TestDatabase;
let ada: Actor, olive: Actor, oscar: Actor;
beforeAll(async () => {
  t = await freshDatabase();
  await seedDemo(t.db, T0);
  [ada, olive, oscar] = await Promise.all(
    ["ada@acme.test", "olive@acme.test", "oscar@acme.test"].map((e) => actorFor(t.db, e, T0)),
  );
});
afterAll(() => t.close());

const user = (email: string) =>
  t.db.selectFrom("users").selectAll().where("email", "=", email).executeTakeFirstOrThrow();
const pool = (officeId: number, type: string) =>
  t.db
    .selectFrom("license_pools")
    .select(["purchased", "assigned"])
    .where("office_id", "=", officeId)
    .where("license_type", "=", type as never)
    .executeTakeFirstOrThrow();
const numbersOf = (userId: number) =>
  t.db
    .selectFrom("phone_numbers")
    .selectAll()
    .where((eb) => eb.or([eb("assigned_user_id", "=", userId), eb("held_for_user_id", "=", userId)]))
    .execute();

describe("deleting", () => {
  it("an active user: seat freed (kept purchased), numbers on hold in the pool, sessions ended, memberships kept, audited", async () => {
    const arjun = await user("arjun@acme.test");
    const before = await pool(arjun.office_id, "connect");
    const [number] = await numbersOf(arjun.id);
    const groupsBefore = await t.db
      .selectFrom("group_members")
      .select("group_id")
      .where("user_id", "=", arjun.id)
      .execute();
    await actorFor(t.db, "arjun@acme.test", T0); // a live session of theirs

    const { outcomes } = await deleteUsers(t.db, ada, [arjun.id], "keep", T0);
    expect(outcomes).toMatchObject([{ id: arjun.id, outcome: "done" }]);

    const after = await user("arjun@acme.test");
    expect(after).toMatchObject({ status: "deleted", deleted_by_user_id: ada.person.id });
    expect(await pool(arjun.office_id, "connect")).toEqual({
      purchased: before.purchased,
      assigned: before.assigned - 1,
    });
    const held = await t.db
      .selectFrom("phone_numbers")
      .selectAll()
      .where("id", "=", number!.id)
      .executeTakeFirstOrThrow();
    expect(held).toMatchObject({
      state: "reserved",
      assigned_user_id: null,
      held_for_user_id: arjun.id,
      last_holder_user_id: arjun.id,
      last_holder_name: "Arjun Singh",
      last_office_id: arjun.office_id,
    });
    expect(held.held_until!.getTime()).toBe(T0.getTime() + 72 * HOUR);
    expect(await t.db.selectFrom("sessions").select("id").where("user_id", "=", arjun.id).execute()).toEqual(
      [],
    );
    expect(
      await t.db.selectFrom("group_members").select("group_id").where("user_id", "=", arjun.id).execute(),
    ).toEqual(groupsBefore);
    const audit = await t.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "user.deleted")
      .where("target_id", "=", String(arjun.id))
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ actor_user_id: ada.person.id, target_label: "Arjun Singh" });
  });

  it("with the license removed: one fewer seat purchased", async () => {
    const emily = await user("emily@acme.test");
    const before = await pool(emily.office_id, "connect");
    await deleteUsers(t.db, ada, [emily.id], "remove", T0);
    expect(await pool(emily.office_id, "connect")).toEqual({
      purchased: before.purchased - 1,
      assigned: before.assigned - 1,
    });
  });

  it("a pending user: final at once, number straight to the pool, not restorable", async () => {
    const leila = await user("leila@acme.test");
    const [number] = await numbersOf(leila.id);
    await deleteUsers(t.db, ada, [leila.id], "keep", T0);
    const after = await t.db
      .selectFrom("users")
      .selectAll()
      .where("id", "=", leila.id)
      .executeTakeFirstOrThrow();
    expect(after.anonymized_at).not.toBeNull();
    expect(after.email).toBeNull();
    if (number) {
      const n = await t.db
        .selectFrom("phone_numbers")
        .selectAll()
        .where("id", "=", number.id)
        .executeTakeFirstOrThrow();
      expect(n).toMatchObject({
        state: "reserved",
        held_for_user_id: null,
        last_holder_name: "Deleted user",
      });
    }
    expect(await restoreUser(t.db, ada, leila.id, T0)).toMatchObject({ ok: false });
  });

  it("skips yourself and, for an Office Admin, Company Admins and other offices' users, without blocking the others", async () => {
    const [ruth, uma, adaRow] = await Promise.all([
      user("ruth@acme.test"),
      user("uma@acme.test"),
      user("ada@acme.test"),
    ]);
    const { outcomes } = await deleteUsers(
      t.db,
      olive,
      [olive.person.id, ruth.id, uma.id, adaRow.id],
      "keep",
      T0,
    );
    // Uma (San Francisco) and Ada are outside Olive's offices: not even listed.
    expect(outcomes.map((o) => [o.name, o.outcome, o.detail])).toEqual([
      ["Olive Bennett", "skipped", "You cannot delete yourself."],
      ["Ruth Abebe", "done", "Deleted. Can be restored for 72 hours."],
    ]);
    expect((await user("uma@acme.test")).status).toBe("active");

    const sf = await deleteUsers(t.db, oscar, [adaRow.id], "keep", T0);
    expect(sf.outcomes).toEqual([
      {
        id: adaRow.id,
        name: "Ada Lovelace",
        outcome: "skipped",
        detail: "Office Admins cannot delete a Company Admin.",
      },
    ]);
  });

  it("never removes the last active Company Admin nor the last active user of a company's only office", () => {
    const target = (id: number, isCompanyAdmin: boolean) => ({
      id,
      name: `U${id}`,
      email: "",
      status: "active" as const,
      isCompanyAdmin,
      isOfficeAdmin: false,
      officeId: 1,
      officeName: "",
      licenseType: "connect" as const,
    });
    const someone = { ...ada, person: { ...ada.person, id: 999 } };
    expect(
      planDeletion(someone, [target(1, true)], { activeCompanyAdmins: 1, activeUsers: 5, offices: 2 })[0]!
        .detail,
    ).toBe("This would remove the last active Company Admin.");
    const two = planDeletion(someone, [target(1, false), target(2, false)], {
      activeCompanyAdmins: 1,
      activeUsers: 2,
      offices: 1,
    });
    expect(two.map((o) => o.outcome)).toEqual(["done", "skipped"]);
    expect(two[1]!.detail).toBe("This would remove the last active user of the company's only office.");
  });

  it("a bulk delete of 1,000 users runs as many statements as a bulk delete of 100", async () => {
    const counted = (n: number) =>
      statementsOf(
        async (db) => {
          await seedDemo(db, T0);
          await seedScale(db, n, () => undefined);
          const me = await actorFor(db, "ada@acme.test", T0);
          const ids = (
            await db.selectFrom("users").select("id").where("email", "like", "%.%@acme.test").execute()
          ).map((r) => r.id);
          expect(ids).toHaveLength(n);
          // Both sizes hold pending users (deleted for good at once) and active ones.
          const statuses = await db
            .selectFrom("users")
            .select("status")
            .distinct()
            .where("id", "in", ids)
            .execute();
          expect(statuses.map((s) => s.status).sort()).toEqual(["active", "pending"]);
          return { me, ids };
        },
        async (db, { me, ids }) => {
          const { outcomes } = await deleteUsers(db, me, ids, "remove", T0);
          expect(outcomes.filter((o) => o.outcome === "done")).toHaveLength(n);
        },
      );
    const small = await counted(100);
    const large = await counted(1000);
    expect(large).toBe(small);
    expect(small).toBeLessThan(36); // a sanity bound: the count must not grow with the batch
  });
});

describe("bulk admin access", () => {
  it("makes active users Office Admins of their own office, skipping pending users and Company Admins; and removes it", async () => {
    const [camille, jasper, adaRow] = await Promise.all([
      user("camille@acme.test"),
      user("jasper@acme.test"),
      user("ada@acme.test"),
    ]);
    const added = await changeAdminAccess(t.db, ada, [camille.id, jasper.id, adaRow.id], "add", T0);
    expect(added.outcomes.map((o) => [o.name, o.outcome])).toEqual([
      ["Ada Lovelace", "skipped"],
      ["Camille Tremblay", "done"],
      ["Jasper Quinn", "skipped"],
    ]);
    expect(added.outcomes.find((o) => o.id === jasper.id)!.detail).toMatch(/Pending/);
    expect(
      await t.db.selectFrom("office_admins").select("office_id").where("user_id", "=", camille.id).execute(),
    ).toEqual([{ office_id: camille.office_id }]);
    const again = await changeAdminAccess(t.db, ada, [camille.id], "add", T0);
    expect(again.outcomes[0]).toMatchObject({
      outcome: "skipped",
      detail: "Already an Office Admin of Toronto.",
    });
    const removed = await changeAdminAccess(t.db, ada, [camille.id], "remove", T0);
    expect(removed.outcomes[0]!.outcome).toBe("done");
    expect(
      await t.db.selectFrom("office_admins").select("office_id").where("user_id", "=", camille.id).execute(),
    ).toEqual([]);
  });

  it("records no result when it changes nobody (a replayed confirmation, or ids not yours)", async () => {
    const [mathieu, walter] = await Promise.all([user("mathieu@acme.test"), user("walter@globex.test")]);
    expect(await changeAdminAccess(t.db, ada, [mathieu.id], "add", T0)).toMatchObject({
      auditId: expect.any(Number),
      outcomes: [{ outcome: "done" }],
    });
    const count = () =>
      t.db
        .selectFrom("audit_log")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow();
    const before = await count();
    expect(await changeAdminAccess(t.db, ada, [mathieu.id], "add", T0)).toMatchObject({
      auditId: null,
      outcomes: [{ outcome: "skipped" }],
    });
    expect(await changeAdminAccess(t.db, ada, [walter.id], "remove", T0)).toEqual({
      auditId: null,
      outcomes: [],
    });
    expect(await deleteUsers(t.db, ada, [walter.id], "keep", T0)).toEqual({ auditId: null, outcomes: [] });
    expect(await count()).toEqual(before);
  });

  it("skips removing your own admin access: an Office Admin cannot take away their own", async () => {
    const removed = await changeAdminAccess(t.db, oscar, [oscar.person.id], "remove", T0);
    expect(removed).toEqual({
      auditId: null,
      outcomes: [
        {
          id: oscar.person.id,
          name: "Oscar Martínez",
          outcome: "skipped",
          detail: "You cannot remove your own admin access.",
        },
      ],
    });
    expect(
      await t.db
        .selectFrom("office_admins")
        .select("user_id")
        .where("user_id", "=", oscar.person.id)
        .execute(),
    ).not.toEqual([]);
  });

  it("the confirmation plan matches what is then done", async () => {
    const yuki = await user("yuki@acme.test");
    const plan = await planBulk(t.db, ada, "add_admin", [yuki.id]);
    const done = await changeAdminAccess(t.db, ada, [yuki.id], "add", T0);
    expect(done.outcomes).toEqual(plan.outcomes);
  });
});

describe("restoring", () => {
  it("works at 71 h 59 min, giving back seat, numbers and groups", async () => {
    const owen = await user("owen@acme.test");
    const numbers = await numbersOf(owen.id);
    const seats = await pool(owen.office_id, "sell");
    await deleteUsers(t.db, ada, [owen.id], "keep", T0);
    expect(await restoreUser(t.db, ada, owen.id, at(71 * HOUR + 59 * 60_000))).toEqual({
      ok: true,
      name: "Owen MacDonald",
    });
    expect(await user("owen@acme.test")).toMatchObject({ status: "active", deleted_at: null });
    expect(await pool(owen.office_id, "sell")).toEqual(seats);
    expect(
      (await numbersOf(owen.id)).map((n) => [n.e164, n.state, n.assigned_user_id, n.held_for_user_id]),
    ).toEqual(numbers.map((n) => [n.e164, "assigned", owen.id, null]));
    expect(
      await t.db.selectFrom("group_members").select("group_id").where("user_id", "=", owen.id).execute(),
    ).toHaveLength(2);
  });

  it("is refused at 72 h 0 min 1 s even though the job has not run, and the user is no longer listed", async () => {
    const ryan = await user("ryan@acme.test");
    await deleteUsers(t.db, ada, [ryan.id], "keep", T0);
    const late = at(72 * HOUR + 1000);
    expect((await listDeleted(t.db, ada, at(71 * HOUR))).users.map((u) => u.name)).toContain("Ryan Murphy");
    expect((await listDeleted(t.db, ada, late)).users.map((u) => u.name)).not.toContain("Ryan Murphy");
    expect(await restoreUser(t.db, ada, ryan.id, late)).toEqual({
      ok: false,
      kind: "refused",
      message: "This user can no longer be restored: the 72 hours have passed.",
    });
    expect((await user("ryan@acme.test")).anonymized_at).toBeNull(); // the job has not run
  });

  it("answers a user who is not among the actor's Deleted Users as such", async () => {
    for (const email of ["walter@globex.test", "uma@acme.test"]) {
      expect(await restoreUser(t.db, ada, (await user(email)).id, T0)).toEqual({
        ok: false,
        kind: "refused",
        message: "This user is not among your Deleted Users.",
      });
    }
  });

  it("needs a free seat of their license type in their office", async () => {
    const sofia = await user("sofia@acme.test");
    await deleteUsers(t.db, ada, [sofia.id], "keep", T0);
    const seats = await pool(sofia.office_id, "support");
    // Someone else takes every free Support seat of Toronto meanwhile.
    await t.db
      .updateTable("license_pools")
      .set({ purchased: seats.assigned })
      .where("office_id", "=", sofia.office_id)
      .where("license_type", "=", "support")
      .execute();
    expect(await restoreUser(t.db, ada, sofia.id, at(HOUR))).toEqual({
      ok: false,
      kind: "refused",
      message:
        "Sofia Costa cannot be restored: Toronto has no unassigned Support license. Free one, or buy or transfer one in Company Settings › Licenses.",
    });
    expect((await user("sofia@acme.test")).status).toBe("deleted");
  });

  it("needs the add-on seats their held numbers take again (a Sell user's Local number add-on)", async () => {
    const diego = await user("diego@acme.test");
    const addons = (await numbersOf(diego.id)).filter((n) => n.addon_license_type === "local_number");
    expect(addons.length).toBeGreaterThan(0);
    await deleteUsers(t.db, ada, [diego.id], "keep", T0);
    const seats = await pool(diego.office_id, "local_number");
    await t.db
      .updateTable("license_pools")
      .set({ purchased: seats.assigned + addons.length - 1 })
      .where("office_id", "=", diego.office_id)
      .where("license_type", "=", "local_number")
      .execute();
    expect(await restoreUser(t.db, ada, diego.id, at(HOUR))).toMatchObject({
      ok: false,
      kind: "refused",
      message: expect.stringMatching(/^Diego .* cannot be restored: .* Local number add-on/),
    });
    expect((await user("diego@acme.test")).status).toBe("deleted");
    expect((await numbersOf(diego.id)).map((n) => n.state)).toEqual(addons.map(() => "reserved"));
  });
});

/** Every text and JSON column of every table, searched for these strings. */
/**
 * Every place in the database that holds one of these strings: every column
 * of every table, whatever its type, read as text, so a new table or column
 * that keeps a person's name is found without anyone listing it here.
 */
async function findEverywhere(db: Kysely<Database>, needles: string[]) {
  const columns = await sql<{ table_name: string; column_name: string }>`
    select c.table_name, c.column_name from information_schema.columns c
      join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
     where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
       and c.table_name not in ('kysely_migration', 'kysely_migration_lock')`.execute(db);
  const found: string[] = [];
  for (const { table_name, column_name } of columns.rows) {
    for (const needle of needles) {
      const hit = await sql<{ n: number }>`
        select count(*)::int as n from ${sql.table(table_name)}
         where strpos(lower(${sql.ref(column_name)}::text), lower(${needle})) > 0`.execute(db);
      if (hit.rows[0]!.n > 0) found.push(`${table_name}.${column_name} holds "${needle}"`);
    }
  }
  return found;
}

describe("anonymization", () => {
  it("erases every personal detail everywhere, keeping a stable pseudonym and the numbers reassignable", async () => {
    const freya = await user("freya@acme.test");
    const freyaActor = await actorFor(t.db, "freya@acme.test", T0);
    await updateSettings(
      t.db,
      freyaActor,
      {
        firstName: "Freya",
        lastName: "Lindqvist",
        jobTitle: "Chief Whistler",
        timezone: "Europe/Stockholm",
        language: "en",
        forwardingNumber: "+44 20 7946 0999",
        doNotDisturb: true,
        voicemailToEmail: true,
      },
      T0,
    );
    await t.db
      .insertInto("invites")
      .values({
        user_id: freya.id,
        token_hash: "invite-token-hash-freya",
        created_at: T0,
        expires_at: at(HOUR),
      })
      .execute();
    // A proxy session into Freya (reason naming her), and a number of hers reassigned away.
    const proxyingAdmin = await actorFor(t.db, "ada@acme.test", T0);
    expect(
      await startProxy(t.db, proxyingAdmin, freya.id, "Freya Lindqvist asked for help", T0),
    ).toMatchObject({ ok: true });
    const her = await numbersOf(freya.id);
    await t.db.transaction().execute((tx) => toPool(tx, { ids: [her[0]!.id] }, T0));
    const anika = await user("anika@acme.test");
    expect(
      await reassignNumber(t.db, ada, her[0]!.id, { target: `user:${anika.id}`, as: "additional" }, T0),
    ).toMatchObject({ ok: true });
    await t.db
      .insertInto("login_attempts")
      .values({ email: "freya@acme.test", attempted_at: T0, succeeded: false })
      .execute();
    await deleteUsers(t.db, ada, [freya.id], "keep", T0);
    expect((await permanentlyDelete(t.db, ada, freya.id, at(HOUR))).ok).toBe(true);

    expect(
      await findEverywhere(t.db, [
        "Freya",
        "Lindqvist",
        "freya@acme.test",
        "Chief Whistler",
        "447946099",
        "invite-token-hash-freya",
      ]),
    ).toEqual([]);
    const after = await t.db
      .selectFrom("users")
      .selectAll()
      .where("id", "=", freya.id)
      .executeTakeFirstOrThrow();
    expect(after.pseudonym).toMatch(/^DU-[0-9a-f]{12}$/);
    const labels = await t.db
      .selectFrom("audit_log")
      .select("target_label")
      .where("target_type", "=", "user")
      .where("target_id", "=", String(freya.id))
      .execute();
    expect(new Set(labels.map((l) => l.target_label))).toEqual(new Set([`Deleted user ${after.pseudonym}`]));
    expect(
      await t.db.selectFrom("phone_numbers").select("id").where("held_for_user_id", "=", freya.id).execute(),
    ).toEqual([]);
    const numbers = await t.db
      .selectFrom("phone_numbers")
      .selectAll()
      .where("last_holder_user_id", "=", freya.id)
      .execute();
    for (const n of numbers)
      expect(n).toMatchObject({
        state: "reserved",
        held_for_user_id: null,
        last_holder_name: "Deleted user",
      });
    expect(await restoreUser(t.db, ada, freya.id, at(HOUR))).toMatchObject({ ok: false });
  });

  it("erases a name whatever its characters (regex metacharacters, quotes, JSON words, any script), in text and at any depth of JSON", async () => {
    // What people type as names, with the characters that would break a
    // regular expression or a JSON text if handled as one; no NUL and no lone
    // surrogate, which PostgreSQL's text refuses before any erasure.
    const name = fc
      .string({
        unit: fc.oneof(
          fc.constantFrom(..."\\^$.|?*+()[]{}'\"&-_@ "),
          fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }),
        ),
        minLength: 1,
        maxLength: 24,
      })
      .map((w) => w.replace(/\0/g, "").trim())
      .filter(
        (w) => w !== "" && !/\s/.test(w.at(0)! + w.at(-1)!) && !w.toLowerCase().includes("deleted user"),
      );
    await fc.assert(
      fc.asyncProperty(name, fc.constantFrom(null, true, 1, []), async (word, literal) => {
        const { rows } = await sql<{ text: string; json: unknown }>`
          with p as (select erasure_pattern(array[${word}]) as pattern)
          select erase_words(${`${word} ${word}`}::text, pattern, 'Deleted user') as text,
                 erase_words(${JSON.stringify({ user: word, list: [word, { deep: `${word}  ${word}` }], n: 1, [word]: literal })}::jsonb,
                             pattern, 'Deleted user') as json
            from p`.execute(t.db);
        expect(rows[0]!.text).toBe("Deleted user Deleted user");
        expect(rows[0]!.json).toEqual({
          user: "Deleted user",
          list: ["Deleted user", { deep: "Deleted user  Deleted user" }],
          n: 1,
          [word]: literal, // keys and non-strings are left alone
        });
      }),
      { seed: 13, numRuns: 200 },
    );
  });

  it("the purge job takes every user past 72 hours, once", async () => {
    const late = at(100 * HOUR);
    const expired = await t.db
      .selectFrom("users")
      .select("id")
      .where("status", "=", "deleted")
      .where("anonymized_at", "is", null)
      .where("deleted_at", "<=", new Date(late.getTime() - 72 * HOUR))
      .execute();
    expect(expired.length).toBeGreaterThan(0);
    expect(await purgeExpired(t.db, late, 2)).toBe(expired.length);
    expect(await purgeExpired(t.db, late)).toBe(0);
  });

  it("ends the groups, the admin rights and the SCIM names of whoever it anonymizes", async () => {
    const kwame = await user("kwame@acme.test");
    expect((await changeAdminAccess(t.db, ada, [kwame.id], "add", T0)).outcomes[0]!.outcome).toBe("done");
    await t.db.updateTable("users").set({ has_proxy_access: true }).where("id", "=", kwame.id).execute();
    // What only SCIM keeps of him: the identity provider's names.
    await t.db
      .insertInto("scim_identities")
      .values({
        user_id: kwame.id,
        company_id: kwame.company_id,
        user_name: "kwame.asante@idp.acme.test",
        external_id: "00u1kwame",
        updated_at: T0,
      })
      .execute();
    const memberships = () =>
      t.db.selectFrom("group_members").select("group_id").where("user_id", "=", kwame.id).execute();
    expect(await memberships()).not.toEqual([]);
    await deleteUsers(t.db, ada, [kwame.id], "keep", T0);
    expect(await purgeExpired(t.db, at(73 * HOUR))).toBeGreaterThan(0);

    expect(await user("kwame@acme.test").catch(() => null)).toBeNull(); // the email is erased too
    expect(
      await t.db.selectFrom("users").selectAll().where("id", "=", kwame.id).executeTakeFirstOrThrow(),
    ).toMatchObject({
      anonymized_at: expect.any(Date),
      is_company_admin: false,
      has_proxy_access: false,
    });
    expect(await memberships()).toEqual([]);
    expect(
      await t.db.selectFrom("scim_identities").select("user_id").where("user_id", "=", kwame.id).execute(),
    ).toEqual([]);
    expect(
      await t.db.selectFrom("office_admins").select("office_id").where("user_id", "=", kwame.id).execute(),
    ).toEqual([]);
  });

  it("erases the names they had before, wherever they were written, and the addresses of their own actions", async () => {
    // Priya Raman: named in a proxy reason into her and in one into Uma, the
    // last holder of a number before she renamed herself, then deleted and
    // purged 72 hours later.
    const priya = await user("priya@acme.test");
    const uma = await user("uma@acme.test");
    const mainLine = await t.db
      .selectFrom("groups")
      .select("id")
      .where("office_id", "=", priya.office_id)
      .where("kind", "=", "main_line")
      .executeTakeFirstOrThrow();
    const adaFrom = (ip: string) => actorFor(t.db, "ada@acme.test", T0).then((a) => ({ ...a, ip }));
    expect(
      await startProxy(t.db, await adaFrom("198.51.100.7"), priya.id, "ticket 1 for Priya Raman", T0),
    ).toMatchObject({ ok: true });
    expect(
      await startProxy(t.db, await adaFrom("198.51.100.7"), uma.id, "Uma covers for priya raman today", T0),
    ).toMatchObject({ ok: true });
    const [number] = await numbersOf(priya.id);
    expect(await removeNumber(t.db, ada, priya.id, number!.id, T0)).toMatchObject({ ok: true });
    expect(
      await reassignNumber(t.db, ada, number!.id, { target: `group:${mainLine.id}`, as: "primary" }, T0),
    ).toMatchObject({ ok: true });
    const priyaActor = { ...(await actorFor(t.db, "priya@acme.test", T0)), ip: "203.0.113.41" };
    const settings = await loadSettings(t.db, priyaActor);
    await updateSettings(
      t.db,
      priyaActor,
      settingsSchema.parse({ ...settings.values, firstName: "Zephyr", lastName: "Quillon" }),
      T0,
    );
    await t.db.updateTable("sessions").set({ ip: "203.0.113.41" }).where("user_id", "=", priya.id).execute();
    await t.db
      .insertInto("login_attempts")
      .values({ email: "priya@acme.test", attempted_at: T0, succeeded: true, ip: "203.0.113.41" })
      .execute();
    await deleteUsers(t.db, ada, [priya.id], "keep", T0);

    expect(await purgeExpired(t.db, at(73 * HOUR))).toBeGreaterThan(0);

    expect(
      await findEverywhere(t.db, ["Priya", "Raman", "Zephyr", "Quillon", "priya@acme.test", "203.0.113.41"]),
    ).toEqual([]);
    // What was about others stays: Uma's proxy reason (less her name), Ada's own address.
    const umaProxy = await t.db
      .selectFrom("proxy_sessions")
      .select("reason")
      .where("user_id", "=", uma.id)
      .executeTakeFirstOrThrow();
    expect(umaProxy.reason).toBe("Uma covers for Deleted user today");
    expect(await findEverywhere(t.db, ["198.51.100.7"])).toEqual(
      expect.arrayContaining(['audit_log.ip holds "198.51.100.7"', 'proxy_sessions.ip holds "198.51.100.7"']),
    );
  });
});

describe("after anonymizing", () => {
  it("the purge vacuums every table it changed once its batches have committed, and so do permanent and pending deletions and the end of a bulk job that anonymized anyone; one that failed leaves it owed to a purge", async () => {
    let statements: string[] = [];
    const h = await freshDatabase({ log: (e) => void statements.push(e.query.sql) });
    try {
      await seedDemo(h.db, T0); // Victor was deleted 80 hours ago
      const tables = ["users", "audit_log", "proxy_sessions", "login_attempts", "phone_numbers", "sessions"];
      // VACUUM right after the commit of the transaction that anonymized (it cannot run inside one) and its
      // read of what is owed; then what it paid is cleared
      const owed = () => h.db.selectFrom("erasure_vacuum_owed").selectAll().execute();
      const vacuumed = () => {
        const at = statements.findIndex((q) => /^vacuum /i.test(q));
        expect(statements.slice(0, at).some((q) => q.includes("erase_words"))).toBe(true);
        expect(statements[at - 2]).toMatch(/^commit/i);
        expect(statements[at - 1]).toMatch(/from "erasure_vacuum_owed"/);
        for (const table of tables) expect(statements[at]).toContain(`"${table}"`);
        expect(statements[at + 1]).toMatch(/^\s*delete from erasure_vacuum_owed/);
      };
      statements = [];
      expect(await purgeExpired(h.db, T0, 1)).toBe(1);
      vacuumed();

      const [admin, sienna, rosa] = await Promise.all([
        actorFor(h.db, "ada@acme.test", T0),
        h.db
          .selectFrom("users")
          .select("id")
          .where("email", "=", "sienna@acme.test")
          .executeTakeFirstOrThrow(),
        h.db.selectFrom("users").select("id").where("email", "=", "rosa@acme.test").executeTakeFirstOrThrow(),
      ]);
      statements = [];
      expect((await permanentlyDelete(h.db, admin, sienna.id, T0)).ok).toBe(true);
      vacuumed();
      statements = [];
      await deleteUsers(h.db, admin, [rosa.id], "keep", T0); // pending: anonymized at once
      vacuumed();

      // A bulk job deleting a pending user in its first batch of two: one VACUUM, once the last has committed.
      const [jasper, marcus] = await Promise.all(
        ["jasper@acme.test", "marcus@acme.test"].map((email) =>
          h.db.selectFrom("users").select("id").where("email", "=", email).executeTakeFirstOrThrow(),
        ),
      );
      await enqueueBulk(h.db, admin, "delete", [jasper!.id, marcus!.id], "keep", T0, 1);
      statements = [];
      expect(await runJobs(h.db, JOB_KINDS, () => T0)).toBe(2);
      expect(statements.filter((q) => /^vacuum /i.test(q))).toHaveLength(1);
      const at = statements.findIndex((q) => /^vacuum /i.test(q));
      // After the second batch's commit and its read of what is owed.
      expect(statements.slice(0, at).filter((q) => /^update "jobs"/.test(q))).toHaveLength(2);
      expect(statements[at - 2]).toMatch(/^commit/i);
      expect(statements[at - 1]).toMatch(/from "erasure_vacuum_owed"/);
      expect(await owed()).toEqual([]);

      // One that deletes only active users (restorable, nothing erased): no VACUUM.
      const priya = await h.db
        .selectFrom("users")
        .select("id")
        .where("email", "=", "priya@acme.test")
        .executeTakeFirstOrThrow();
      await enqueueBulk(h.db, admin, "delete", [priya.id], "keep", T0, 1);
      statements = [];
      expect(await runJobs(h.db, JOB_KINDS, () => T0)).toBe(1);
      expect(statements.filter((q) => /^vacuum /i.test(q))).toEqual([]);

      // One that anonymizes a pending user in its first batch and then fails for good: no end, no VACUUM
      // then; it stays owed, and a purge pays it once it has been owed OWED_GRACE_MS, though it has no one
      // to anonymize.
      const pending = await h.db
        .selectFrom("users")
        .select("id")
        .where("company_id", "=", admin.company.id)
        .where("status", "=", "pending")
        .orderBy("id")
        .executeTakeFirstOrThrow();
      await enqueueBulk(h.db, admin, "delete", [pending.id, priya.id], "keep", T0, 1);
      let batches = 0;
      const failing = {
        ...JOB_KINDS,
        [BULK_APPLY]: (...args: Parameters<JobKind>) => {
          if (++batches > 1) throw new Error("the second batch fails");
          return JOB_KINDS[BULK_APPLY]!(...args);
        },
      };
      statements = [];
      expect(await runJobs(h.db, failing, () => T0)).toBe(1 + MAX_ATTEMPTS);
      expect(
        await h.db.selectFrom("jobs").select("state").orderBy("id", "desc").executeTakeFirstOrThrow(),
      ).toEqual({ state: "failed" });
      expect(statements.filter((q) => /^vacuum /i.test(q))).toEqual([]);
      expect(await owed()).toEqual([
        { company_id: admin.company.id, version: expect.any(Number), since: T0 },
      ]);
      // Not by a purge that comes at once (a job may still be anonymizing, batch after batch), but by the
      // first one after OWED_GRACE_MS.
      statements = [];
      expect(await purgeExpired(h.db, new Date(T0.getTime() + OWED_GRACE_MS - 1000))).toBe(0);
      expect(statements.filter((q) => /^vacuum /i.test(q))).toEqual([]);
      expect(await purgeExpired(h.db, new Date(T0.getTime() + OWED_GRACE_MS))).toBe(0);
      expect(statements.filter((q) => /^vacuum /i.test(q))).toHaveLength(1);
      expect(await owed()).toEqual([]);
      if (h.kind === "postgres") {
        const stats = await sql<{ relname: string; last_vacuum: Date | null }>`
          select relname, last_vacuum from pg_stat_user_tables where relname = any(${tables})`.execute(h.db);
        expect(stats.rows.filter((r) => r.last_vacuum === null)).toEqual([]);
        expect(stats.rows).toHaveLength(tables.length);
      }
    } finally {
      await h.close();
    }
  });

  it.runIf(!process.env.DATABASE_URL)(
    "VACUUM FULL (npm run purge -- --full) leaves no byte of them in PGlite's table and index files, the WAL aside",
    async () => {
      const dataDir = `.tmp/lifecycle-disk-${process.pid}`;
      rmSync(dataDir, { recursive: true, force: true });
      try {
        // on disk this time, from a migrated copy
        const template = await freshDatabase();
        const migrated = await template.dump!();
        await template.close();
        const h = await openDatabase({ dataDir: `${dataDir}/pglite`, loadDataDir: migrated });
        await seedDemo(h.db, new Date()); // Victor Huang was deleted 80 hours ago
        await h.db
          .updateTable("users")
          .set({ first_name: "Xylophoneus" })
          .where("email", "=", "victor@acme.test")
          .execute();
        expect(await purgeExpired(h.db, new Date())).toBe(1);
        await vacuumErased(h.db, { full: true }); // what npm run purge -- --full runs then
        await h.close();
        const holding = readdirSync(dataDir, { recursive: true, encoding: "utf8" })
          .filter((f) => !f.includes("pg_wal") && statSync(`${dataDir}/${f}`).isFile())
          .filter((f) => {
            const bytes = readFileSync(`${dataDir}/${f}`);
            return ["Xylophoneus", "Huang", "victor@acme.test"].some((w) => bytes.includes(w));
          });
        expect(holding).toEqual([]);
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  );
});

describe.runIf(!!process.env.DATABASE_URL)("on the PostgreSQL server", () => {
  it("an anonymization under way while the VACUUM owed is paid is not waited for, and leaves its own VACUUM owed, under a version never used before", async () => {
    const h = await freshDatabase({ poolSize: 4 });
    try {
      await seedDemo(h.db, T0); // Victor was deleted 80 hours ago
      const me = await actorFor(h.db, "ada@acme.test", T0);
      const victor = await h.db
        .selectFrom("users")
        .select("id")
        .where("email", "=", "victor@acme.test")
        .executeTakeFirstOrThrow();
      const owed = () => h.db.selectFrom("erasure_vacuum_owed").select("version").execute();
      // One VACUUM owed already (its anonymization committed), and Victor's anonymization under way.
      await h.db.insertInto("erasure_vacuum_owed").values({ company_id: me.company.id, since: T0 }).execute();
      const [before] = await owed();
      let commit!: () => void;
      const committing = new Promise<void>((resolve) => (commit = resolve));
      let started!: () => void;
      const anonymizing = new Promise<void>((resolve) => (started = resolve));
      const victors = h.db.transaction().execute(async (tx) => {
        await anonymizeUsers(tx, [victor.id], T0, "expired", null);
        started();
        await committing;
      });
      await anonymizing;
      // Paid without waiting for it: the company's row it holds is skipped, and stays owed once it commits.
      let paid = false;
      const paying = vacuumOwed(h.db).then((r) => ((paid = true), r));
      try {
        // (a wait for a row: the VACUUM may wait a moment for autovacuum's hold on a table)
        await untilLocksWait(h.db, 1, "the VACUUM owed to be paid", () => paid, ["transactionid", "tuple"]);
        expect(paid).toBe(true);
      } finally {
        commit();
      }
      await victors;
      expect(await paying).toBe(true);
      const [owedByVictor] = await owed();
      expect(owedByVictor!.version).not.toBe(before!.version);
      expect(await vacuumOwed(h.db)).toBe(true);
      expect(await owed()).toEqual([]);
      // Owed again: a version never used before, so that a clearing that read an old one cannot take it.
      await h.db.insertInto("erasure_vacuum_owed").values({ company_id: me.company.id, since: T0 }).execute();
      expect((await owed())[0]!.version).toBeGreaterThan(owedByVictor!.version);
    } finally {
      await h.close();
    }
  });

  it("two purge runs started together anonymize each expired user exactly once", async () => {
    const h = await freshDatabase({ poolSize: 6 });
    try {
      await seedDemo(h.db, T0);
      await seedScale(h.db, 300, () => undefined);
      const me = await actorFor(h.db, "ada@acme.test", T0);
      const ids = (
        await h.db
          .selectFrom("users")
          .select("id")
          .where("email", "like", "%.%@acme.test")
          .where("status", "=", "active")
          .execute()
      ).map((r) => r.id);
      await deleteUsers(h.db, me, ids, "keep", T0);
      const late = at(73 * HOUR);
      const [a, b] = await Promise.all([purgeExpired(h.db, late, 25), purgeExpired(h.db, late, 25)]);
      const anonymized = await h.db
        .selectFrom("audit_log")
        .select(["target_id"])
        .where("action", "=", "user.anonymized")
        .execute();
      expect(a + b).toBe(anonymized.length);
      expect(new Set(anonymized.map((r) => r.target_id)).size).toBe(anonymized.length);
      expect(anonymized.length).toBeGreaterThanOrEqual(ids.length);
    } finally {
      await h.close();
    }
  });

  it("a restore racing the purge ends either restored or anonymized, never half of each", async () => {
    const h = await freshDatabase({ poolSize: 6 });
    try {
      await seedDemo(h.db, T0);
      const me = await actorFor(h.db, "ada@acme.test", T0);
      for (const email of ["kevin@acme.test", "jessica@acme.test", "dmitri@acme.test", "amanda@acme.test"]) {
        const u = await h.db
          .selectFrom("users")
          .select("id")
          .where("email", "=", email)
          .executeTakeFirstOrThrow();
        await deleteUsers(h.db, me, [u.id], "keep", T0);
        // At exactly 72 h: the purge may take it, and a restore checked a moment earlier may still try.
        const edge = at(72 * HOUR);
        const [restored] = await Promise.all([
          restoreUser(h.db, me, u.id, at(72 * HOUR - 1)),
          purgeExpired(h.db, edge),
        ]);
        const row = await h.db
          .selectFrom("users")
          .selectAll()
          .where("id", "=", u.id)
          .executeTakeFirstOrThrow();
        const numbers = await h.db
          .selectFrom("phone_numbers")
          .selectAll()
          .where((eb) => eb.or([eb("assigned_user_id", "=", u.id), eb("held_for_user_id", "=", u.id)]))
          .execute();
        if (restored.ok) {
          expect(row).toMatchObject({ status: "active", anonymized_at: null });
          for (const n of numbers) expect(n.assigned_user_id).toBe(u.id);
        } else {
          expect(row.status).toBe("deleted");
          expect(row.anonymized_at).not.toBeNull();
          expect(row.email).toBeNull();
          expect(numbers).toEqual([]);
        }
      }
    } finally {
      await h.close();
    }
  });
});

describe("an Office Admin", () => {
  it("deletes and restores a user of their office, and reaches no one elsewhere", async () => {
    const isaac = await user("isaac@acme.test");
    const { outcomes } = await deleteUsers(t.db, olive, [isaac.id], "keep", T0);
    expect(outcomes[0]!.outcome).toBe("done");
    expect((await listDeleted(t.db, olive, at(HOUR))).users.map((u) => u.name)).toContain("Isaac Levi");
    expect(await restoreUser(t.db, olive, isaac.id, at(HOUR))).toEqual({ ok: true, name: "Isaac Levi" });

    const marcus = await user("marcus@acme.test");
    await deleteUsers(t.db, ada, [marcus.id], "keep", T0);
    // San Francisco is not Olive's: she neither sees nor restores Marcus.
    expect((await listDeleted(t.db, olive, at(HOUR))).users.map((u) => u.name)).not.toContain("Marcus Chen");
    expect((await restoreUser(t.db, olive, marcus.id, at(HOUR))).ok).toBe(false);
    expect((await permanentlyDelete(t.db, olive, marcus.id, at(HOUR))).ok).toBe(false);
    expect((await user("marcus@acme.test")).status).toBe("deleted");
  });

  it("may neither restore nor permanently delete a deleted Company Admin of their office, and is told why", async () => {
    // Ben of San Francisco made a second Company Admin, then deleted by Ada: on Oscar's Deleted Users tab.
    const ben = await user("ben@acme.test");
    await t.db.updateTable("users").set({ is_company_admin: true }).where("id", "=", ben.id).execute();
    expect((await deleteUsers(t.db, ada, [ben.id], "keep", T0)).outcomes[0]!.outcome).toBe("done");
    const why = "Only a Company Admin can restore or permanently delete a Company Admin.";
    const listed = (actor: Actor) =>
      listDeleted(t.db, actor, at(HOUR)).then((l) => l.users.find((u) => u.id === ben.id));
    expect(await listed(oscar)).toMatchObject({ name: "Ben Okafor", refusal: why });
    expect(await findDeleted(t.db, oscar, ben.id, at(HOUR))).toMatchObject({ refusal: why });
    const refused = { ok: false, kind: "forbidden", message: why };
    expect(await restoreUser(t.db, oscar, ben.id, at(HOUR))).toEqual(refused);
    expect(await permanentlyDelete(t.db, oscar, ben.id, at(HOUR))).toEqual(refused);
    // His 72 hours are intact: still deleted, not anonymized, for a Company Admin to restore or end.
    expect(await user("ben@acme.test")).toMatchObject({ status: "deleted", anonymized_at: null });

    expect(await listed(ada)).toMatchObject({ refusal: null });
    expect(await permanentlyDelete(t.db, ada, ben.id, at(HOUR))).toEqual({ ok: true, name: "Ben Okafor" });
    const after = await t.db
      .selectFrom("users")
      .selectAll()
      .where("id", "=", ben.id)
      .executeTakeFirstOrThrow();
    expect(after).toMatchObject({ email: null, is_company_admin: false });
    expect(after.anonymized_at).not.toBeNull();
  });
});
