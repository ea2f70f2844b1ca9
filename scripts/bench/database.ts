/**
 * The bench's own database on the PostgreSQL server: `<dbname>_bench` beside
 * the one DATABASE_URL names, so a run never fills the everyday database with
 * a hundred thousand made-up people; with --embedded, a PGlite folder of its
 * own. Each is kept between runs, since seeding the users is the slow part;
 * each run only tops Acme up to the count asked.
 */
import pg from "pg";
import { sql, type Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import { DATABASE_OPTIONS, migrateToLatest, openDatabase } from "../../db/connect.ts";
import { seedDemoIfEmpty, seedScale } from "../../db/seed/index.ts";
import { ACME } from "../../db/seed/demo.ts";
import { acmeAuditCount, seedAuditLog } from "../../db/seed/audit-log.ts";

/** The URL of the bench database: the same server and role, another database. */
export function benchUrl(databaseUrl: string): { url: string; name: string } {
  const url = new URL(databaseUrl);
  const base = decodeURIComponent(url.pathname.replace(/^\//, "")) || url.username || "postgres";
  const name = `${base}_bench`;
  url.pathname = `/${encodeURIComponent(name)}`;
  return { url: url.toString(), name };
}

/** Creates the database if the server has none by that name (CREATE DATABASE cannot run inside it). */
async function createIfMissing(databaseUrl: string, name: string): Promise<void> {
  const admin = new URL(databaseUrl);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query("select 1 from pg_database where datname = $1", [name]);
    if (found.rowCount === 0) {
      await client.query(`create database "${name.replace(/"/g, '""')}" ${DATABASE_OPTIONS}`);
      console.log(`Created database ${name}.`);
    }
  } finally {
    await client.end();
  }
}

/** Acme's live users: what the list shows a Company Admin with no filter. */
async function acmeUserCount(db: Kysely<Database>): Promise<number> {
  const { n } = await db
    .selectFrom("users as u")
    .innerJoin("companies as c", "c.id", "u.company_id")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("c.name", "=", ACME)
    .where("u.status", "<>", "deleted")
    .executeTakeFirstOrThrow();
  return n;
}

/** Reserved Numbers and Deleted Users at the scale (issue #17, item 5). */
const POOL_NUMBERS = 100_000;
const DELETED_USERS = 50_000;

/**
 * Tops Acme's pool up to POOL_NUMBERS numbers and its Deleted Users up to
 * DELETED_USERS, set-based, and moves the bench's deleted users' deletion
 * times into the last 66 hours: a kept database ages, and the tab lists only
 * the 72 hours' deletions. Numbers and users are the bench's own
 * (`+1628…`, `gone.N@acme.test`), spread over Acme's offices.
 */
async function topUpPoolAndDeleted(db: Kysely<Database>): Promise<void> {
  const acme = await db
    .selectFrom("companies")
    .select("id")
    .where("name", "=", ACME)
    .executeTakeFirstOrThrow();
  const offices = sql`(select array_agg(id order by id) from offices where company_id = ${acme.id})`;
  await sql`
    insert into phone_numbers (company_id, office_id, e164, country, kind, state, last_holder_name, unassigned_at)
    select ${acme.id}::int, (${offices})[1 + i % 5], '+1628' || lpad(i::text, 7, '0'), 'US',
           case when i % 10 = 0 then 'fax' else 'local' end, 'reserved', 'Former holder ' || i,
           now() - (i % 5000) * interval '1 hour'
      from generate_series(1, ${POOL_NUMBERS}::int - (select count(*)::int from phone_numbers
                                                   where company_id = ${acme.id} and state = 'reserved')) i
    on conflict do nothing`.execute(db);
  await sql`
    insert into users (company_id, office_id, first_name, last_name, email, status, license_type, deleted_at)
    select ${acme.id}::int, (${offices})[1 + i % 5], 'Gone', 'User ' || i, 'gone.' || i || '@acme.test',
           'deleted', 'connect', now()
      from generate_series((select count(*)::int from users where company_id = ${acme.id} and email like 'gone.%') + 1,
                           ${DELETED_USERS}::int) i`.execute(db);
  await sql`
    update users set deleted_at = now() - (id % 4000) * interval '1 minute'
     where company_id = ${acme.id} and email like 'gone.%' and status = 'deleted' and anonymized_at is null`.execute(
    db,
  );
}

/**
 * Reports a seed's progress: one line rewritten in a terminal; in a log, a
 * line every tenth of the way.
 */
function progress(what: string): (done: number, total: number) => void {
  let shown = 0;
  return (done, total) => {
    const line = `${what}: ${done.toLocaleString("en-US")} / ${total.toLocaleString("en-US")}`;
    if (process.stdout.isTTY) process.stdout.write(`\r${line}${done === total ? "\n" : ""}`);
    else if (done === total || done - shown >= total / 10) {
      console.log(line);
      shown = done;
    }
  };
}

const seconds = (started: number) => ((performance.now() - started) / 1000).toFixed(1);

/** Migrates, seeds the demo, and adds scale users until Acme has `users` of them (`where` names the database). */
async function fill(db: Kysely<Database>, users: number, where: string): Promise<void> {
  await migrateToLatest(db);
  if (await seedDemoIfEmpty(db, new Date())) console.log("Seeded the demo companies.");
  const have = await acmeUserCount(db);
  const missing = users - have;
  if (missing > 0) {
    const started = performance.now();
    await seedScale(db, missing, progress(`Adding users to ${ACME}`));
    console.log(`Added ${missing.toLocaleString("en-US")} users in ${seconds(started)} s.`);
  } else {
    // seedScale analyzes after seeding; a reused database gets fresh statistics here,
    // so the plans below are the ones the server would choose.
    await sql`analyze`.execute(db);
  }
  console.log(`${ACME} has ${Math.max(have, users).toLocaleString("en-US")} users in ${where}.`);
}

/** Tops Acme's audit log up to `entries` (issue #17, item 5: 10,000,000 at a million users). */
async function fillAuditLog(db: Kysely<Database>, entries: number): Promise<void> {
  const have = await acmeAuditCount(db);
  const missing = entries - have;
  if (missing > 0) {
    const started = performance.now();
    await seedAuditLog(db, missing, progress(`Adding entries to ${ACME}'s audit log`));
    console.log(`Added ${missing.toLocaleString("en-US")} audit log entries in ${seconds(started)} s.`);
  }
  console.log(`${ACME}'s audit log has ${Math.max(have, entries).toLocaleString("en-US")} entries.`);
}

/** The bench database on the server, filled to `users` and `auditEntries`; returns its URL. */
export async function prepareBenchDatabase(
  databaseUrl: string,
  users: number,
  auditEntries: number,
): Promise<string> {
  const { url, name } = benchUrl(databaseUrl);
  await createIfMissing(databaseUrl, name);
  const handle = await openDatabase({ url });
  try {
    await fill(handle.db, users, name);
    await topUpPoolAndDeleted(handle.db);
    await fillAuditLog(handle.db, auditEntries);
    // Fresh statistics after the top-ups, so the plans below are the ones the server would choose.
    await sql`analyze`.execute(handle.db);
  } finally {
    await handle.close();
  }
  return url;
}

/**
 * The embedded bench database: a PGlite folder in `dataDir`/pglite (where the
 * server opens it from DATA_DIR), kept between runs like the server's, filled
 * to `users`. Closed before the server starts: PGlite is one process's.
 */
export async function prepareEmbeddedBenchDatabase(dataDir: string, users: number): Promise<void> {
  const handle = await openDatabase({ dataDir: `${dataDir}/pglite` });
  try {
    await fill(handle.db, users, `${dataDir}/pglite`);
  } finally {
    await handle.close();
  }
}
