/**
 * Import users: the upload and the review (docs/domain.md, "Importing
 * users"). Nothing about users is written: the file's rows are kept in
 * import_rows under a job (app/jobs/), and the review job says for each row
 * what a confirmation would do (add, update, unchanged) or what is wrong with
 * it, by column. A small file is reviewed within the upload's request; a
 * large one by the servers' job runner, the page showing its progress.
 *
 * The review runs in batches of rows. Each batch checks its rows' fields and
 * looks up what they name (users by email, offices, extensions, numbers) with
 * one query per kind for the whole batch; the last batch adds the checks
 * across the file (an email, extension or number on two lines, seats counted
 * in line order) as set-based statements over import_rows.
 */
import { sql, type Kysely, type Transaction } from "kysely";
import type { z } from "zod";
import type { Database, UserLicenseType } from "../../db/schema.ts";
import type { Actor } from "../auth/actor.server.ts";
import { enqueueJob, runJobBatch, type Job, type JobStep } from "../jobs/runner.server.ts";
import { parseTypedNumber } from "../numbers/format.server.ts";
import { notHeldForReview } from "../numbers/review-holds.server.ts";
import { LICENSE_NAMES } from "../ui/format.ts";
import { refused, type Result } from "../refusal.server.ts";
import { reviewKey } from "../review-key.server.ts";
import { email, extension, firstName, jobTitle, lastName } from "./person-fields.ts";
import { IMPORT_COLUMNS, readImportFile, type ImportField, type ImportRow } from "./import-file.server.ts";
import { SHOWN_ROWS } from "./import-schema.ts";
import { unmailedInvites } from "./import-mail.server.ts";

export const IMPORT_REVIEW = "users.import.review";
/** Files of at most this many rows are reviewed within the upload's request. */
export const IN_REQUEST_ROWS = 1000;
export const REVIEW_BATCH = 2000;
/** Rows inserted per statement when a file is stored. */
const STORE_BATCH = 5000;

/** What a review job keeps of who uploaded: the scope it checks rows against. */
interface ImportPayload {
  columns: ImportField[];
  companyAdmin: boolean;
  officeIds: number[];
}

export interface ImportCounts {
  add: number;
  update: number;
  unchanged: number;
  errors: number;
}

/** What a finished review keeps: its counts, its key, and once confirmed what the import did. */
export interface ImportResult extends ImportCounts {
  key: string;
  /** A large file's confirmation: the job that applies it (app/users/import-confirm.server.ts). */
  applying?: number;
  /** What the import did, and (a large file's) the job mailing its invites (app/users/import-mail.server.ts). */
  imported?: { added: number; updated: number; mailing?: number };
}

export interface CellError {
  column: string;
  message: string;
}

/** Uploads a file: read, stored under a new review job, and reviewed now if it is small. */
export async function startImport(
  db: Kysely<Database>,
  actor: Actor,
  file: Blob,
  now: Date,
): Promise<Result<{ jobId: number }>> {
  const read = await readImportFile(file);
  if (!read.ok) return refused(read.message, "invalid", "file");
  const payload: ImportPayload = {
    columns: read.columns,
    companyAdmin: actor.person.isCompanyAdmin,
    officeIds: actor.adminOfficeIds,
  };
  const jobId = await db.transaction().execute(async (tx) => {
    const id = await enqueueJob(
      tx,
      {
        kind: IMPORT_REVIEW,
        companyId: actor.company.id,
        actorUserId: actor.person.id,
        total: read.rows.length,
        payload,
      },
      now,
    );
    await storeRows(tx, id, read.rows);
    return id;
  });
  await reviewSmallNow(db, jobId, read.rows.length, now);
  return { ok: true, jobId };
}

/** A small file is reviewed here rather than by the runner; if a runner took it first, the page shows its progress. */
async function reviewSmallNow(db: Kysely<Database>, jobId: number, rows: number, now: Date) {
  if (rows > IN_REQUEST_ROWS) return;
  while (await runJobBatch(db, { [IMPORT_REVIEW]: reviewImportBatch }, now, jobId));
}

