/**
 * Import users, the confirmation (app/users/import-confirm.server.ts): what a
 * confirmed review writes, the review key, the round trip, the statement
 * count, and two confirmations at once on the server.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readdirSync, rmSync } from "node:fs";
import { sql, type Kysely } from "kysely";
import { freshDatabase, statementsOf, type TestDatabase } from "../support/db.ts";
import { actorFor } from "../support/actors.ts";
import { seedDemo } from "../../db/seed/demo.ts";
import type { Database } from "../../db/schema.ts";
import type { Actor } from "../../app/auth/actor.server.ts";
import type { ImportResult } from "../../app/users/import-review.server.ts";
import { reviewedImport } from "../support/imports.ts";
import {
  confirmImport,
  IMPORT_DONE,
  IMPORT_NOT_SEEN,
  IMPORT_STALE,
} from "../../app/users/import-confirm.server.ts";
import { usersCsv } from "../../app/users/export.server.ts";
import { readListParams } from "../../app/users/list-params.ts";

const T0 = new Date("2026-06-01T12:00:00Z");
const OUTBOX_DIR = `.tmp/import-confirm-test-${process.pid}`;
const ORIGIN = "http://switchboard.test";

let t: TestDatabase;
let ada: Actor;
beforeAll(async () => {
  process.env.DATA_DIR = OUTBOX_DIR;
  t = await freshDatabase();
  await seedDemo(t.db, T0);
  ada = await actorFor(t.db, "ada@acme.test", T0);
});
afterAll(async () => {
  await t.close();
  rmSync(OUTBOX_DIR, { recursive: true, force: true });
});

/** Uploads and reviews a file at T0. */
const reviewed = (db: Kysely<Database>, actor: Actor, text: string) => reviewedImport(db, actor, text, T0);

const userByEmail = (email: string) =>
  t.db
    .selectFrom("users as u")
    .leftJoin("phone_numbers as n", (j) =>
      j.onRef("n.assigned_user_id", "=", "u.id").on("n.is_primary", "=", true),
    )
    .select([
      "u.id",
      "u.status",
      "u.first_name",
      "u.job_title",
      "u.extension",
      "u.license_type",
      "n.e164",
      "n.addon_license_type",
    ])
    .where(sql<string>`lower(u.email)`, "=", email.toLowerCase())
    .executeTakeFirst();

const NEW_PEOPLE = [
  "First name,Last name,Email,Office,License,Extension,Job title",
  "Ines,Duarte,ines.duarte@acme.test,Austin,Connect,,Buyer",
  "Omar,Haddad,omar.haddad@acme.test,Austin,Sell,4821,",
  "Bad,Row,not-an-email,Austin,,,",
].join("\n");

