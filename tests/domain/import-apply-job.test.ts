/**
 * Import users, a large file's confirmation (app/users/import-confirm.server.ts,
 * applyImportBatch): queued as a job, applied by the runner in one
 * transaction with the job's completion, its progress written outside it; its
 * invites mailed by a job of their own in batches, at most once each; a job
 * interrupted or taken again adds nobody twice; a review gone stale before
 * the job ran is checked again and says so; a job that fails leaves nothing
 * and says so; of two confirmations at once on the server, one queues the job
 * and the other is told.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { sql, type Kysely } from "kysely";
import { freshDatabase, type TestDatabase } from "../support/db.ts";
import { actorFor } from "../support/actors.ts";
import { seedDemo } from "../../db/seed/demo.ts";
import type { Database } from "../../db/schema.ts";
import type { Actor } from "../../app/auth/actor.server.ts";
import {
  importReview,
  IN_REQUEST_ROWS,
  startImport,
  type ImportResult,
} from "../../app/users/import-review.server.ts";
import {
  APPLY_BATCH,
  applyImportBatch,
  confirmImport,
  IMPORT_APPLY,
  IMPORT_UNDER_WAY,
} from "../../app/users/import-confirm.server.ts";
import { runJobBatch, runJobs, MAX_ATTEMPTS } from "../../app/jobs/runner.server.ts";
import { JOB_KINDS } from "../../app/jobs/kinds.server.ts";
import { IMPORT_MAIL, MAIL_BATCH, mailImportBatch } from "../../app/users/import-mail.server.ts";

const T0 = new Date("2026-06-01T12:00:00Z");
const OUTBOX_DIR = `.tmp/import-apply-job-test-${process.pid}`;
const ORIGIN = "http://switchboard.test";
/** Just over what a request applies itself. */
const ROWS = IN_REQUEST_ROWS + 20;

let t: TestDatabase;
let ada: Actor;
beforeAll(async () => {
  process.env.DATA_DIR = OUTBOX_DIR;
  t = await freshDatabase();
  await prepare(t.db);
  ada = await actorFor(t.db, "ada@acme.test", T0);
});
afterAll(async () => {
  await t.close();
  rmSync(OUTBOX_DIR, { recursive: true, force: true });
});

/** The demo company, with seats and new numbers in Austin for a few large files. */
async function prepare(db: Kysely<Database>) {
  await seedDemo(db, T0);
  await sql`update license_pools set purchased = assigned + 10000
             where license_type = 'connect' and office_id = (select id from offices where name = 'Austin')`.execute(
    db,
  );
  await sql`insert into provider_numbers (e164, country, area_code, kind)
            select '+1512777' || lpad(g::text, 4, '0'), 'US', '512', 'local' from generate_series(0, 9999) g`.execute(
    db,
  );
}

/** Uploads a file of ROWS new people (their emails starting with `tag`) and has the runner review it. */
async function reviewedLarge(db: Kysely<Database>, actor: Actor, tag: string) {
  const rows = Array.from({ length: ROWS }, (_, i) => `Big,Person${i},${tag}${i}@acme.test,Austin`);
  const started = await startImport(
    db,
    actor,
    new Blob([["First name,Last name,Email,Office", ...rows].join("\n")]),
    T0,
  );
  if (!started.ok) throw new Error(started.message);
  await runJobs(db, JOB_KINDS, () => T0);
  const job = await db
    .selectFrom("jobs")
    .select("result")
    .where("id", "=", started.jobId)
    .executeTakeFirstOrThrow();
  const result = job.result as ImportResult;
  expect(result).toMatchObject({ add: ROWS, errors: 0 });
  return { jobId: started.jobId, key: result.key };
}

const usersLike = async (db: Kysely<Database>, tag: string) =>
  Number(
    (
      await db
        .selectFrom("users")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("email", "like", `${tag}%`)
        .executeTakeFirstOrThrow()
    ).n,
  );

const applyJob = (db: Kysely<Database>, reviewId: number) =>
  db
    .selectFrom("jobs")
    .select(["id", "state", "done", "total", "attempts", "result"])
    .where("kind", "=", IMPORT_APPLY)
    .where(sql<number>`(payload->>'review')::int`, "=", reviewId)
    .execute();

