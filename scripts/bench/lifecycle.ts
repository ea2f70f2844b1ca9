/**
 * The user lifecycle at scale, on the PostgreSQL server: a bulk delete of
 * 1,000 users and a purge of 10,000 expired ones, each as time and SQL
 * statements; then the bulk job on everyone a search matches at the issue's
 * scale, 100,000 users given admin access and then deleted, each queued as the
 * confirmation queues it and run to its end by the job runner, batch after
 * batch. It works in a scratch database of its own (dropped after), so the
 * 100,000-user bench database stays as it is.
 */
import pg from "pg";
import { DATABASE_OPTIONS, migrateToLatest, openDatabase } from "../../db/connect.ts";
import { seedDemo } from "../../db/seed/demo.ts";
import { seedScale } from "../../db/seed/scale.ts";
import { loadActor } from "../../app/auth/actor.server.ts";
import { createSession, hashToken } from "../../app/auth/session.server.ts";
import { deleteUsers } from "../../app/users/delete.server.ts";
import { purgeExpired } from "../../app/users/anonymize.server.ts";
import { enqueueBulk, type BulkJobResult } from "../../app/users/bulk-job.server.ts";
import { runJobs } from "../../app/jobs/runner.server.ts";
import { JOB_KINDS } from "../../app/jobs/kinds.server.ts";

const BULK = 1_000;
const PURGE = 10_000;
const JOB = 100_000;
const HOUR = 3600_000;

/** Runs one statement (CREATE or DROP DATABASE, say) in the server's `postgres` database. */
export async function admin(databaseUrl: string, sql: string) {
  const url = new URL(databaseUrl);
  url.pathname = "/postgres";
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function benchLifecycle(databaseUrl: string): Promise<void> {
  const name = `${new URL(databaseUrl).pathname.slice(1)}_bench_lifecycle`;
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  await admin(databaseUrl, `drop database if exists ${name} with (force)`);
  await admin(databaseUrl, `create database ${name} ${DATABASE_OPTIONS}`);
  let statements = 0;
  const h = await openDatabase({ url: url.toString(), log: () => void statements++ });
  try {
    await migrateToLatest(h.db);
    const past = new Date(Date.now() - 100 * HOUR);
    await seedDemo(h.db, past);
    console.log(`\nLifecycle: seeding ${(BULK + PURGE + JOB).toLocaleString("en-US")} users in ${name}…`);
    await seedScale(h.db, BULK + PURGE + JOB, () => undefined);
    const ada = await h.db
      .selectFrom("users")
      .select("id")
      .where("email", "=", "ada@acme.test")
      .executeTakeFirstOrThrow();
    const request = new Request("http://localhost/");
    const cookie = (await createSession(h.db, request, null, ada.id, past))!;
    const token = decodeURIComponent(cookie.split(";")[0]!.split("=")[1]!);
    const actor = (await loadActor(h.db, null, hashToken(token), past))!;
    const ids = (
      await h.db
        .selectFrom("users")
        .select("id")
        .where("email", "like", "%.%@acme.test")
        .orderBy("id")
        .execute()
    ).map((r) => r.id);

    const measure = async (label: string, work: () => Promise<unknown>) => {
      statements = 0;
      const started = performance.now();
      await work();
      console.log(
        `  ${label.padEnd(44)} ${(performance.now() - started).toFixed(0).padStart(6)} ms  ${String(statements).padStart(3)} statements`,
      );
    };
    // 100 hours ago, so that the purge below finds these 10,000 expired.
    await measure(`bulk delete of ${PURGE.toLocaleString("en-US")} users (setup)`, () =>
      deleteUsers(h.db, actor, ids.slice(BULK, BULK + PURGE), "keep", past),
    );
    await measure(`bulk delete of ${BULK.toLocaleString("en-US")} users`, () =>
      deleteUsers(h.db, actor, ids.slice(0, BULK), "keep", new Date()),
    );
    await measure(`purge of ${PURGE.toLocaleString("en-US")} expired users`, () =>
      purgeExpired(h.db, new Date()),
    );
    // The job's users, as a confirmation counted them; each action queued, then run to its end.
    const jobIds = ids.slice(BULK + PURGE);
    for (const action of ["add_admin", "delete"] as const) {
      let result: unknown;
      await measure(`${action} on ${jobIds.length.toLocaleString("en-US")} users, as a job`, async () => {
        const id = await enqueueBulk(h.db, actor, action, jobIds, "keep", new Date());
        await runJobs(h.db, JOB_KINDS, () => new Date());
        const job = await h.db
          .selectFrom("jobs")
          .select("result")
          .where("id", "=", id)
          .executeTakeFirstOrThrow();
        result = job.result;
      });
      const r = result as BulkJobResult | null;
      console.log(
        `    changed ${r?.changed.toLocaleString("en-US")}, skipped ${r?.skipped.toLocaleString("en-US")}, untouched ${r?.untouched.toLocaleString("en-US")}${r?.stopped ? `: ${r.stopped}` : ""}`,
      );
    }
    console.log(
      "  Aims: bulk delete of 1,000 under 1 s; purge of 10,000 under 10 s; 100,000 users given admin access, or deleted, under 60 s.",
    );
  } finally {
    await h.close();
    await admin(databaseUrl, `drop database if exists ${name} with (force)`);
  }
}
