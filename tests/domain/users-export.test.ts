/**
 * Export CSV of the Active or Pending Users tab: the same users as the list
 * for the same search and filters, in its order, scoped like it, never an
 * anonymized user, and cells that a spreadsheet cannot run as formulas. A
 * download cancelled halfway reads no more of the list.
 */
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parse } from "csv-parse/sync";
import { freshDatabase, type TestDatabase } from "../support/db.ts";
import { actorFor } from "../support/actors.ts";
import { seedDemo } from "../../db/seed/demo.ts";
import { seedScale } from "../../db/seed/scale.ts";
import { EXPORT_BATCH, exportFilename, exportUserBatches, usersCsv } from "../../app/users/export.server.ts";
import { listUsers } from "../../app/users/list.server.ts";
import { readListParams } from "../../app/users/list-params.ts";
import { purgeExpired } from "../../app/users/anonymize.server.ts";
import type { Actor } from "../../app/auth/actor.server.ts";

let t: TestDatabase;
let ada: Actor, olive: Actor, carlos: Actor, gina: Actor;
const now = new Date();

beforeAll(async () => {
  t = await freshDatabase();
  await seedDemo(t.db, now);
  [ada, olive, carlos, gina] = await Promise.all(
    ["ada@acme.test", "olive@acme.test", "carlos@acme.test", "gina@globex.test"].map((e) =>
      actorFor(t.db, e, now),
    ),
  );
});
afterAll(() => t.close());

const params = (query = "") => readListParams(new URL(`http://x/users?${query}`)).params;

/** The file as a spreadsheet would read it: header, then rows of cells. */
async function csvOf(actor: Actor, query = "") {
  const text = await new Response(usersCsv(t.db, actor, params(query))).text();
  const [header, ...rows] = parse(text, { bom: true }) as string[][];
  return { header: header!, rows, text };
}

/** Every user the list shows for this query, page after page. */
async function listed(actor: Actor, query = "") {
  const emails: string[] = [];
  for (let cursor = ""; ;) {
    const r = await listUsers(t.db, actor, params(`${query}${cursor}`));
    emails.push(...r.users.map((u) => u.email));
    if (!r.next) return emails;
    cursor = `&cursor=${r.next}`;
  }
}