/**
 * A review gone stale (its confirmation found the facts changed): its rows
 * are checked again from the start, as at the upload, and its page shows
 * the new review (or its progress).
 */
export async function reviewAgain(db: Kysely<Database>, jobId: number, now: Date) {
  const total = await db.transaction().execute((tx) => resetReview(tx, jobId, now));
  await reviewSmallNow(db, jobId, total, now);
}

/** Queues a review to be done again from its first row, in the caller's transaction; answers its rows' count. */
export async function resetReview(tx: Transaction<Database>, jobId: number, now: Date): Promise<number> {
  await tx
    .updateTable("import_rows")
    .set({ ...NOTHING_FOUND, outcome: null, errors: null })
    .where("job_id", "=", jobId)
    .execute();
  const job = await tx
    .updateTable("jobs")
    .set({
      state: "queued",
      done: 0,
      result: null,
      attempts: 0,
      error: null,
      finished_at: null,
      updated_at: now,
    })
    .where("id", "=", jobId)
    .returning("total")
    .executeTakeFirstOrThrow();
  return job.total;
}

async function storeRows(tx: Transaction<Database>, jobId: number, rows: ImportRow[]) {
  for (let i = 0; i < rows.length; i += STORE_BATCH) {
    const chunk = rows.slice(i, i + STORE_BATCH).map((r) => ({
      line: r.line,
      // A row that cannot be read is stored with its problem, to be reported by the review.
      cells: r.problem ? { ...r.cells, _problem: r.problem } : r.cells,
    }));
    await sql`
      insert into import_rows (job_id, line, cells)
      select ${jobId}, x.line, x.cells from jsonb_to_recordset(${JSON.stringify(chunk)}::jsonb) as x(line int, cells jsonb)`.execute(
      tx,
    );
  }
}

type Cells = Partial<Record<ImportField | "_problem", string>>;

/** What a checked row would write, or its errors. */
interface Checked {
  line: number;
  outcome: "add" | "update" | "unchanged" | "error";
  errors: CellError[];
  user_id: number | null;
  email_key: string | null;
  office_id: number | null;
  license_type: UserLicenseType | null;
  extension: string | null;
  e164: string | null;
  changes: { column: string; from: string; to: string }[] | null;
}

/** What a row's check finds, before it has found anything: a reset review's rows, and each check's start. */
const NOTHING_FOUND = {
  user_id: null,
  email_key: null,
  office_id: null,
  license_type: null,
  extension: null,
  e164: null,
  changes: null,
} as const;

const LICENSE_BY_NAME: Record<string, UserLicenseType> = {
  connect: "connect",
  sell: "sell",
  support: "support",
};
const FORMULA_START = /^[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]/;

/** The first message of a field's rule for this value, or null when it passes. */
function problemOf(schema: z.ZodType, value: string): string | null {
  const parsed = schema.safeParse(value);
  return parsed.success ? null : (parsed.error.issues[0]?.message ?? "not valid");
}

/** A text a person reads in lists and a spreadsheet opens: refused if a spreadsheet would run it. */
function formulaProblem(value: string): string | null {
  return FORMULA_START.test(value)
    ? `starts with “${value[0]}”, which a spreadsheet runs as a formula. Remove it.`
    : null;
}

