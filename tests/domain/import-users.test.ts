/**
 * Import users (app/users/import-file.server.ts, import-review.server.ts):
 * reading the file, and the review of each row, with nothing written to users.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, type TestDatabase } from "../support/db.ts";
import { actorFor } from "../support/actors.ts";
import { seedDemo } from "../../db/seed/demo.ts";
import type { Actor } from "../../app/auth/actor.server.ts";
import { readImportFile } from "../../app/users/import-file.server.ts";
import { startImport, type ImportCounts } from "../../app/users/import-review.server.ts";

const T0 = new Date("2026-06-01T12:00:00Z");
const file = (text: string | Uint8Array<ArrayBuffer>) => new Blob([text]);

let t: TestDatabase;
let ada: Actor, carlos: Actor;
beforeAll(async () => {
  t = await freshDatabase();
  await seedDemo(t.db, T0);
  [ada, carlos] = await Promise.all(["ada@acme.test", "carlos@acme.test"].map((e) => actorFor(t.db, e, T0)));
});
afterAll(() => t.close());

/** Reviews a file as `actor`: the counts, and each error as the page words it ("line 4, Email: …"). */
async function review(text: string, actor = ada) {
  const started = await startImport(t.db, actor, file(text), T0);
  if (!started.ok) throw new Error(started.message);
  const job = await t.db
    .selectFrom("jobs")
    .select(["state", "result"])
    .where("id", "=", started.jobId)
    .executeTakeFirstOrThrow();
  expect(job.state).toBe("done");
  const rows = await t.db
    .selectFrom("import_rows")
    .select(["line", "outcome", "errors", "changes"])
    .where("job_id", "=", started.jobId)
    .orderBy("line")
    .execute();
  const errors = rows.flatMap((r) =>
    ((r.errors as { column: string; message: string }[] | null) ?? []).map(
      (e) => `line ${r.line}, ${e.column}: ${e.message}`,
    ),
  );
  return { counts: job.result as ImportCounts, errors, rows };
}

describe("reading the file", () => {
  it("takes headers in any order and case, a BOM, semicolons, quotes and CRLF", async () => {
    const read = await readImportFile(
      file(
        '\uFEFFemail;LAST NAME;First Name\r\n"ann@x.test";"O\'Neil; Jr";Ann\r\nbob@x.test;"Quoted ""Bob""";Bob\r\n',
      ),
    );
    expect(read).toEqual({
      ok: true,
      columns: ["email", "lastName", "firstName"],
      exported: false,
      rows: [
        { line: 2, cells: { email: "ann@x.test", lastName: "O'Neil; Jr", firstName: "Ann" } },
        { line: 3, cells: { email: "bob@x.test", lastName: 'Quoted "Bob"', firstName: "Bob" } },
      ],
    });
  });

  it("reads Export CSV's file: read-only columns skipped, the formula guard's apostrophe removed", async () => {
    const read = await readImportFile(
      file(
        "First name,Last name,Email,Number,Extension,Office,License,Admin,Proxy access,Status,Date added,First signed in\n" +
          "'=Ann,Lee,ann@x.test,'+1 415-555-0100,101,San Francisco,Connect,,No,Active,2026-01-01,\n",
      ),
    );
    expect(read.ok && read.exported).toBe(true);
    expect(read.ok && read.rows[0]!.cells).toEqual({
      firstName: "=Ann",
      lastName: "Lee",
      email: "ann@x.test",
      number: "+1 415-555-0100",
      extension: "101",
      office: "San Francisco",
      license: "Connect",
    });
  });

  it.each([
    ["an empty file", "", "The file is empty."],
    ["a header alone", "Email\n", "a header line but no rows"],
    ["no Email column", "First name,Last name\nAnn,Lee\n", "no Email column"],
    ["an unknown column", "Email,Shoe size\na@x.test,9\n", "“Shoe size”"],
    ["an unclosed quote", 'Email,First name\na@x.test,"Ann\n', "Line 2: a quote opened here is never closed"],
    [
      "a binary file",
      new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0xff, 0xfe, 0x00, 0x01]),
      "not a CSV text file",
    ],
    ["a 100 KB cell", `Email,First name\na@x.test,${"x".repeat(100_000)}\n`, "longer than 64 KB"],
  ])("refuses %s as a whole, saying why", async (_, text, message) => {
    const read = await readImportFile(file(text));
    expect(read.ok).toBe(false);
    expect(!read.ok && read.message).toContain(message);
  });

  it("refuses a file of more than 100,000 rows", async () => {
    const read = await readImportFile(file("Email\n" + "a@x.test\n".repeat(100_001)));
    expect(!read.ok && read.message).toContain("more than 100,000 rows");
  });
});

