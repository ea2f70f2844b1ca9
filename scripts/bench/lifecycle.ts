/**
 * The user lifecycle at scale, on the PostgreSQL server: a bulk delete of
 * 1,000 users and a purge of 10,000 expired ones, each as time and SQL
 * statements, in a scratch database of their own. Then the bulk job on
 * everyone a search matches at the issue's scale, 100,000 users given admin
 * access and then deleted, each queued as the confirmation queues it and run
 * to its end by the job runner, batch after batch: in a copy of the bench
 * database (the million users and ten million audit entries of
 * `--users 1000000`), topped up to 100,000 users if it has fewer. Both are
 * dropped after, so the bench database stays as it is.
 */
import pg from "pg";
import { sql, type Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
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
export async function admin(databaseUrl: string, statement: string) {
  const url = new URL(databaseUrl);
  url.pathname = "/postgres";
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** A scratch database on the server: created (empty, or a copy of `template`), used, then dropped. */
async function scratch(databaseUrl: string, suffix: string, template?: string) {
  const name = `${new URL(databaseUrl).pathname.slice(1)}_bench_${suffix}`;
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  await admin(databaseUrl, `drop database if exists ${name} with (force)`);
  // A file copy: the default strategy writes the whole template to the WAL.
  await admin(
    databaseUrl,
    `create database ${name} ${template ? `template "${template}" strategy file_copy` : DATABASE_OPTIONS}`,
  );
  const counted = { statements: 0, vacuumMs: 0 };
  const h = await openDatabase({
    url: url.toString(),
    log: (event) => {
      counted.statements++;
      if (event.level === "query" && event.query.sql.startsWith("vacuum"))
        counted.vacuumMs += event.queryDurationMillis;
    },
  });
  return {
    name,
    db: h.db,
    counted,
    drop: async () => {
      await h.close();
      await admin(databaseUrl, `drop database if exists ${name} with (force)`);
    },
  };
}

/** Ada, signed in: the actor of every change below. */
async function ada(db: Kysely<Database>, at: Date) {
  const { id } = await db
    .selectFrom("users")
    .select("id")
    .where("email", "=", "ada@acme.test")
    .executeTakeFirstOrThrow();
  const cookie = (await createSession(db, new Request("http://localhost/"), null, id, at))!;
  const token = decodeURIComponent(cookie.split(";")[0]!.split("=")[1]!);
  return (await loadActor(db, null, hashToken(token), at))!;
}

/** The scale seed's users of Acme not deleted, by id: those a search for all of them matches. */
const seeded = async (db: Kysely<Database>, limit: number) =>
  (
    await db
      .selectFrom("users")
      .select("id")
      .where("email", "like", "%.%@acme.test")
      .where("status", "<>", "deleted")
      .orderBy("id")
      .limit(limit)
      .execute()
  ).map((r) => r.id);

const line = (label: string, ms: number, statements: number, more = "") =>
  console.log(
    `  ${label.padEnd(44)} ${ms.toFixed(0).padStart(6)} ms  ${String(statements).padStart(5)} statements${more}`,
  );

export async function benchLifecycle(databaseUrl: string, benchDatabase: string): Promise<void> {
  const small = await scratch(databaseUrl, "lifecycle");
  try {
    await migrateToLatest(small.db);
    const past = new Date(Date.now() - 100 * HOUR);
    await seedDemo(small.db, past);
    console.log(`\nLifecycle: seeding ${(BULK + PURGE).toLocaleString("en-US")} users in ${small.name}…`);
    await seedScale(small.db, BULK + PURGE, () => undefined);
    const actor = await ada(small.db, past);
    const ids = await seeded(small.db, BULK + PURGE);
    const measure = async (label: string, work: () => Promise<unknown>) => {
      small.counted.statements = 0;
      const started = performance.now();
      await work();
      line(label, performance.now() - started, small.counted.statements);
    };
    // 100 hours ago, so that the purge below finds these 10,000 expired.
    await measure(`bulk delete of ${PURGE.toLocaleString("en-US")} users (setup)`, () =>
      deleteUsers(small.db, actor, ids.slice(BULK), "keep", past),
    );
    await measure(`bulk delete of ${BULK.toLocaleString("en-US")} users`, () =>
      deleteUsers(small.db, actor, ids.slice(0, BULK), "keep", new Date()),
    );
    await measure(`purge of ${PURGE.toLocaleString("en-US")} expired users`, () =>
      purgeExpired(small.db, new Date()),
    );
  } finally {
    await small.drop();
  }

  console.log(`  copying ${benchDatabase} for the jobs…`);
  const big = await scratch(databaseUrl, "jobs", benchDatabase);
  try {
    const now = new Date();
    const have = (await seeded(big.db, JOB)).length;
    if (have < JOB) await seedScale(big.db, JOB - have, () => undefined);
    const { audit } = await sql<{ audit: string }>`select count(*) as audit from audit_log`
      .execute(big.db)
      .then((r) => r.rows[0]!);
    console.log(
      `  (${have.toLocaleString("en-US")} of its users${have < JOB ? `, and ${(JOB - have).toLocaleString("en-US")} more made` : ""}; ${Number(audit).toLocaleString("en-US")} audit entries)`,
    );
    const actor = await ada(big.db, now);
    // The job's users, as a confirmation counted them; each action queued, then run to its end.
    const jobIds = await seeded(big.db, JOB);
    for (const action of ["add_admin", "delete"] as const) {
      big.counted.statements = 0;
      big.counted.vacuumMs = 0;
      const started = performance.now();
      const id = await enqueueBulk(big.db, actor, action, jobIds, "keep", new Date());
      await runJobs(big.db, JOB_KINDS, () => new Date());
      const ms = performance.now() - started;
      const job = await big.db
        .selectFrom("jobs")
        .select("result")
        .where("id", "=", id)
        .executeTakeFirstOrThrow();
      // The job's page says it is done when its last batch commits; the VACUUM that erases the old row
      // versions of those it anonymized runs after (app/users/bulk-job.server.ts).
      const vacuum = big.counted.vacuumMs;
      line(
        `${action} on ${jobIds.length.toLocaleString("en-US")} users, as a job`,
        ms,
        big.counted.statements,
        vacuum > 0 ? `: done at ${(ms - vacuum).toFixed(0)} ms, then its VACUUM ${vacuum.toFixed(0)} ms` : "",
      );
      const r = job.result as BulkJobResult | null;
      console.log(
        `    changed ${r?.changed.toLocaleString("en-US")}, skipped ${r?.skipped.toLocaleString("en-US")}, untouched ${r?.untouched.toLocaleString("en-US")}${r?.stopped ? `: ${r.stopped}` : ""}`,
      );
    }
    console.log(
      "  Aims: bulk delete of 1,000 under 1 s; purge of 10,000 under 10 s; 100,000 users given admin access, or deleted, under 60 s.",
    );
  } finally {
    await big.drop();
  }
}