/** One batch of the review: the next rows not checked yet, then, once none is left, the checks across the file. */
export async function reviewImportBatch(tx: Transaction<Database>, job: Job, now: Date): Promise<JobStep> {
  const payload = job.payload as ImportPayload;
  const rows = await tx
    .selectFrom("import_rows")
    .select(["line", "cells"])
    .where("job_id", "=", job.id)
    .where("outcome", "is", null)
    .orderBy("line")
    .limit(REVIEW_BATCH)
    .execute();
  if (rows.length > 0) {
    const checked = await checkRows(
      tx,
      job.companyId,
      payload,
      rows.map((r) => ({ line: r.line, cells: r.cells as Cells })),
      now,
    );
    await sql`
      update import_rows r set outcome = x.outcome, errors = x.errors, user_id = x.user_id, email_key = x.email_key,
        office_id = x.office_id, license_type = x.license_type, extension = x.extension, e164 = x.e164, changes = x.changes
      from jsonb_to_recordset(${JSON.stringify(checked)}::jsonb) as x(line int, outcome text, errors jsonb, user_id int,
        email_key text, office_id int, license_type text, extension text, e164 text, changes jsonb)
      where r.job_id = ${job.id} and r.line = x.line`.execute(tx);
    return { done: job.done + rows.length, total: job.total };
  }
  // The checks across the file, the review key and later the apply join the file's rows to users and
  // numbers; planned on the statistics of an import_rows that held no such rows (autovacuum lags behind a
  // 100,000-row upload), they walked the whole file once per user (seconds at 100,000 rows). Analyzed
  // here, in this batch (its lock, held to the commit, only keeps another review's last batch waiting).
  await sql`analyze import_rows`.execute(tx);
  await checkAcrossFile(tx, job.id, now);
  return {
    done: job.total,
    total: job.total,
    result: { ...(await countsOf(tx, job.id)), key: await importKey(tx, job.id, job.companyId, now) },
  };
}