describe("confirming a review", () => {
  it("adds each row's user as Add User does (pending, seat, number, invite), with an audit entry each and one for the import", async () => {
    const { jobId, result } = await reviewed(t.db, ada, NEW_PEOPLE);
    expect(result).toMatchObject({ add: 2, errors: 1 });
    const pools = () =>
      t.db
        .selectFrom("license_pools as p")
        .innerJoin("offices as o", "o.id", "p.office_id")
        .select(["p.license_type", "p.assigned"])
        .where("o.name", "=", "Austin")
        .where("p.license_type", "in", ["connect", "sell", "local_number"])
        .orderBy("p.license_type")
        .execute();
    const before = await pools();
    const confirmed = await confirmImport(t.db, ada, jobId, result.key, ORIGIN, T0);
    expect(confirmed).toEqual({ ok: true, added: 2, updated: 0 });

    const ines = await userByEmail("ines.duarte@acme.test");
    const omar = await userByEmail("omar.haddad@acme.test");
    expect(ines).toMatchObject({
      status: "pending",
      license_type: "connect",
      job_title: "Buyer",
      addon_license_type: null,
    });
    expect(omar).toMatchObject({
      status: "pending",
      license_type: "sell",
      extension: "4821",
      addon_license_type: "local_number",
    });
    expect(ines!.e164).toMatch(/^\+1\d{10}$/);
    expect(omar!.e164).toMatch(/^\+1\d{10}$/);
    const after = await pools();
    expect(after.map((p, i) => p.assigned - before[i]!.assigned)).toEqual([1, 1, 1]); // connect, local_number, sell
    expect(await userByEmail("not-an-email")).toBeUndefined();

    const invites = await t.db
      .selectFrom("invites")
      .select("user_id")
      .where("user_id", "in", [ines!.id, omar!.id])
      .execute();
    expect(invites).toHaveLength(2);
    expect(readdirSync(`${OUTBOX_DIR}/outbox`).length).toBeGreaterThanOrEqual(2);
    const audit = await t.db
      .selectFrom("audit_log")
      .select(["action", "target_id"])
      .where("action", "in", ["user.added", "users.imported"])
      .where("created_at", "=", T0)
      .orderBy("id")
      .execute();
    expect(audit).toEqual([
      { action: "user.added", target_id: String(ines!.id) },
      { action: "user.added", target_id: String(omar!.id) },
      { action: "users.imported", target_id: String(ada.company.id) },
    ]);
  });

  it("adds nobody twice: the same file again reviews as unchanged, and a review confirmed is not confirmed again", async () => {
    const { jobId, result } = await reviewed(t.db, ada, NEW_PEOPLE);
    expect(result).toMatchObject({ add: 0, update: 0, unchanged: 2, errors: 1 });
    const first = await reviewed(t.db, ada, NEW_PEOPLE.replace("ines.duarte", "ines.d"));
    expect(await confirmImport(t.db, ada, first.jobId, first.result.key, ORIGIN, T0)).toMatchObject({
      ok: true,
      added: 1,
    });
    expect(await confirmImport(t.db, ada, first.jobId, first.result.key, ORIGIN, T0)).toEqual({
      ok: false,
      kind: "refused",
      message: IMPORT_DONE,
    });
    expect(await confirmImport(t.db, ada, jobId, result.key, ORIGIN, T0)).toEqual({
      ok: true,
      added: 0,
      updated: 0,
    });
  });

  it("refuses a stale review, changing nothing, and reviews the file again", async () => {
    const { jobId, result } = await reviewed(
      t.db,
      ada,
      "Email,Job title\nmarcus@acme.test,Head of Sales\nnew.face@acme.test,\n".replace(
        "new.face@acme.test,",
        "new.face@acme.test,Face",
      ),
    );
    // Another admin renames Marcus meanwhile: the update the review showed is not what would happen.
    await t.db
      .updateTable("users")
      .set({ first_name: "Marc" })
      .where("email", "=", "marcus@acme.test")
      .execute();
    expect(await confirmImport(t.db, ada, jobId, result.key, ORIGIN, T0)).toEqual({
      ok: false,
      kind: "stale",
      message: IMPORT_STALE,
    });
    expect((await userByEmail("marcus@acme.test"))!.job_title).not.toBe("Head of Sales");
    const again = await t.db
      .selectFrom("jobs")
      .select(["state", "result"])
      .where("id", "=", jobId)
      .executeTakeFirstOrThrow();
    expect(again.state).toBe("done");
    expect((again.result as ImportResult).key).not.toBe(result.key);
    // Confirmed with the key of the fresh review, it applies.
    const fresh = await confirmImport(t.db, ada, jobId, (again.result as ImportResult).key, ORIGIN, T0);
    expect(fresh).toMatchObject({ ok: true, updated: 1 });
    expect((await userByEmail("marcus@acme.test"))!.job_title).toBe("Head of Sales");
  });

  it("refuses a key that is not the review's, writing nothing, while the review is current", async () => {
    const { jobId, result } = await reviewed(t.db, ada, "Email,Job title\nethan@acme.test,Night Shift\n");
    const job = () => t.db.selectFrom("jobs").selectAll().where("id", "=", jobId).executeTakeFirstOrThrow();
    const before = await job();
    expect(await confirmImport(t.db, ada, jobId, "not-the-key", ORIGIN, T0)).toEqual({
      ok: false,
      kind: "stale",
      message: IMPORT_NOT_SEEN,
    });
    expect(await job()).toEqual(before);
    expect(result.key).toBeTruthy();
    expect((await userByEmail("ethan@acme.test"))!.job_title).not.toBe("Night Shift");
  });

  it("round trip: export, change one cell, import: exactly one update", async () => {
    const params = readListParams(new URL("http://x/users")).params;
    const csv = await new Response(usersCsv(t.db, ada, params)).text();
    const lines = csv.split(/\r?\n/);
    const i = lines.findIndex((l) => l.includes("ethan@acme.test"));
    const cells = lines[i]!.split(",");
    cells[0] = "Ethan-Renamed";
    lines[i] = cells.join(",");
    const { jobId, result } = await reviewed(t.db, ada, lines.join("\n"));
    expect(result).toMatchObject({ add: 0, update: 1 });
    expect(await confirmImport(t.db, ada, jobId, result.key, ORIGIN, T0)).toEqual({
      ok: true,
      added: 0,
      updated: 1,
    });
    expect((await userByEmail("ethan@acme.test"))!.first_name).toBe("Ethan-Renamed");
    const audit = await t.db
      .selectFrom("audit_log")
      .select(["after"])
      .where("action", "=", "user.edited")
      .where("target_id", "=", String((await userByEmail("ethan@acme.test"))!.id))
      .execute();
    expect(audit.map((a) => a.after)).toEqual([{ "First name": "Ethan-Renamed" }]);
  });
});

