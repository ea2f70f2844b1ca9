/**
 * Import users at scale, on the PostgreSQL server: a file of 100,000 new
 * users (Austin, Connect, each taking the office's next number) uploaded and
 * reviewed (by the job runner's batches, as a server would run them), then
 * confirmed and applied by its job, then its invites mailed by theirs. It
 * prints the time of each (the import's until its commit, and apart from it
 * the time until the last invite is mailed) and the peak memory of this process,
 * which runs the app's code as a server would. It works in a scratch
 * database of its own (dropped after), and mails the invites into a scratch
 * outbox.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { DATABASE_OPTIONS, migrateToLatest, openDatabase } from "../../db/connect.ts";
import { seedDemo } from "../../db/seed/demo.ts";
import { loadActor } from "../../app/auth/actor.server.ts";
import { createSession, hashToken } from "../../app/auth/session.server.ts";
import { runJobBatch } from "../../app/jobs/runner.server.ts";
import { JOB_KINDS } from "../../app/jobs/kinds.server.ts";
import { startImport, type ImportResult } from "../../app/users/import-review.server.ts";
import { confirmImport } from "../../app/users/import-confirm.server.ts";
import { admin } from "./lifecycle.ts";

const REVIEW_AIM_MS = 20_000;
const IMPORT_AIM_MS = 60_000;

export async function benchImport(databaseUrl: string, rows = 100_000): Promise<void> {
  const name = `${new URL(databaseUrl).pathname.slice(1)}_bench_import`;
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  await admin(databaseUrl, `drop database if exists ${name} with (force)`);
  await admin(databaseUrl, `create database ${name} ${DATABASE_OPTIONS}`);
  const outbox = mkdtempSync(join(tmpdir(), "switchboard-bench-import-"));
  const dataDir = process.env.DATA_DIR;
  process.env.DATA_DIR = outbox;
  const h = await openDatabase({ url: url.toString() });
  try {
    await migrateToLatest(h.db);
    const now = new Date();
    await seedDemo(h.db, now);
    // Room for everyone: Connect seats in Austin, and new numbers for the provider to hand out.
    await sql`update license_pools set purchased = assigned + ${rows}
               where license_type = 'connect' and office_id = (select id from offices where name = 'Austin')`.execute(
      h.db,
    );
    await sql`insert into provider_numbers (e164, country, area_code, kind)
              select '+1737' || lpad(g::text, 7, '0'), 'US', '737', 'local' from generate_series(1, ${rows}) g
              on conflict do nothing`.execute(h.db);
    const ada = await h.db
      .selectFrom("users")
      .select("id")
      .where("email", "=", "ada@acme.test")
      .executeTakeFirstOrThrow();
    const cookie = (await createSession(h.db, new Request("http://localhost/"), null, ada.id, now))!;
    const actor = (await loadActor(
      h.db,
      null,
      hashToken(decodeURIComponent(cookie.split(";")[0]!.split("=")[1]!)),
      now,
    ))!;
    const file = new Blob([
      "First name,Last name,Email,Office,License\n" +
        Array.from({ length: rows }, (_, i) => `Bench,Person ${i},bench.${i}@acme.test,Austin,Connect`).join(
          "\n",
        ),
    ]);
    console.log(
      `\nImport: ${rows.toLocaleString("en-US")} new users in ${name} (${(file.size / 1e6).toFixed(1)} MB)…`,
    );

    let started = performance.now();
    const upload = await startImport(h.db, actor, file, now);
    if (!upload.ok) throw new Error(upload.message);
    while (await runJobBatch(h.db, JOB_KINDS, now, upload.jobId));
    const reviewMs = performance.now() - started;
    const resultOf = async (id: number) =>
      (await h.db.selectFrom("jobs").select("result").where("id", "=", id).executeTakeFirstOrThrow())
        .result as ImportResult;
    const review = await resultOf(upload.jobId);
    console.log(
      `  upload and review                  ${reviewMs.toFixed(0).padStart(7)} ms  ${JSON.stringify(review)}`,
    );

    started = performance.now();
    const confirmed = await confirmImport(h.db, actor, upload.jobId, review.key, "http://localhost", now);
    // A large file's confirmation queues its apply, and the apply the job that mails the invites.
    const { applying } = await resultOf(upload.jobId);
    if (applying) while (await runJobBatch(h.db, JOB_KINDS, now, applying));
    const importMs = performance.now() - started;
    const { imported } = await resultOf(upload.jobId);
    console.log(
      `  confirm and apply, to its commit   ${importMs.toFixed(0).padStart(7)} ms  ${JSON.stringify(imported ?? confirmed)}`,
    );
    started = performance.now();
    // The mailer logs each message it sends (app/mail/mailer.server.ts): here a line per new user. Count them.
    const log = console.log;
    let mailed = 0;
    console.log = (...args: unknown[]) =>
      String(args[0]).startsWith("Mail to user") ? void mailed++ : log(...args);
    try {
      if (imported?.mailing) while (await runJobBatch(h.db, JOB_KINDS, now, imported.mailing));
    } finally {
      console.log = log;
    }
    const mailMs = performance.now() - started;
    console.log(
      `  then until the last invite mailed  ${mailMs.toFixed(0).padStart(7)} ms  (${mailed.toLocaleString("en-US")} messages)`,
    );
    // maxRSS is in kilobytes: the most this process (the app's code, as a server runs it) held at once.
    console.log(
      `  peak memory of this process        ${(process.resourceUsage().maxRSS / 1024).toFixed(0).padStart(7)} MB`,
    );
    const verdict = (ok: boolean) => (ok ? "ok  " : "MISS");
    console.log(
      `  Aims: ${verdict(reviewMs < REVIEW_AIM_MS)} review under 20 s; ${verdict(importMs < IMPORT_AIM_MS)} import under 60 s.`,
    );
  } finally {
    await h.close();
    if (dataDir === undefined) delete process.env.DATA_DIR;
    else process.env.DATA_DIR = dataDir;
    rmSync(outbox, { recursive: true, force: true });
    await admin(databaseUrl, `drop database if exists ${name} with (force)`);
  }
}