async function checkRows(
  tx: Transaction<Database>,
  companyId: number,
  scope: ImportPayload,
  rows: { line: number; cells: Cells }[],
  now: Date,
): Promise<Checked[]> {
  const has = (f: ImportField) => scope.columns.includes(f);
  const emailKeys = rows
    .map((r) => r.cells.email?.toLowerCase())
    .filter((e): e is string => !!e && problemOf(email, e) === null);
  const wantedNumbers = rows
    .map((r) => (r.cells.number ? parseTypedNumber(r.cells.number) : null))
    .filter((n): n is string => n !== null);
  const wantedExtensions = rows.map((r) => r.cells.extension).filter((x): x is string => !!x);
  const [offices, known, holders, numbers] = await Promise.all([
    tx.selectFrom("offices").select(["id", "name"]).where("company_id", "=", companyId).execute(),
    emailKeys.length
      ? tx
          .selectFrom("users")
          .select([
            "id",
            "company_id",
            "office_id",
            "status",
            "first_name",
            "last_name",
            "extension",
            "job_title",
            "license_type",
            sql<string>`lower(email)`.as("key"),
          ])
          .where(sql<string>`lower(email)`, "=", sql<string>`any(${emailKeys}::text[])`)
          .where("anonymized_at", "is", null)
          .execute()
      : [],
    wantedExtensions.length
      ? tx
          .selectFrom("users")
          .select(["id", "extension", "status"])
          .where("company_id", "=", companyId)
          .where("extension", "=", sql<string>`any(${wantedExtensions}::text[])`)
          .where((eb) =>
            eb.or([
              eb("status", "<>", "deleted"),
              eb.and([eb("status", "=", "deleted"), eb("anonymized_at", "is", null)]),
            ]),
          )
          .execute()
      : [],
    wantedNumbers.length
      ? tx
          .selectFrom("phone_numbers as n")
          .select(["n.e164", "n.office_id"])
          .where("n.company_id", "=", companyId)
          .where("n.e164", "=", sql<string>`any(${wantedNumbers}::text[])`)
          .where("n.state", "=", "reserved")
          .where("n.kind", "=", "local")
          .where((eb) => eb.or([eb("n.held_until", "is", null), eb("n.held_until", "<=", now)]))
          .where(notHeldForReview("n.e164", now))
          .execute()
      : [],
  ]);
  const officeByName = new Map(offices.map((o) => [o.name.toLowerCase(), o]));
  const officeName = new Map(offices.map((o) => [o.id, o.name]));
  const userByKey = new Map(known.map((u) => [u.key, u]));
  const holdersOf = new Map<string, typeof holders>();
  for (const h of holders) holdersOf.set(h.extension!, [...(holdersOf.get(h.extension!) ?? []), h]);
  const freeNumber = new Map(numbers.map((n) => [n.e164, n.office_id]));
  const inScope = (officeId: number) => scope.companyAdmin || scope.officeIds.includes(officeId);

  return rows.map(({ line, cells }) => {
    const errors: CellError[] = [];
    const fail = (field: ImportField | "row", message: string) =>
      errors.push({ column: field === "row" ? "Row" : IMPORT_COLUMNS[field], message });
    const result: Checked = { line, outcome: "error", errors, ...NOTHING_FOUND };
    if (cells._problem) fail("row", cells._problem);

    const mail = cells.email ?? "";
    if (mail === "") fail("email", "empty. Every row needs the user’s email.");
    else if (problemOf(email, mail)) fail("email", "not an email address.");
    else result.email_key = mail.toLowerCase();

    // Names, extension and job title: the rules of the forms (app/users/person-fields.ts), and no formulas.
    const text = (field: "firstName" | "lastName" | "jobTitle", schema: z.ZodType) => {
      const value = cells[field];
      if (value === undefined) return;
      const problem = problemOf(schema, value) ?? (value ? formulaProblem(value) : null);
      if (problem) fail(field, problem);
    };
    text("firstName", firstName);
    text("lastName", lastName);
    text("jobTitle", jobTitle);
    if (cells.extension) {
      const problem = problemOf(extension, cells.extension);
      if (problem) fail("extension", problem);
    }

    const user = result.email_key ? userByKey.get(result.email_key) : undefined;
    if (user && user.company_id !== companyId) {
      fail("email", "someone already uses this email.");
    } else if (user && user.status === "deleted") {
      fail("email", "a deleted user has this email: restore them instead (Deleted Users).");
    } else if (user && !inScope(user.office_id)) {
      fail("email", "this user is in an office you do not administer.");
    } else if (user) {
      // A known email: names, extension and job title may change; office and license have their own actions.
      const name = `${user.first_name} ${user.last_name}`;
      const office = cells.office ? officeByName.get(cells.office.toLowerCase()) : undefined;
      if (cells.office && office?.id !== user.office_id)
        fail("office", `${name} is in ${officeName.get(user.office_id)}. To move them, use Transfer user.`);
      const license = cells.license ? LICENSE_BY_NAME[cells.license.toLowerCase()] : undefined;
      if (cells.license && license !== user.license_type)
        fail(
          "license",
          `${name} has ${LICENSE_NAMES[user.license_type]}. To change it, use Change license type.`,
        );
      const changes: NonNullable<Checked["changes"]> = [];
      const compare = (field: "firstName" | "lastName" | "extension" | "jobTitle", stored: string | null) => {
        const to = cells[field];
        if (to !== undefined && to !== (stored ?? ""))
          changes.push({ column: IMPORT_COLUMNS[field], from: stored ?? "", to });
      };
      compare("firstName", user.first_name);
      compare("lastName", user.last_name);
      compare("extension", user.extension);
      compare("jobTitle", user.job_title);
      result.user_id = user.id;
      result.office_id = user.office_id;
      result.license_type = user.license_type;
      // Only an extension that changes is the row's to claim; one kept is the user's already.
      const ext = cells.extension || null;
      result.extension = has("extension") && ext !== user.extension ? ext : null;
      result.changes = changes;
      if (result.extension) checkExtension(result.extension, user.id);
      if (errors.length === 0) result.outcome = changes.length ? "update" : "unchanged";
      return result;
    } else {
      // A new email: a pending user, added as Add User adds one.
      // A blank name is refused above, by the forms' rule; a file without the column is refused here.
      if (cells.firstName === undefined) fail("firstName", "missing. A new user needs a first name.");
      if (cells.lastName === undefined) fail("lastName", "missing. A new user needs a last name.");
      const office = cells.office ? officeByName.get(cells.office.toLowerCase()) : undefined;
      if (!cells.office) fail("office", "empty. A new user needs one of your offices.");
      else if (!office || !inScope(office.id))
        fail("office", `no office ${scope.companyAdmin ? "" : "of yours "}named ${cells.office}.`);
      else result.office_id = office.id;
      const license = cells.license ? LICENSE_BY_NAME[cells.license.toLowerCase()] : "connect";
      if (!license) fail("license", "not a license type. Use Connect, Sell or Support.");
      else result.license_type = license;
      if (cells.number) {
        const e164 = parseTypedNumber(cells.number);
        if (!e164)
          fail("number", "not a phone number. Use one of the office’s Reserved Numbers, or leave it empty.");
        else if (result.office_id !== null && freeNumber.get(e164) !== result.office_id)
          fail(
            "number",
            `${e164} is not free in the Reserved Numbers of ${officeName.get(result.office_id)}.`,
          );
        else result.e164 = e164;
      }
      result.extension = cells.extension || null;
      if (result.extension) checkExtension(result.extension, null);
    }
    if (errors.length === 0) result.outcome = "add";
    return result;

    function checkExtension(ext: string, self: number | null) {
      const other = (holdersOf.get(ext) ?? []).find((h) => h.id !== self);
      if (!other) return;
      fail(
        "extension",
        other.status === "deleted"
          ? `${ext} stays with a deleted user while they can be restored. Choose another.`
          : `someone else in your company already has extension ${ext}. Choose another.`,
      );
    }
  });
}