it("a confirmation of 900 rows runs as many statements as one of 10 (the most reviewed in the request)", async () => {
  const counted = (n: number) =>
    statementsOf(
      async (db) => {
        await seedDemo(db, T0);
        const me = await actorFor(db, "ada@acme.test", T0);
        await sql`update license_pools set purchased = assigned + 2000
                   where license_type = 'connect' and office_id = (select id from offices where name = 'Austin')`.execute(
          db,
        );
        // Enough new numbers for every row that takes the office's next one.
        await sql`insert into provider_numbers (e164, country, area_code, kind)
                  select '+1512777' || lpad(g::text, 4, '0'), 'US', '512', 'local' from generate_series(0, 1999) g`.execute(
          db,
        );
        const rows = Array.from({ length: n }, (_, i) => `P${i},Count,p${i}@acme.test,Austin`);
        const { jobId, result } = await reviewed(
          db,
          me,
          [
            "First name,Last name,Email,Office",
            ...rows,
            "Ethan,Brooks,ethan@acme.test,",
            "Marcus,Chen-Count,marcus@acme.test,",
          ].join("\n"),
        );
        expect(result).toMatchObject({ add: n, update: 1, errors: 0 });
        return { me, jobId, key: result.key };
      },
      async (db, { me, jobId, key }) => {
        expect(await confirmImport(db, me, jobId, key, ORIGIN, T0)).toMatchObject({
          ok: true,
          added: n,
          updated: 1,
        });
      },
    );
  const n = 10;
  const small = await counted(n);
  const large = await counted(900);
  expect(large).toBe(small);
  expect(small).toBeLessThan(25);
});

describe.runIf(!!process.env.DATABASE_URL)("on the PostgreSQL server", () => {
  it("of two confirmations at once, one imports and the other is told", async () => {
    const s = await freshDatabase({ poolSize: 6 });
    try {
      await seedDemo(s.db, T0);
      const me = await actorFor(s.db, "ada@acme.test", T0);
      const { jobId, result } = await reviewed(s.db, me, NEW_PEOPLE);
      const both = await Promise.all([
        confirmImport(s.db, me, jobId, result.key, ORIGIN, T0),
        confirmImport(s.db, me, jobId, result.key, ORIGIN, T0),
      ]);
      expect(both.filter((r) => r.ok)).toEqual([{ ok: true, added: 2, updated: 0 }]);
      expect(both.filter((r) => !r.ok)).toEqual([{ ok: false, kind: "refused", message: IMPORT_DONE }]);
      const added = await s.db
        .selectFrom("users")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("email", "in", ["ines.duarte@acme.test", "omar.haddad@acme.test"])
        .executeTakeFirstOrThrow();
      expect(Number(added.n)).toBe(2);
    } finally {
      await s.close();
    }
  });
});