/** Mails written so far (no SMTP_URL: each is a file in the outbox). */
const outboxFiles = () => (existsSync(`${OUTBOX_DIR}/outbox`) ? readdirSync(`${OUTBOX_DIR}/outbox`) : []);
const outbox = () => outboxFiles().length;

describe("a large file's confirmation", () => {
  it("queues the import as a job, tells a second confirmation it is under way, and the job applies it with its invites", async () => {
    const { jobId, key } = await reviewedLarge(t.db, ada, "queued.");
    const mailed = outbox();
    expect(await confirmImport(t.db, ada, jobId, key, ORIGIN, T0)).toEqual({ ok: true, queued: true });
    expect(await usersLike(t.db, "queued.")).toBe(0);
    expect(await applyJob(t.db, jobId)).toMatchObject([{ state: "queued", done: 0, total: ROWS }]);
    expect(await confirmImport(t.db, ada, jobId, key, ORIGIN, T0)).toEqual({
      ok: false,
      kind: "refused",
      message: IMPORT_UNDER_WAY,
    });

    await runJobs(t.db, JOB_KINDS, () => T0);
    expect(await usersLike(t.db, "queued.")).toBe(ROWS);
    expect(await applyJob(t.db, jobId)).toMatchObject([
      { state: "done", done: ROWS, total: ROWS, result: { added: ROWS, updated: 0 } },
    ]);
    const review = await t.db
      .selectFrom("jobs")
      .select("result")
      .where("id", "=", jobId)
      .executeTakeFirstOrThrow();
    expect(review.result).toMatchObject({ imported: { added: ROWS, updated: 0 } });
    const invites = await t.db
      .selectFrom("invites as i")
      .innerJoin("users as u", "u.id", "i.user_id")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("u.email", "like", "queued.%")
      .executeTakeFirstOrThrow();
    expect(Number(invites.n)).toBe(ROWS);
    expect(outbox() - mailed).toBe(ROWS);
    const summary = await t.db
      .selectFrom("audit_log")
      .select("after")
      .where("action", "=", "users.imported")
      .where(sql<number>`(after->>'job')::int`, "=", jobId)
      .execute();
    expect(summary).toEqual([{ after: { job: jobId, added: ROWS, updated: 0 } }]);
  });

  it("an apply interrupted mid-way leaves nothing, resumes from the start, and a job taken again adds nobody twice", async () => {
    const { jobId, key } = await reviewedLarge(t.db, ada, "resumed.");
    const mailed = outbox();
    expect(await confirmImport(t.db, ada, jobId, key, ORIGIN, T0)).toEqual({ ok: true, queued: true });
    // A server that stops once the apply ran but before its commit.
    const stopping = {
      ...JOB_KINDS,
      [IMPORT_APPLY]: async (...args: Parameters<typeof applyImportBatch>) => {
        await applyImportBatch(...args);
        throw new Error("server stopped");
      },
    };
    await runJobs(t.db, stopping, () => T0, 1);
    expect(await usersLike(t.db, "resumed.")).toBe(0);
    expect(outbox() - mailed).toBe(0);
    expect(await applyJob(t.db, jobId)).toMatchObject([{ state: "queued", attempts: 1 }]);

    await runJobs(t.db, JOB_KINDS, () => T0);
    expect(await usersLike(t.db, "resumed.")).toBe(ROWS);
    expect(outbox() - mailed).toBe(ROWS);

    // The same job taken again (as a runner that never saw it finish would): it finds the file imported.
    const [job] = await applyJob(t.db, jobId);
    await t.db
      .updateTable("jobs")
      .set({ state: "running", finished_at: null })
      .where("id", "=", job!.id)
      .execute();
    await runJobs(t.db, JOB_KINDS, () => T0);
    expect(await usersLike(t.db, "resumed.")).toBe(ROWS);
    expect(outbox() - mailed).toBe(ROWS);
    expect(await applyJob(t.db, jobId)).toMatchObject([{ state: "done" }]);
  });
});