/** Appends an error to the rows `which` selects (line, message) and makes them errors. */
async function failRows(tx: Transaction<Database>, jobId: number, which: ReturnType<typeof sql>) {
  await sql`
    update import_rows r set outcome = 'error', errors = coalesce(r.errors, '[]'::jsonb) || jsonb_build_array(f.error)
    from (${which}) as f(line, error)
    where r.job_id = ${jobId} and r.line = f.line`.execute(tx);
}

/** The checks that need the whole file: in line order, the first row keeps what later rows repeat or run out of. */
async function checkAcrossFile(tx: Transaction<Database>, jobId: number, now: Date) {
  const again = (column: string, key: string, label: string) =>
    failRows(
      tx,
      jobId,
      sql`select line, jsonb_build_object('column', ${label}::text, 'message', 'also on line ' || first || '.')
          from (select line, min(line) over (partition by ${sql.ref(key)}) as first
                from import_rows where job_id = ${jobId} and ${sql.ref(column)} is not null) d
          where first < line`,
    );
  await again("email_key", "email_key", IMPORT_COLUMNS.email);
  await again("extension", "extension", IMPORT_COLUMNS.extension);
  await again("e164", "e164", IMPORT_COLUMNS.number);
  // Seats: new users take their license's seat in their office, in line order; rows past the unassigned seats are errors.
  await failRows(
    tx,
    jobId,
    sql`select r.line, jsonb_build_object('column', ${IMPORT_COLUMNS.license}::text, 'message',
          'no unassigned ' || t.name || ' license left in ' || o.name || '.')
        from (select line, office_id, license_type,
                row_number() over (partition by office_id, license_type order by line) as nth
              from import_rows where job_id = ${jobId} and outcome = 'add') r
        join offices o on o.id = r.office_id
        join license_types t on t.code = r.license_type
        left join license_pools p on p.office_id = r.office_id and p.license_type = r.license_type
        where r.nth > coalesce(p.purchased - p.assigned, 0)`,
  );
  // Sell and Support take a Local number add-on for their number (Connect includes one), as Add User does.
  await failRows(
    tx,
    jobId,
    sql`select r.line, jsonb_build_object('column', ${IMPORT_COLUMNS.number}::text, 'message',
          'no unassigned Local number add-on left in ' || o.name || '.')
        from (select line, office_id, row_number() over (partition by office_id order by line) as nth
              from import_rows where job_id = ${jobId} and outcome = 'add' and license_type in ('sell', 'support')) r
        join offices o on o.id = r.office_id
        left join license_pools p on p.office_id = r.office_id and p.license_type = 'local_number'
        where r.nth > coalesce(p.purchased - p.assigned, 0)`,
  );
  // A new user with no Number takes the office's next one, as Add User offers: rows past what is left are errors.
  await failRows(
    tx,
    jobId,
    // Materialized: counted once per office, not once per row.
    sql`with a as materialized (${nextNumbersLeft(jobId, now)})
        select r.line, jsonb_build_object('column', ${IMPORT_COLUMNS.number}::text, 'message',
          'no next number left for ' || a.name || '. Name one of its Reserved Numbers, or add numbers to it.')
        from (${nextNumberRows(jobId)}) r
        join a on a.office_id = r.office_id
        where r.nth > a.n`,
  );
}

