/**
 * Bulk actions on everyone a search matches (app/users/bulk.server.ts,
 * confirmSearchBulk; app/users/bulk-job.server.ts): the selection uncapped,
 * the count re-checked at confirmation, a large one queued and applied by
 * the job in batches, a batch interrupted done again and none twice, and
 * the job within the admin's offices as they are when each batch runs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql, type Kysely } from "kysely";
import { freshDatabase, type TestDatabase } from "../support/db.ts";
import { actorFor } from "../support/actors.ts";
import { seedDemo } from "../../db/seed/demo.ts";
import type { Database } from "../../db/schema.ts";
import type { Actor } from "../../app/auth/actor.server.ts";
import { BULK_LIMIT } from "../../app/users/bulk-params.ts";
import { confirmSearchBulk, countChanged, resolveSelection } from "../../app/users/bulk.server.ts";
import { applyBulkBatch, BULK_APPLY, enqueueBulk } from "../../app/users/bulk-job.server.ts";
import { runJobBatch, runJobs } from "../../app/jobs/runner.server.ts";
import { JOB_KINDS } from "../../app/jobs/kinds.server.ts";

const T0 = new Date("2026-06-01T12:00:00Z");
/** More than a request applies, and more than the old cap of one selection. */
const MANY = BULK_LIMIT + 50;

let t: TestDatabase;
let ada: Actor, olive: Actor;
beforeAll(async () => {
  t = await freshDatabase();
  await seedDemo(t.db, T0);
  await sql`update license_pools set purchased = assigned + 10000 where license_type = 'connect'`.execute(
    t.db,
  );
  ada = await actorFor(t.db, "ada@acme.test", T0);
  olive = await actorFor(t.db, "olive@acme.test", T0);
});
afterAll(() => t.close());

/** Adds `n` active users named "<tag> <i>" to an Acme office, in one statement. */
async function addUsers(db: Kysely<Database>, tag: string, n: number, office: string) {
  await sql`
    insert into users (company_id, office_id, first_name, last_name, email, status, license_type, created_at)
    select o.company_id, o.id, ${tag}, 'Person' || g, ${tag} || g || '@acme.test', 'active', 'connect', ${T0}::timestamptz
      from offices o, generate_series(1, ${n}) g
     where o.name = ${office} and o.company_id = (select company_id from users where email = 'ada@acme.test')`.execute(
    db,
  );
}

const searchUrl = (action: string, tag: string) =>
  new URL(`http://x/users/bulk?action=${action}&scope=search&q=${tag}`);

const statusCounts = async (tag: string) =>
  Object.fromEntries(
    (
      await t.db
        .selectFrom("users")
        .select(["status", (eb) => eb.fn.countAll<number>().as("n")])
        .where("first_name", "=", tag)
        .groupBy("status")
        .execute()
    ).map((r) => [r.status, Number(r.n)]),
  );

const job = (id: number) =>
  t.db
    .selectFrom("jobs")
    .select(["state", "done", "total", "result"])
    .where("id", "=", id)
    .executeTakeFirstOrThrow();

/** Audit entries per user of an action among the tagged users: each changed user has exactly one. */
const entriesPerUser = async (action: string, tag: string) =>
  (
    await sql<{ n: string }>`
      select count(*) as n from audit_log a join users u on u.id::text = a.target_id
       where a.action = ${action} and a.target_type = 'user' and u.first_name = ${tag}
       group by u.id`.execute(t.db)
  ).rows.map((r) => Number(r.n));

