/**
 * The job runner (app/jobs/runner.server.ts): batches that commit their
 * progress, failures counted and rolled back, a job interrupted mid-way
 * resumed from its last batch, and, on the server, two runners that never do
 * a batch twice; a batch's progress, written outside its transaction, seen
 * by others before it commits (on the server; on PGlite at its end).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql, type Kysely } from "kysely";
import { freshDatabase, type TestDatabase } from "../support/db.ts";
import { seedDemo } from "../../db/seed/demo.ts";
import { openDatabase } from "../../db/connect.ts";
import type { Database } from "../../db/schema.ts";
import {
  enqueueJob,
  runJobBatch,
  runJobs,
  sweepJobs,
  KEEP_FINISHED_MS,
  MAX_ATTEMPTS,
  type JobKinds,
} from "../../app/jobs/runner.server.ts";

const T0 = new Date("2026-06-01T12:00:00Z");
const now = () => T0;
const BATCH = 10;

/** Work that leaves a trace per item, so an item done twice shows. */
async function workTable(db: Kysely<Database>) {
  await sql`create table if not exists job_work (job_id int not null, item int not null)`.execute(db);
}
async function itemsDone(db: Kysely<Database>, jobId: number): Promise<number[]> {
  const { rows } = await sql<{
    item: number;
  }>`select item from job_work where job_id = ${jobId} order by item`.execute(db);
  return rows.map((r) => r.item);
}

/** A kind that does items [done, done + BATCH) and calls `during` after writing them, before it commits. */
function countingKind(during: (tx: Kysely<Database>, batchStart: number) => Promise<void> = async () => {}) {
  const kinds: JobKinds = {
    count: async (tx, job) => {
      const end = Math.min(job.done + BATCH, job.total);
      await sql`insert into job_work (job_id, item) select ${job.id}, g from generate_series(${job.done}::int, ${end - 1}::int) g`.execute(
        tx,
      );
      await during(tx, job.done);
      return end === job.total
        ? { done: end, total: job.total, result: { counted: end } }
        : { done: end, total: job.total };
    },
  };
  return kinds;
}

async function acme(db: Kysely<Database>) {
  return (await db.selectFrom("companies").select("id").where("name", "=", "Acme").executeTakeFirstOrThrow())
    .id;
}
const jobRow = (db: Kysely<Database>, id: number) =>
  db.selectFrom("jobs").selectAll().where("id", "=", id).executeTakeFirstOrThrow();

let t: TestDatabase;
let company: number;
beforeAll(async () => {
  t = await freshDatabase();
  await seedDemo(t.db, T0);
  await workTable(t.db);
  company = await acme(t.db);
});
afterAll(() => t.close());

describe("the job runner", () => {
  it("runs a job in batches, each committing its progress, until done with its result", async () => {
    const id = await enqueueJob(
      t.db,
      { kind: "count", companyId: company, actorUserId: null, total: 25, payload: {} },
      T0,
    );
    const kinds = countingKind();
    expect(await runJobBatch(t.db, kinds, T0)).toBe(true);
    expect(await jobRow(t.db, id)).toMatchObject({ state: "running", done: 10, total: 25, result: null });
    expect(await runJobs(t.db, kinds, now)).toBe(2);
    expect(await jobRow(t.db, id)).toMatchObject({ state: "done", done: 25, result: { counted: 25 } });
    expect(await itemsDone(t.db, id)).toEqual([...Array(25).keys()]);
    expect(await runJobBatch(t.db, kinds, T0)).toBe(false);
  });

  it("takes turns between jobs: a long one's next batch waits behind one that has waited longer", async () => {
    const at = (minute: number) => new Date(T0.getTime() + minute * 60_000);
    const job = (total: number, minute: number) =>
      enqueueJob(
        t.db,
        { kind: "count", companyId: company, actorUserId: null, total, payload: {} },
        at(minute),
      );
    const long = await job(40, 1);
    const short = await job(10, 2);
    const kinds = countingKind();
    await runJobBatch(t.db, kinds, at(3)); // the long one, queued first
    await runJobBatch(t.db, kinds, at(4)); // the short one, not the long one's second batch
    expect(await jobRow(t.db, short)).toMatchObject({ state: "done", done: 10 });
    expect(await jobRow(t.db, long)).toMatchObject({ state: "running", done: 10 });
    await runJobs(t.db, kinds, () => at(5));
    expect(await jobRow(t.db, long)).toMatchObject({ state: "done", done: 40 });
  });

  it("rolls back a failing batch, counts the attempt, and stops the job as failed after the last one", async () => {
    const id = await enqueueJob(
      t.db,
      { kind: "count", companyId: company, actorUserId: null, total: 30, payload: {} },
      T0,
    );
    const kinds = countingKind(async (_tx, start) => {
      if (start >= BATCH) throw new Error("the second batch breaks");
    });
    expect(await runJobs(t.db, kinds, now)).toBe(1 + MAX_ATTEMPTS);
    expect(await jobRow(t.db, id)).toMatchObject({
      state: "failed",
      done: 10,
      attempts: MAX_ATTEMPTS,
      error: "the second batch breaks",
    });
    expect(await itemsDone(t.db, id)).toEqual([...Array(10).keys()]);
  });

  it("a job of no known kind fails rather than blocking the queue", async () => {
    const id = await enqueueJob(
      t.db,
      { kind: "gone", companyId: company, actorUserId: null, total: 1, payload: {} },
      T0,
    );
    await runJobs(t.db, countingKind(), now);
    expect(await jobRow(t.db, id)).toMatchObject({ state: "failed", error: 'No job kind "gone"' });
  });

  it("sweeps jobs a day after they finished, and never one still under way", async () => {
    const done = await enqueueJob(
      t.db,
      { kind: "count", companyId: company, actorUserId: null, total: 5, payload: {} },
      T0,
    );
    await runJobs(t.db, countingKind(), now);
    const waiting = await enqueueJob(
      t.db,
      { kind: "count", companyId: company, actorUserId: null, total: 5, payload: {} },
      T0,
    );
    const later = new Date(T0.getTime() + KEEP_FINISHED_MS);
    await sweepJobs(t.db, new Date(later.getTime() - 1));
    expect(
      await t.db.selectFrom("jobs").select("id").where("id", "=", done).executeTakeFirst(),
    ).toBeDefined();
    await sweepJobs(t.db, later);
    expect(await t.db.selectFrom("jobs").select("id").where("id", "in", [done, waiting]).execute()).toEqual([
      { id: waiting },
    ]);
  });
});