/** The rows that add a user with the office's next number, each with its place in its office's queue (nth). */
const nextNumberRows = (jobId: number) =>
  sql`select line, office_id, row_number() over (partition by office_id order by line) as nth
        from import_rows where job_id = ${jobId} and outcome = 'add' and e164 is null`;

/**
 * For each office rows take next numbers in, how many it has left: its
 * Reserved Numbers that may be offered (as offerablePoolNumbers) and not named
 * by a row, then the provider's free local numbers of its country (counted
 * up to the rows that need them).
 */
const nextNumbersLeft = (jobId: number, now: Date) =>
  sql`select o.id as office_id, o.name,
             (select count(*) from phone_numbers n
               where n.company_id = o.company_id and n.office_id = o.id and n.state = 'reserved' and n.kind = 'local'
                 and (n.held_until is null or n.held_until <= ${now})
                 and ${notHeldForReview("n.e164", now)}
                 and n.e164 not in (select e164 from import_rows where job_id = ${jobId} and e164 is not null))
           + (select count(*) from (select 1 from provider_numbers pn
               where pn.provisioned_to_company_id is null and pn.country = o.country and pn.kind = 'local'
               limit (select count(*) from import_rows where job_id = ${jobId} and outcome = 'add' and e164 is null)) f)
             as n
        from offices o
       where o.id in (select office_id from import_rows where job_id = ${jobId} and outcome = 'add' and e164 is null)`;

/**
 * The review key of an import (app/review-key.server.ts): the facts its
 * outcomes relied on, read in one statement. The users its rows update, as
 * the review read them; anyone who has since taken an email a row adds or an
 * extension a row claims; the numbers rows name; and, per office, whether
 * the seats and next numbers still suffice for its rows (a yes that stays a
 * yes does not make the review stale).
 */
export async function importKey(tx: Transaction<Database>, jobId: number, companyId: number, now: Date) {
  const rows = sql`import_rows where job_id = ${jobId}`;
  const { rows: facts } = await sql<{ k: string; v: string | null }>`
    select k, v from (
      select 'u' || u.id as k, concat_ws('|', u.status, u.office_id, u.license_type, u.first_name, u.last_name,
                                         u.extension, u.job_title) as v
        from import_rows r join users u on u.id = r.user_id
       where r.job_id = ${jobId} and r.outcome = 'update'
      union all
      select 'e' || lower(u.email), u.id::text from users u
       where lower(u.email) in (select email_key from ${rows} and outcome = 'add') and u.anonymized_at is null
      union all
      select 'x' || u.extension, u.id::text from users u
       where u.company_id = ${companyId} and (u.status <> 'deleted' or u.anonymized_at is null)
         and u.extension in (select extension from ${rows} and outcome in ('add', 'update') and extension is not null)
      union all
      select 'n' || n.e164, concat_ws('|', n.state, n.office_id, n.kind, coalesce(n.held_until > ${now}, false),
                                      ${notHeldForReview("n.e164", now)})
        -- From the numbers the file names (mostly none) to the company's, not the other way round.
        from (select distinct e164 from ${rows} and outcome = 'add' and e164 is not null) f
        join phone_numbers n on n.company_id = ${companyId} and n.e164 = f.e164
      union all
      select 's' || w.office_id || '/' || w.type, (coalesce(p.purchased - p.assigned, 0) >= w.n)::text
        from (select office_id, license_type as type, count(*) as n from ${rows} and outcome = 'add' group by 1, 2
              union all
              select office_id, 'local_number', count(*) from ${rows} and outcome = 'add'
                 and license_type in ('sell', 'support') group by 1) w
        left join license_pools p on p.office_id = w.office_id and p.license_type = w.type
      union all
      select 'r' || a.office_id, (a.n >= w.n)::text
        from (select office_id, count(*) as n from (${nextNumberRows(jobId)}) q group by 1) w
        join (${nextNumbersLeft(jobId, now)}) a on a.office_id = w.office_id
    ) f
    order by k, v`.execute(tx);
  return reviewKey(facts.flatMap((f) => [f.k, f.v]));
}