describe("everyone a search matches", () => {
  it("is counted without the cap, queued when large, and deleted by the job in batches of 1,000", async () => {
    await addUsers(t.db, "Manyjob", MANY, "Austin");
    const url = searchUrl("delete", "Manyjob");
    const selection = await resolveSelection(t.db, ada, url);
    expect(selection).toMatchObject({ ok: true, tooMany: false, search: true });
    expect(selection.ok && selection.ids.length).toBe(MANY);

    const confirmed = await confirmSearchBulk(
      t.db,
      ada,
      url,
      { action: "delete", count: MANY, license: "keep" },
      T0,
    );
    if (!confirmed.ok || !("jobId" in confirmed)) throw new Error("not queued");
    // Nothing changed in the request: the job does it.
    expect(await statusCounts("Manyjob")).toEqual({ active: MANY });
    expect(await job(confirmed.jobId)).toMatchObject({ state: "queued", done: 0, total: MANY });

    await runJobBatch(t.db, JOB_KINDS, T0);
    expect(await job(confirmed.jobId)).toMatchObject({ state: "running", done: 1000, total: MANY });
    expect(await statusCounts("Manyjob")).toEqual({ active: MANY - 1000, deleted: 1000 });

    await runJobs(t.db, JOB_KINDS, () => T0);
    expect(await statusCounts("Manyjob")).toEqual({ deleted: MANY });
    const done = await job(confirmed.jobId);
    expect(done).toMatchObject({
      state: "done",
      done: MANY,
      result: { changed: MANY, skipped: 0, untouched: 0 },
    });
    expect((done.result as { first: unknown[] }).first).toHaveLength(100);
    // One entry per user deleted, and one result entry per batch, each naming the job.
    const perUser = await entriesPerUser("user.deleted", "Manyjob");
    expect(perUser).toHaveLength(MANY);
    expect(new Set(perUser)).toEqual(new Set([1]));
    const batches = await t.db
      .selectFrom("audit_log")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("action", "=", "users.bulk_delete")
      .where(sql<string>`after->>'job'`, "=", String(confirmed.jobId))
      .executeTakeFirstOrThrow();
    expect(Number(batches.n)).toBe(Math.ceil(MANY / 1000));
  });

  it("asks again when the count of users that match changed since the page showed it; a few are changed at once", async () => {
    await addUsers(t.db, "Recount", 12, "Austin");
    const url = searchUrl("add_admin", "Recount");
    const input = { action: "add_admin" as const, count: 11, license: "keep" as const };
    expect(await confirmSearchBulk(t.db, ada, url, input, T0)).toEqual({
      ok: false,
      kind: "stale",
      message: countChanged(11, 12),
    });
    expect(await entriesPerUser("user.admin_access_added", "Recount")).toEqual([]);
    expect(
      await t.db
        .selectFrom("jobs")
        .select("id")
        .where("kind", "=", BULK_APPLY)
        .where("total", "=", 12)
        .execute(),
    ).toEqual([]);

    const applied = await confirmSearchBulk(t.db, ada, url, { ...input, count: 12 }, T0);
    expect(applied).toMatchObject({ ok: true, applied: { auditId: expect.any(Number) } });
    expect(await entriesPerUser("user.admin_access_added", "Recount")).toEqual(Array(12).fill(1));
  });

  it("joins the job a second confirmation of the same selection finds still to run, rather than queue another", async () => {
    await addUsers(t.db, "Twice", 8, "Austin");
    const url = searchUrl("delete", "Twice");
    const input = { action: "delete" as const, count: 8, license: "keep" as const };
    // Over the request's share (5 here): a job. Confirmed twice (a double click, or Back and Confirm).
    const [first, second] = await Promise.all([
      confirmSearchBulk(t.db, ada, url, input, T0, 5),
      confirmSearchBulk(t.db, ada, url, input, T0, 5),
    ]);
    if (!first.ok || !("jobId" in first)) throw new Error("not queued");
    expect(second).toEqual(first);
    const queued = await t.db
      .selectFrom("jobs")
      .select("id")
      .where("kind", "=", BULK_APPLY)
      .where("state", "=", "queued")
      .where(sql<boolean>`payload->>'action' = 'delete' and jsonb_array_length(payload->'ids') = 8`)
      .execute();
    expect(queued).toEqual([{ id: first.jobId }]);

    await runJobs(t.db, JOB_KINDS, () => T0);
    expect(await statusCounts("Twice")).toEqual({ deleted: 8 });
    expect(await entriesPerUser("user.deleted", "Twice")).toEqual(Array(8).fill(1));
  });

  it("resumes a job interrupted mid-batch without doing any batch twice", async () => {
    await addUsers(t.db, "Resume", 35, "Austin");
    const selection = await resolveSelection(t.db, ada, searchUrl("delete", "Resume"));
    if (!selection.ok) throw new Error(selection.message);
    const id = await enqueueBulk(t.db, ada, "delete", selection.ids, "remove", T0, 10);

    await runJobBatch(t.db, JOB_KINDS, T0);
    expect(await statusCounts("Resume")).toEqual({ active: 25, deleted: 10 });
    // The server stops after the second batch's work, before its commit: all of it rolls back.
    const crashing = {
      [BULK_APPLY]: async (...args: Parameters<typeof applyBulkBatch>) => {
        await applyBulkBatch(...args);
        throw new Error("the server stopped");
      },
    };
    await runJobBatch(t.db, crashing, T0);
    expect(await statusCounts("Resume")).toEqual({ active: 25, deleted: 10 });
    expect(await job(id)).toMatchObject({ state: "running", done: 10 });

    await runJobs(t.db, JOB_KINDS, () => T0);
    expect(await statusCounts("Resume")).toEqual({ deleted: 35 });
    expect(await job(id)).toMatchObject({ state: "done", result: { changed: 35, skipped: 0 } });
    expect(await entriesPerUser("user.deleted", "Resume")).toEqual(Array(35).fill(1));
  });

  it("never touches users outside the admin's offices: not those moved out since, nor those who match only later", async () => {
    await addUsers(t.db, "Scoped", 20, "New York");
    await addUsers(t.db, "Scopedaustin", 5, "Austin");
    const url = searchUrl("add_admin", "Scoped");
    // Olive administers New York: her selection is its 20.
    const input = { action: "add_admin" as const, count: 20, license: "keep" as const };
    const confirmed = await confirmSearchBulk(t.db, olive, url, input, T0, 10);
    if (!confirmed.ok || !("jobId" in confirmed)) throw new Error("not queued");
    // After the confirmation, one of them moves to Austin, and New York users join the search.
    await sql`update users set office_id = (select id from offices where name = 'Austin' and company_id = users.company_id)
               where email = 'Scoped1@acme.test'`.execute(t.db);
    await addUsers(t.db, "Scopedlater", 3, "New York");
    await runJobs(t.db, JOB_KINDS, () => T0);

    const admins = await sql<{ email: string }>`
      select u.email from users u join office_admins oa on oa.user_id = u.id
       where u.first_name like 'Scoped%' order by u.email`.execute(t.db);
    const expected = Array.from({ length: 19 }, (_, i) => `Scoped${i + 2}@acme.test`).sort();
    expect(admins.rows.map((r) => r.email)).toEqual(expected);
    expect(await job(confirmed.jobId)).toMatchObject({
      state: "done",
      result: { changed: 19, skipped: 0, untouched: 1 },
    });
  });

  it("stops when the admin who confirmed may no longer run the action, changing nobody after that", async () => {
    await addUsers(t.db, "Stopped", 25, "New York");
    const selection = await resolveSelection(t.db, olive, searchUrl("add_admin", "Stopped"));
    if (!selection.ok) throw new Error(selection.message);
    const id = await enqueueBulk(t.db, olive, "add_admin", selection.ids, "keep", T0, 10);
    await runJobBatch(t.db, JOB_KINDS, T0);
    // Olive is no longer an Office Admin of New York.
    await sql`delete from office_admins where user_id = ${olive.person.id}`.execute(t.db);
    await runJobs(t.db, JOB_KINDS, () => T0);

    expect(await entriesPerUser("user.admin_access_added", "Stopped")).toEqual(Array(10).fill(1));
    expect(await job(id)).toMatchObject({
      state: "done",
      done: 10,
      result: {
        changed: 10,
        skipped: 0,
        untouched: 0,
        stopped: "Stopped after 10 users: the admin who confirmed may no longer do this.",
      },
    });
  });

  // Last: its 5,050 more Austin users would slow the jobs of the tests above.
  it("Transfer users takes the first 5,000 of a larger match, in the list's order, and says there were more", async () => {
    await addUsers(t.db, "Manytransfer", MANY, "Austin");
    const selection = await resolveSelection(t.db, ada, searchUrl("transfer", "Manytransfer"));
    expect(selection).toMatchObject({ ok: true, tooMany: true, search: true });
    if (!selection.ok) throw new Error(selection.message);
    expect(selection.ids).toHaveLength(BULK_LIMIT);
    const firstInListOrder = await t.db
      .selectFrom("users")
      .select("id")
      .where("first_name", "=", "Manytransfer")
      .orderBy("last_name")
      .orderBy("id")
      .limit(BULK_LIMIT)
      .execute();
    expect(new Set(selection.ids)).toEqual(new Set(firstInListOrder.map((u) => u.id)));
  });
});