describe("a large import's invites", () => {
  it("are mailed by a job in batches once the import has committed, the page counting them, and never twice after a stop", async () => {
    const { jobId, key } = await reviewedLarge(t.db, ada, "mailed.");
    const mailed = outbox();
    expect(await confirmImport(t.db, ada, jobId, key, ORIGIN, T0)).toEqual({ ok: true, queued: true });

    // The apply commits with every user and invite, and mails nobody itself.
    await runJobs(t.db, JOB_KINDS, () => T0, 1);
    expect(await usersLike(t.db, "mailed.")).toBe(ROWS);
    expect(outbox() - mailed).toBe(0);
    const [apply] = await applyJob(t.db, jobId);
    // Its progress, reported after its batch of lines (on PGlite written at its end).
    expect(
      await t.db.selectFrom("job_progress").select("done").where("job_id", "=", apply!.id).executeTakeFirst(),
    ).toEqual({ done: ROWS });
    const page = await importReview(t.db, ada, jobId);
    expect(page?.review?.counts.imported).toMatchObject({ added: ROWS, updated: 0 });
    expect(page?.mailing).toEqual({ state: "queued", done: 0, total: ROWS });

    await runJobs(t.db, JOB_KINDS, () => T0, 1);
    expect(outbox() - mailed).toBe(MAIL_BATCH);
    expect((await importReview(t.db, ada, jobId))?.mailing).toEqual({
      state: "running",
      done: MAIL_BATCH,
      total: ROWS,
    });

    // A server that stops before a batch commits: nothing of it is mailed or marked, and it is taken again.
    const failing = {
      ...JOB_KINDS,
      [IMPORT_MAIL]: async (...args: Parameters<typeof mailImportBatch>) => {
        await mailImportBatch(...args);
        throw new Error("server stopped");
      },
    };
    await runJobs(t.db, failing, () => T0, 1);
    expect(outbox() - mailed).toBe(MAIL_BATCH);
    expect((await importReview(t.db, ada, jobId))?.mailing).toMatchObject({ done: MAIL_BATCH });
    // A server that stops after a batch committed, before the mailer: that batch is lost, not mailed twice.
    const stopping = {
      ...JOB_KINDS,
      [IMPORT_MAIL]: async (...args: Parameters<typeof mailImportBatch>) => ({
        ...(await mailImportBatch(...args)),
        afterCommit: undefined,
      }),
    };
    await runJobs(t.db, stopping, () => T0, 1);
    expect(outbox() - mailed).toBe(MAIL_BATCH);

    await runJobs(t.db, JOB_KINDS, () => T0);
    expect(outbox() - mailed).toBe(ROWS - MAIL_BATCH);
    expect((await importReview(t.db, ada, jobId))?.mailing).toEqual({
      state: "done",
      done: ROWS,
      total: ROWS,
    });
    const pending = await t.db
      .selectFrom("invites")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("mail_pending", "=", true)
      .executeTakeFirstOrThrow();
    expect(Number(pending.n)).toBe(0);
    // Nobody mailed twice: one file at most per user.
    const ids = outboxFiles().map((f) => /-user-(\d+)-/.exec(f)![1]);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe("a large import's invites the mailer refuses", () => {
  it("are not counted as sent: the page says how many were not, and they stay marked still to mail", async () => {
    const { jobId, key } = await reviewedLarge(t.db, ada, "unmailed.");
    expect(await confirmImport(t.db, ada, jobId, key, ORIGIN, T0)).toEqual({ ok: true, queued: true });
    await runJobs(t.db, JOB_KINDS, () => T0, 1); // the apply
    const mailed = outbox();
    // An SMTP server that refuses every connection (nothing listens on port 1).
    process.env.SMTP_URL = "smtp://127.0.0.1:1";
    try {
      await runJobs(t.db, JOB_KINDS, () => T0);
    } finally {
      delete process.env.SMTP_URL;
    }
    expect(outbox() - mailed).toBe(0);
    const page = await importReview(t.db, ada, jobId);
    expect(page?.mailing).toMatchObject({ state: "done", total: ROWS });
    expect(page?.unmailed).toBe(ROWS);
  });
});

describe("a file of more than one apply batch", () => {
  it("is applied batch by batch in one transaction: every row added, a number named late in the file kept for its row", async () => {
    const s = await freshDatabase();
    try {
      await seedDemo(s.db, T0);
      const rows = APPLY_BATCH + 10;
      await sql`update license_pools set purchased = assigned + ${rows}
                 where license_type = 'connect' and office_id = (select id from offices where name = 'Austin')`.execute(
        s.db,
      );
      await sql`insert into provider_numbers (e164, country, area_code, kind)
                select '+151288' || lpad(g::text, 5, '0'), 'US', '512', 'local' from generate_series(0, ${rows}) g`.execute(
        s.db,
      );
      // Austin's next Reserved Number: the first row would take it, were it not named by the last.
      const { e164: named } = await s.db
        .selectFrom("phone_numbers as n")
        .innerJoin("offices as o", "o.id", "n.office_id")
        .select("n.e164")
        .where("o.name", "=", "Austin")
        .where("n.state", "=", "reserved")
        .where("n.kind", "=", "local")
        .orderBy(sql`n.unassigned_at desc nulls last`)
        .orderBy("n.id", "desc")
        .executeTakeFirstOrThrow();
      const me = await actorFor(s.db, "ada@acme.test", T0);
      const file = Array.from(
        { length: rows },
        (_, i) => `Many,Person${i},many.${i}@acme.test,Austin,${i === rows - 1 ? named : ""}`,
      );
      const started = await startImport(
        s.db,
        me,
        new Blob([["First name,Last name,Email,Office,Number", ...file].join("\n")]),
        T0,
      );
      if (!started.ok) throw new Error(started.message);
      while (await runJobBatch(s.db, JOB_KINDS, T0, started.jobId));
      const review = await importReview(s.db, me, started.jobId);
      expect(review?.review?.counts).toMatchObject({ add: rows, errors: 0 });
      expect(await confirmImport(s.db, me, started.jobId, review!.review!.counts.key, ORIGIN, T0)).toEqual({
        ok: true,
        queued: true,
      });
      const [apply] = await applyJob(s.db, started.jobId);
      while (await runJobBatch(s.db, JOB_KINDS, T0, apply!.id));

      expect(await usersLike(s.db, "many.")).toBe(rows);
      const numberOf = async (email: string) =>
        (
          await s.db
            .selectFrom("users as u")
            .innerJoin("phone_numbers as n", "n.assigned_user_id", "u.id")
            .select("n.e164")
            .where("u.email", "=", email)
            .where("n.is_primary", "=", true)
            .executeTakeFirst()
        )?.e164;
      expect(await numberOf(`many.${rows - 1}@acme.test`)).toBe(named);
      expect(await numberOf("many.0@acme.test")).not.toBe(named);
      expect(await applyJob(s.db, started.jobId)).toMatchObject([{ state: "done", done: rows }]);
      expect(
        await s.db
          .selectFrom("job_progress")
          .select("done")
          .where("job_id", "=", apply!.id)
          .executeTakeFirst(),
      ).toEqual({ done: rows });
    } finally {
      await s.close();
    }
  });
});

describe("a large import's job that cannot apply", () => {
  it("finds its review gone stale since the confirmation: nothing written, the file checked again, the page says so", async () => {
    const { jobId, key } = await reviewedLarge(t.db, ada, "stale.");
    expect(await confirmImport(t.db, ada, jobId, key, ORIGIN, T0)).toEqual({ ok: true, queued: true });
    // Before the job runs, another admin adds someone with an email a row adds.
    await sql`insert into users (company_id, office_id, first_name, last_name, email, license_type, status, created_at)
              select company_id, id, 'Other', 'Person', 'stale.7@acme.test', 'connect', 'pending', ${T0}::timestamptz
                from offices where name = 'Austin'`.execute(t.db);

    await runJobs(t.db, JOB_KINDS, () => T0);
    expect(await usersLike(t.db, "stale.")).toBe(1);
    expect(await applyJob(t.db, jobId)).toMatchObject([{ state: "done", result: { refused: "outdated" } }]);
    const page = await importReview(t.db, ada, jobId);
    expect(page?.stale).toBe(true);
    expect(page?.review?.counts).toMatchObject({ add: ROWS - 1 });

    // Confirmed again, it imports the rest, and the page no longer says it changed.
    const again = await confirmImport(t.db, ada, jobId, page!.review!.counts.key, ORIGIN, T0);
    expect(again).toEqual({ ok: true, queued: true });
    await runJobs(t.db, JOB_KINDS, () => T0);
    expect(await usersLike(t.db, "stale.")).toBe(ROWS);
    expect((await importReview(t.db, ada, jobId))?.stale).toBe(false);
  });

  it("fails (a constraint broken): nothing written, the job failed, the page says so; confirmed again it imports", async () => {
    const { jobId, key } = await reviewedLarge(t.db, ada, "failing.");
    expect(await confirmImport(t.db, ada, jobId, key, ORIGIN, T0)).toEqual({ ok: true, queued: true });
    // A constraint the apply breaks on one row, standing in for any error of its statements.
    await sql`alter table users add constraint test_import_fails check (email <> 'failing.9@acme.test')`.execute(
      t.db,
    );
    try {
      await runJobs(t.db, JOB_KINDS, () => T0);
    } finally {
      await sql`alter table users drop constraint test_import_fails`.execute(t.db);
    }
    expect(await usersLike(t.db, "failing.")).toBe(0);
    expect(await applyJob(t.db, jobId)).toMatchObject([{ state: "failed", attempts: MAX_ATTEMPTS }]);
    const audit = await t.db
      .selectFrom("audit_log")
      .select("id")
      .where("action", "=", "users.imported")
      .where(sql<number>`(after->>'job')::int`, "=", jobId)
      .execute();
    expect(audit).toEqual([]);
    const page = await importReview(t.db, ada, jobId);
    expect(page?.importing).toMatchObject({ state: "failed" });
    expect(page?.review?.counts.imported).toBeUndefined();

    expect(await confirmImport(t.db, ada, jobId, key, ORIGIN, T0)).toEqual({ ok: true, queued: true });
    await runJobs(t.db, JOB_KINDS, () => T0);
    expect(await usersLike(t.db, "failing.")).toBe(ROWS);
  });
});

describe.runIf(!!process.env.DATABASE_URL)("on the PostgreSQL server", () => {
  it("of two confirmations of a large file at once, one queues the job and the other is told it is under way", async () => {
    const s = await freshDatabase({ poolSize: 6 });
    try {
      await prepare(s.db);
      const me = await actorFor(s.db, "ada@acme.test", T0);
      const { jobId, key } = await reviewedLarge(s.db, me, "both.");
      const both = await Promise.all([
        confirmImport(s.db, me, jobId, key, ORIGIN, T0),
        confirmImport(s.db, me, jobId, key, ORIGIN, T0),
      ]);
      expect(both.filter((r) => r.ok)).toEqual([{ ok: true, queued: true }]);
      expect(both.filter((r) => !r.ok)).toEqual([{ ok: false, kind: "refused", message: IMPORT_UNDER_WAY }]);
      expect(await applyJob(s.db, jobId)).toHaveLength(1);
      await runJobs(s.db, JOB_KINDS, () => T0);
      expect(await usersLike(s.db, "both.")).toBe(ROWS);
    } finally {
      await s.close();
    }
  });

  it("a page read while the apply job commits shows what was imported, not a review that no longer refreshes", async () => {
    const s = await freshDatabase({ poolSize: 4 });
    try {
      await prepare(s.db);
      const me = await actorFor(s.db, "ada@acme.test", T0);
      const { jobId, key } = await reviewedLarge(s.db, me, "between.");
      expect(await confirmImport(s.db, me, jobId, key, ORIGIN, T0)).toEqual({ ok: true, queued: true });
      // The apply job commits just after the page has read the review (still being imported), before it
      // reads the apply job: on the server the page's reads are separate statements on separate connections.
      let reads = 0;
      const between = s.db.withPlugin({
        transformQuery: ({ node }) => node,
        transformResult: async ({ result }) => {
          if (reads++ === 0) await runJobs(s.db, JOB_KINDS, () => T0, 1);
          return result;
        },
      });
      const page = await importReview(between, me, jobId);
      expect(page?.importing).toBeNull();
      expect(page?.review?.counts.imported).toMatchObject({ added: ROWS, updated: 0 });
    } finally {
      await s.close();
    }
  });
});