async function countsOf(tx: Transaction<Database>, jobId: number): Promise<ImportCounts> {
  const rows = await tx
    .selectFrom("import_rows")
    .select(["outcome", (eb) => eb.fn.countAll<number>().as("n")])
    .where("job_id", "=", jobId)
    .groupBy("outcome")
    .execute();
  const n = (o: string) => rows.find((r) => r.outcome === o)?.n ?? 0;
  return { add: n("add"), update: n("update"), unchanged: n("unchanged"), errors: n("error") };
}

/** An import's review job, if it is the actor's: only who uploaded the file sees its rows. */
export const ownImport = (db: Kysely<Database>, actor: Pick<Actor, "company" | "person">, jobId: number) =>
  db
    .selectFrom("jobs")
    .where("id", "=", jobId)
    .where("kind", "=", IMPORT_REVIEW)
    .where("company_id", "=", actor.company.id)
    .where("actor_user_id", "=", actor.person.id);

/** An import's review as its page shows it: whose it is (the uploader's alone, else null), its progress or its outcome. */
export async function importReview(db: Kysely<Database>, actor: Actor, jobId: number, readAgain = true) {
  const job = await ownImport(db, actor, jobId)
    .select(["id", "state", "done", "total", "result", "payload"])
    .executeTakeFirst();
  if (!job) return null;
  if (job.state !== "done")
    return {
      id: job.id,
      state: job.state,
      done: job.done,
      total: job.total,
      review: null,
      importing: null,
      mailing: null,
      unmailed: 0,
      stale: false,
    };
  const counts = job.result as ImportResult;
  const [errors, changes, importing, mailing] = await Promise.all([
    db
      .selectFrom("import_rows")
      .select(["line", "errors"])
      .where("job_id", "=", job.id)
      .where("outcome", "=", "error")
      .orderBy("line")
      .limit(SHOWN_ROWS)
      .execute(),
    db
      .selectFrom("import_rows")
      .select(["line", "outcome", "cells", "changes", "office_id", "license_type", "user_id"])
      .where("job_id", "=", job.id)
      .where("outcome", "in", ["add", "update"])
      .orderBy("line")
      .limit(SHOWN_ROWS)
      .execute(),
    // A large file being imported: its apply job's progress, until the import is done.
    counts.applying && !counts.imported ? jobProgress(db, counts.applying) : undefined,
    // Its invites, mailed by a job once it is imported.
    counts.imported?.mailing ? jobProgress(db, counts.imported.mailing) : undefined,
  ]);
  // The apply job commits the review's outcome with its own end, so a review read just before that commit
  // and its apply job read just after it disagree: the page would show neither the progress nor the outcome,
  // and stop refreshing. Read again (once): the review is now imported, or (stale) being checked again.
  if (importing?.state === "done" && readAgain) return importReview(db, actor, jobId, false);
  const offices = new Map(
    (
      await db
        .selectFrom("offices")
        .select(["id", "name"])
        .where("company_id", "=", actor.company.id)
        .execute()
    ).map((o) => [o.id, o.name]),
  );
  // Once nothing is mailing them any more, the invites still to mail are those the mailer refused.
  const mailingOver = !mailing || mailing.state === "done" || mailing.state === "failed";
  const unmailed = counts.imported && mailingOver ? await unmailedInvites(db, job.id) : 0;
  return {
    id: job.id,
    state: job.state,
    done: job.done,
    total: job.total,
    importing: importing ?? null,
    mailing: mailing ?? null,
    unmailed,
    // The import's job found the review out of date and had it checked again (applyImportBatch).
    stale: !counts.applying && (job.payload as { stale?: boolean }).stale === true,
    review: {
      counts,
      errors: errors.flatMap((r) => (r.errors as CellError[]).map((e) => ({ line: r.line, ...e }))),
      changes: changes.map((r) => {
        const cells = r.cells as Cells;
        return r.outcome === "add"
          ? {
              line: r.line,
              userId: r.user_id,
              kind: "add" as const,
              email: cells.email!,
              name: `${cells.firstName} ${cells.lastName}`,
              details: `${offices.get(r.office_id!)}, ${LICENSE_NAMES[r.license_type!]}`,
            }
          : {
              line: r.line,
              userId: r.user_id,
              kind: "update" as const,
              email: cells.email!,
              name: `${cells.firstName ?? ""} ${cells.lastName ?? ""}`.trim(),
              details: (r.changes as NonNullable<Checked["changes"]>)
                .map((c) => `${c.column}: ${c.from || "(none)"} → ${c.to || "(none)"}`)
                .join("; "),
            };
      }),
    },
  };
}