describe("contents", () => {
  it("has a header and one row per user, with the list's columns in words", async () => {
    const { header, rows } = await csvOf(ada, "q=ethan");
    expect(header).toEqual([
      "First name",
      "Last name",
      "Email",
      "Number",
      "Extension",
      "Office",
      "License",
      "Admin",
      "Proxy access",
      "Status",
      "Date added",
      "First signed in",
    ]);
    expect(rows).toHaveLength(1);
    const [first, last, email, number, , office, license, admin, proxy, status, added] = rows[0]!;
    expect([first, last, email, office, license, admin, proxy, status]).toEqual([
      "Ethan",
      "Brooks",
      "ethan@acme.test",
      "New York",
      "Connect",
      "",
      "No",
      "Active",
    ]);
    // Numbers start with +: written as text, with the apostrophe (see the formula test).
    expect(number).toMatch(/^'\+1 212/);
    expect(added).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("holds exactly the users the list shows for the same search, filters and sort, in its order", async () => {
    for (const query of [
      "",
      "sort=email&dir=desc",
      "sort=added",
      "license=sell&status=active",
      "permission=admin",
      "q=an",
    ]) {
      const expected = await listed(ada, query);
      const rows: string[] = [];
      // Small batches: the keyset crosses many batch boundaries.
      for await (const batch of exportUserBatches(t.db, ada, params(query), 7))
        rows.push(...batch.map((row) => row[2]!));
      expect(rows, query).toEqual(expected);
    }
  });

  it("is named for the day it was taken", () => {
    expect(exportFilename(new Date("2026-11-27T23:59:00Z"))).toBe("switchboard-users-2026-11-27.csv");
  });
});

describe("scope", () => {
  it("an Office Admin exports their offices only; another company exports none of these", async () => {
    const ny = await csvOf(olive);
    expect(new Set(ny.rows.map((r) => r[5]))).toEqual(new Set(["New York"]));
    expect(ny.rows.map((r) => r[2])).toEqual(await listed(olive));
    expect(new Set((await csvOf(carlos)).rows.map((r) => r[5]))).toEqual(new Set(["Austin", "London"]));
    // A filter on an office outside the scope finds nobody.
    const sf = await t.db
      .selectFrom("offices")
      .select("id")
      .where("name", "=", "San Francisco")
      .executeTakeFirstOrThrow();
    expect((await csvOf(olive, `office=${sf.id}`)).rows).toEqual([]);
    const globex = await csvOf(gina);
    expect(globex.rows.every((r) => r[2]!.endsWith("@globex.test"))).toBe(true);
    expect(globex.text).not.toContain("acme");
  });

  it("never includes deleted or anonymized users", async () => {
    // Victor was deleted 80 hours ago: the purge anonymizes him.
    expect(await purgeExpired(t.db, now)).toBeGreaterThan(0);
    const { text, rows } = await csvOf(ada);
    expect(text).not.toMatch(/Deleted user|DU-|Victor|Sienna|Daniel Kim/);
    const live = await t.db
      .selectFrom("users as u")
      .innerJoin("companies as c", "c.id", "u.company_id")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("c.name", "=", "Acme")
      .where("u.status", "<>", "deleted")
      .executeTakeFirstOrThrow();
    expect(rows).toHaveLength(Number(live.n));
  });
});

describe("formula injection", () => {
  it("puts an apostrophe before cells a spreadsheet would run, and escapes quotes and commas", async () => {
    const hostile = [
      ['=HYPERLINK("http://evil.example","x")', "Formula"],
      ["+SUM(1,2)", "Plus"],
      ["-2+3", "Minus"],
      ["@cmd", "At"],
      ["\tTab", "Tab"],
      ["\rCarriage", "Return"],
      ['Plain, "quoted"', "Comma"],
    ];
    const ids = await t.db
      .selectFrom("users")
      .select("id")
      .where("email", "in", [
        "marcus@acme.test",
        "priya@acme.test",
        "hannah@acme.test",
        "mei@acme.test",
        "ben@acme.test",
        "tom@acme.test",
        "noah@acme.test",
      ])
      .orderBy("id")
      .execute();
    for (const [i, [first, last]] of hostile.entries()) {
      await t.db
        .updateTable("users")
        .set({ first_name: first, last_name: `${last}Injection` })
        .where("id", "=", ids[i]!.id)
        .execute();
    }
    const { rows } = await csvOf(ada, "q=injection");
    const firsts = rows.map((r) => r[0]).sort();
    expect(firsts).toEqual(
      [
        '\'=HYPERLINK("http://evil.example","x")',
        "'+SUM(1,2)",
        "'-2+3",
        "'@cmd",
        "'\tTab",
        "'\rCarriage",
        'Plain, "quoted"',
      ].sort(),
    );
  });
});

describe("a download cancelled halfway", () => {
  // A company of several batches, on a database of its own with a pool of one connection (PGlite is one
  // anyway): a batch still reading, or a connection kept, would hold up the plain query at the end.
  let big: TestDatabase;
  beforeAll(async () => {
    big = await freshDatabase({ poolSize: 1 });
    await seedDemo(big.db, now);
    await seedScale(big.db, 5 * EXPORT_BATCH, () => {});
  });
  afterAll(() => big?.close());

  it("reads no batch after the cancel, and leaves the database free for the next query", async () => {
    // Every statement the export sends, counted as it is sent (not when it answers): one per batch.
    let sent = 0;
    const counted = big.db.withPlugin({
      transformQuery: ({ node }) => (sent++, node),
      transformResult: async ({ result }) => result,
    });
    // The web stream's cancel resolves at once; the Node stream it wraps then ends the generator (Node throws
    // an AbortError into it at its yield, after the batch in flight if any, and its for-await loops return
    // the batch generators) and only then closes: that close is the end to wait for.
    const from = vi.spyOn(Readable, "from");
    let reader: ReadableStreamDefaultReader<Uint8Array>, chunks: AsyncIterable<string>, node: Readable;
    try {
      reader = usersCsv(counted, await actorFor(big.db, "ada@acme.test", now), params()).getReader();
      chunks = from.mock.calls[0]![0] as AsyncIterable<string>;
      node = from.mock.results[0]!.value as Readable;
    } finally {
      from.mockRestore();
    }
    // Not events.once: the stream emits the AbortError before it closes, and once() would reject on it.
    const closed = new Promise((resolve) => node.once("close", resolve));

    const decoder = new TextDecoder();
    const header = await reader.read();
    expect(decoder.decode(header.value)).toContain("First name,Last name,Email");
    const batch = await reader.read();
    expect(parse(decoder.decode(batch.value))).toHaveLength(EXPORT_BATCH);
    const atCancel = sent;
    // The batch read, and at most the next one, read ahead by the stream: not the whole company.
    expect(atCancel).toBeGreaterThanOrEqual(1);
    expect(atCancel).toBeLessThanOrEqual(2);

    await reader.cancel();
    await closed;
    // Ended: asked again, the generator is done, without a statement. One left suspended instead would
    // read the next batch here; one that read on after the cancel would have sent more already.
    expect(await chunks[Symbol.asyncIterator]().next()).toEqual({ done: true, value: undefined });
    expect(sent).toBe(atCancel);

    // The one connection was given back: a plain query runs, and finds the batches never read.
    const acme = await big.db
      .selectFrom("users as u")
      .innerJoin("companies as c", "c.id", "u.company_id")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("c.name", "=", "Acme")
      .where("u.status", "<>", "deleted")
      .executeTakeFirstOrThrow();
    expect(Math.ceil(Number(acme.n) / EXPORT_BATCH)).toBeGreaterThan(atCancel + 3);
  });
});