describe("a job interrupted mid-way", () => {
  it("loses only the batch under way and resumes from its last committed progress", async () => {
    const h = await freshDatabase();
    try {
      await seedDemo(h.db, T0);
      await workTable(h.db);
      const id = await enqueueJob(
        h.db,
        { kind: "count", companyId: await acme(h.db), actorUserId: null, total: 35, payload: {} },
        T0,
      );
      // The server goes away while the second batch runs: on PostgreSQL the
      // connection is really ended; PGlite has no second connection to end, so
      // the driver's error for a lost connection stands in.
      const cut = countingKind(async (tx, start) => {
        if (start !== BATCH) return;
        if (process.env.DATABASE_URL) await sql`select pg_terminate_backend(pg_backend_pid())`.execute(tx);
        throw Object.assign(new Error("Connection terminated unexpectedly"), { code: "ECONNRESET" });
      });
      await expect(runJobs(h.db, cut, now)).rejects.toThrow();
      expect(await jobRow(h.db, id)).toMatchObject({ state: "running", done: 10, attempts: 0 });
      // A restarted server (a new connection pool on the same database) takes the job up again.
      const restarted = process.env.DATABASE_URL ? await openDatabase({ url: dbUrl(h.name) }) : h;
      try {
        expect(await runJobs(restarted.db, countingKind(), now)).toBe(3);
        expect(await jobRow(restarted.db, id)).toMatchObject({ state: "done", done: 35, attempts: 0 });
        expect(await itemsDone(restarted.db, id)).toEqual([...Array(35).keys()]);
      } finally {
        if (restarted !== h) await restarted.close();
      }
    } finally {
      await h.close();
    }
  });
});

function dbUrl(name: string): string {
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `/${name}`;
  return url.toString();
}

describe("a batch's progress while it runs", () => {
  it("is written outside the batch's transaction: seen before the commit on the server, at its end on PGlite", async () => {
    const id = await enqueueJob(
      t.db,
      { kind: "long", companyId: company, actorUserId: null, total: 3, payload: {} },
      T0,
    );
    const seen: (number | undefined)[] = [];
    const progressOf = async () =>
      (await t.db.selectFrom("job_progress").select("done").where("job_id", "=", id).executeTakeFirst())
        ?.done;
    await runJobBatch(
      t.db,
      {
        long: async (_tx, job, _now, progress) => {
          progress(1);
          progress(2);
          // On PGlite (one connection) a read outside the transaction would wait for it: read on the server only.
          if (t.kind === "postgres")
            await expect.poll(async () => (seen.push(await progressOf()), seen.at(-1))).toBe(2);
          return { done: 3, total: job.total, result: {} };
        },
      },
      T0,
      id,
    );
    if (t.kind === "postgres") expect(seen.at(-1)).toBe(2);
    // Done: the job's row says so, and its progress row holds the batch's last report.
    expect(await jobRow(t.db, id)).toMatchObject({ state: "done", done: 3 });
    expect(await progressOf()).toBe(2);
  });
});

describe.runIf(!!process.env.DATABASE_URL)("on the PostgreSQL server", () => {
  it("two servers' runners share the queue and never do a batch twice", async () => {
    const h = await freshDatabase({ poolSize: 4 });
    const second = await openDatabase({ url: dbUrl(h.name), poolSize: 4 });
    try {
      await seedDemo(h.db, T0);
      await workTable(h.db);
      const acmeId = await acme(h.db);
      const ids: number[] = [];
      for (let i = 0; i < 6; i++)
        ids.push(
          await enqueueJob(
            h.db,
            { kind: "count", companyId: acmeId, actorUserId: null, total: 95, payload: {} },
            T0,
          ),
        );
      // Each batch waits a little inside its transaction, so the two runners overlap.
      const slow = countingKind(async (tx) => void (await sql`select pg_sleep(0.01)`.execute(tx)));
      const [a, b] = await Promise.all([runJobs(h.db, slow, now), runJobs(second.db, slow, now)]);
      expect(a + b).toBe(6 * 10);
      expect(a).toBeGreaterThan(0);
      expect(b).toBeGreaterThan(0);
      for (const id of ids) {
        expect(await jobRow(h.db, id)).toMatchObject({ state: "done", done: 95 });
        expect(await itemsDone(h.db, id)).toEqual([...Array(95).keys()]);
      }
    } finally {
      await second.close();
      await h.close();
    }
  });
});