/**
 * A job's state and progress: while it runs, how far its open batch has got
 * (job_progress, app/jobs/runner.server.ts), else what it committed.
 */
const jobProgress = (db: Kysely<Database>, id: number) =>
  db
    .selectFrom("jobs as j")
    .leftJoin("job_progress as p", "p.job_id", "j.id")
    .select((eb) => [
      "j.state",
      "j.total",
      eb
        .case()
        .when("j.state", "in", ["queued", "running"])
        .then(eb.fn.coalesce("p.done", "j.done"))
        .else(eb.ref("j.done"))
        .end()
        .as("done"),
    ])
    .where("j.id", "=", id)
    .executeTakeFirst();

/** The columns of a reviewed import's file, or null when it is not the actor's or not reviewed yet. */
export async function reviewedImportColumns(
  db: Kysely<Database>,
  actor: Actor,
  jobId: number,
): Promise<ImportField[] | null> {
  const job = await ownImport(db, actor, jobId)
    .select("payload")
    .where("state", "=", "done")
    .executeTakeFirst();
  return job ? (job.payload as ImportPayload).columns : null;
}

/**
 * The rows with errors, in line order, as the file had them plus "What to fix":
 * fixed and uploaded again, they import on their own. Read in batches by line.
 */
export async function* importErrorRows(
  db: Kysely<Database>,
  jobId: number,
  columns: ImportField[],
  batchSize = 1000,
) {
  yield [...columns.map((c) => IMPORT_COLUMNS[c]), "What to fix"];
  let after = 0;
  for (;;) {
    const rows = await db
      .selectFrom("import_rows")
      .select(["line", "cells", "errors"])
      .where("job_id", "=", jobId)
      .where("outcome", "=", "error")
      .where("line", ">", after)
      .orderBy("line")
      .limit(batchSize)
      .execute();
    for (const r of rows) {
      const cells = r.cells as Cells;
      const fix = (r.errors as CellError[]).map((e) => `Line ${r.line}, ${e.column}: ${e.message}`).join(" ");
      yield [...columns.map((c) => cells[c] ?? ""), fix];
    }
    if (rows.length < batchSize) return;
    after = rows.at(-1)!.line;
  }
}