describe("the review", () => {
  it("names each error by line and column, and counts adds, updates and unchanged rows", async () => {
    const { counts, errors } = await review(
      [
        "First name,Last name,Email,Office,License",
        "New,Person,new.person@acme.test,Austin,Connect",
        "Marcus,Chen,marcus@acme.test,San Francisco,Connect",
        "Not,Mail,not-a-mail,Austin,",
        "Marcus,Chen,MARCUS@acme.test,,",
        "Sienna,Walsh,sienna@acme.test,San Francisco,",
        "At,Lantis,at.lantis@acme.test,Atlantis,",
        "=HYPERLINK(1),X,formula@acme.test,Austin,",
        "Bad,Licence,bad.licence@acme.test,Austin,Platinum",
        "Other,Company,walter@globex.test,Austin,",
      ].join("\n"),
    );
    expect(errors).toEqual([
      "line 4, Email: not an email address.",
      "line 5, Email: also on line 3.",
      "line 6, Email: a deleted user has this email: restore them instead (Deleted Users).",
      "line 7, Office: no office named Atlantis.",
      "line 8, First name: starts with “=”, which a spreadsheet runs as a formula. Remove it.",
      "line 9, License: not a license type. Use Connect, Sell or Support.",
      "line 10, Email: someone already uses this email.",
    ]);
    expect(counts).toMatchObject({ add: 1, update: 0, unchanged: 1, errors: 7 });
  });

  it("checks names by the rules of Add User and Edit user (person-fields.ts), one message a cell", async () => {
    const { errors } = await review(
      [
        "First name,Last name,Email,Office,License",
        `,Blank,blank.first@acme.test,Austin,`,
        `Ev\u202Eil,Name,bidi@acme.test,Austin,`,
        `Long,${"x".repeat(101)},long.last@acme.test,Austin,`,
      ].join("\n"),
    );
    expect(errors).toEqual([
      "line 2, First name: Enter a first name.",
      "line 3, First name: Remove the control and text-direction characters from a first name.",
      "line 4, Last name: Keep a last name under 100 characters.",
    ]);
    const noLastNames = await review(
      ["First name,Email,Office", "Nolast,no.last@acme.test,Austin"].join("\n"),
    );
    expect(noLastNames.errors).toEqual(["line 2, Last name: missing. A new user needs a last name."]);
  });

  it("updates names, extension and job title of a known email; refuses office and license changes, naming the action", async () => {
    const { counts, errors, rows } = await review(
      [
        "Email,First name,Last name,Job title,Office,License",
        "marcus@acme.test,Marc,Chen,Staff Engineer,San Francisco,Connect",
        "kevin@acme.test,Kevin,Park,,London,",
        "kevin@acme.test,Kevin,Park,,,Sell",
      ].join("\n"),
    );
    expect(errors).toEqual([
      "line 3, Office: Kevin Park is in Austin. To move them, use Transfer user.",
      "line 4, License: Kevin Park has Connect. To change it, use Change license type.",
      "line 4, Email: also on line 3.",
    ]);
    expect(counts).toMatchObject({ update: 1, errors: 2 });
    expect(rows[0]!.changes).toEqual([
      { column: "First name", from: "Marcus", to: "Marc" },
      { column: "Job title", from: "Software Engineer", to: "Staff Engineer" },
    ]);
  });

  it("counts seats across the whole file: rows past an office's unassigned seats are errors, the earlier ones not", async () => {
    const austin = await t.db
      .selectFrom("offices")
      .select("id")
      .where("name", "=", "Austin")
      .executeTakeFirstOrThrow();
    const pool = await t.db
      .selectFrom("license_pools")
      .select(["purchased", "assigned"])
      .where("office_id", "=", austin.id)
      .where("license_type", "=", "sell")
      .executeTakeFirstOrThrow();
    const free = pool.purchased - pool.assigned;
    const lines = Array.from({ length: free + 2 }, (_, i) => `Seat,Taker${i},seat${i}@acme.test,Austin,Sell`);
    const { errors } = await review(["First name,Last name,Email,Office,License", ...lines].join("\n"));
    const seatErrors = errors.filter((e) => e.includes("License:"));
    expect(seatErrors).toEqual([
      `line ${free + 2}, License: no unassigned Sell license left in Austin.`,
      `line ${free + 3}, License: no unassigned Sell license left in Austin.`,
    ]);
  });

  it("keeps an Office Admin to their offices", async () => {
    const { errors, counts } = await review(
      [
        "First name,Last name,Email,Office",
        "In,Scope,in.scope@acme.test,Austin",
        "Out,Scope,out.scope@acme.test,San Francisco",
        "Marcus,Chen,marcus@acme.test,",
      ].join("\n"),
      carlos,
    );
    expect(errors).toEqual([
      "line 3, Office: no office of yours named San Francisco.",
      "line 4, Email: this user is in an office you do not administer.",
    ]);
    expect(counts).toMatchObject({ add: 1, errors: 2 });
  });

  it("writes nothing to users", async () => {
    const before = await t.db
      .selectFrom("users")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    await review("First name,Last name,Email,Office\nNobody,Written,nobody.written@acme.test,Austin");
    const after = await t.db
      .selectFrom("users")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });
});
