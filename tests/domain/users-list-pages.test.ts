/**
 * Office > Users' keyset pages (issue #17): for every sort and direction,
 * Next from the first page and Previous from the last each walk the whole
 * list once in the order the database itself gives (ties broken by id);
 * rows deleted between two pages are neither repeated nor skip a live row;
 * a stale, forged or garbled cursor shows the first page (or the nearest).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { freshDatabase, type TestDatabase } from "../support/db.ts";
import { actorFor } from "../support/actors.ts";
import { seedDemo } from "../../db/seed/demo.ts";
import { seedScale } from "../../db/seed/scale.ts";
import { listUsers } from "../../app/users/list.server.ts";
import { readListParams, SORTS, PAGE_SIZE } from "../../app/users/list-params.ts";
import type { Actor } from "../../app/auth/actor.server.ts";

const NOW = new Date("2026-12-02T10:00:00Z");
let t: TestDatabase;
let ada: Actor, carlos: Actor;
beforeAll(async () => {
  t = await freshDatabase();
  await seedDemo(t.db, NOW);
  await seedScale(t.db, 240, () => undefined);
  // Ties on every key: one created_at shared by a third of the users, and six namesakes in one office.
  await sql`update users set created_at = ${NOW} where id % 3 = 0`.execute(t.db);
  await sql`update users set first_name = 'Tia', last_name = 'Tie'
             where id in (select id from users where company_id = (select company_id from users
               where email = 'ada@acme.test') and status <> 'deleted' and email not like '%@acme.test'
               order by id limit 6)`.execute(t.db);
  // "mar" in each tier of a name search, over more than two pages: first names, last names, emails (of
  // other names), and further in ("Tamar"); the scale names add Mary, Mark, Martin, Amara and others.
  const scaleUsers = (offset: number) =>
    sql`select id from users where email ~ '\.[0-9]+@' order by id offset ${offset} limit 30`;
  await sql`update users set first_name = 'Marlo' where id in (${scaleUsers(0)})`.execute(t.db);
  await sql`update users set last_name = 'Marsh' where id in (${scaleUsers(30)})`.execute(t.db);
  await sql`update users set email = 'mar.' || id || '@acme.test' where id in (${scaleUsers(60)})`.execute(
    t.db,
  );
  await sql`update users set last_name = 'Tamar' where id in (${scaleUsers(90)})`.execute(t.db);
  [ada, carlos] = await Promise.all([
    actorFor(t.db, "ada@acme.test", NOW),
    actorFor(t.db, "carlos@acme.test", NOW),
  ]);
}, 120_000);
afterAll(() => t.close());

const list = (actor: Actor, query: string) =>
  listUsers(t.db, actor, readListParams(new URL(`http://x/users?${query}`)).params);

/**
 * The whole list's ids in a sort's order, as PostgreSQL orders them: what the pages must add up to.
 * With a search, its matches by LIKE: those whose first name, last name or email (email first when
 * sorted by email) starts with it, in that order of tiers, then those that hold it anywhere (three
 * letters or more), each tier in the sort's order.
 */
async function expected(actor: Actor, sort: (typeof SORTS)[number], dir: "asc" | "desc", q?: string) {
  const fields =
    sort === "email" ? ["email", "first_name", "last_name"] : ["first_name", "last_name", "email"];
  const tier = q
    ? sql`case ${sql.join(
        fields.map((f, i) => sql`when lower(u.${sql.raw(f)}) like ${`${q}%`} then ${i}`),
        sql` `,
      )} else 3 end`
    : sql`null::int`;
  const matches = !q ? sql`true` : q.length >= 3 ? sql`u.search_text like ${`%${q}%`}` : sql`${tier} < 3`;
  const key = {
    name: sql`u.sort_name`,
    email: sql`lower(u.email)`,
    added: sql`u.created_at`,
    license: sql`u.license_type, u.sort_name`,
    status: sql`u.status, u.sort_name`,
    office: sql`o.name, o.id, u.sort_name`,
  }[sort];
  const d = sql.raw(dir);
  const offices = actor.person.isCompanyAdmin ? null : actor.adminOfficeIds;
  const { rows } = await sql<{ id: number }>`
    select u.id from users u join offices o on o.id = u.office_id
     where u.company_id = ${actor.company.id} and u.status <> 'deleted'
       and (${offices === null} or u.office_id = any(${offices ?? []}::int[])) and ${matches}
     order by ${tier}, ${sql.join(
       String(key.compile(t.db).sql)
         .split(", ")
         .map((c) => sql.raw(`${c} ${dir}`)),
     )}, u.id ${d}`.execute(t.db);
  return rows.map((r) => r.id);
}

/** Every id, following `link` (next or prev) from the page `query` opens. */
async function walk(actor: Actor, query: string, link: "next" | "prev") {
  const ids: number[][] = [];
  let page = await list(actor, query);
  for (;;) {
    ids.push(page.users.map((u) => u.id));
    const cursor = page[link];
    if (!cursor) return ids;
    page = await list(actor, `${query.replace(/&cursor=.*/, "")}&cursor=${cursor}`);
  }
}

/** Next from First, and Previous from Last, each list `all` once, in its order. */
async function expectWalks(query: string, all: number[]) {
  const forward = await walk(ada, query, "next");
  expect(forward.flat()).toEqual(all);
  expect(forward.slice(0, -1).every((p) => p.length === PAGE_SIZE)).toBe(true);
  const backward = await walk(ada, `${query}&cursor=last`, "prev");
  // Last is the reversed order's first page: full, ending with the last user.
  expect(backward[0]).toEqual(all.slice(-PAGE_SIZE));
  // Going back, each page is the one before; the first page is reached full (the list's
  // start is not a multiple of 50 from its end), so it may repeat some of the page after it.
  const start = backward.pop()!;
  expect(start).toEqual(all.slice(0, PAGE_SIZE));
  const rest = backward.reverse().flat();
  expect(rest).toEqual(all.slice(all.length - rest.length));
  expect(rest.length + PAGE_SIZE).toBeGreaterThanOrEqual(all.length);
}

describe("keyset pages", () => {
  for (const sort of SORTS) {
    for (const dir of ["asc", "desc"] as const) {
      it(`sorted by ${sort} ${dir}: Next from First and Previous from Last each list everyone once, in order`, async () => {
        const all = await expected(ada, sort, dir);
        expect(all.length).toBeGreaterThan(3 * PAGE_SIZE);
        await expectWalks(`sort=${sort}&dir=${dir}`, all);
      });
    }
  }

  it("an Office Admin's pages hold their offices' users only, by office", async () => {
    const forward = await walk(carlos, "sort=office", "next");
    expect(forward.flat()).toEqual(await expected(carlos, "office", "asc"));
  });
});

describe("a name search's pages", () => {
  for (const sort of SORTS) {
    for (const dir of ["asc", "desc"] as const) {
      it(`"mar" sorted by ${sort} ${dir}: first names, last names and emails that start with it, then the rest that hold it; Next and Previous list each match once`, async () => {
        const all = await expected(ada, sort, dir, "mar");
        expect(all.length).toBeGreaterThan(2 * PAGE_SIZE);
        await expectWalks(`q=mar&sort=${sort}&dir=${dir}`, all);
        expect((await list(ada, `q=mar&sort=${sort}&dir=${dir}`)).total).toEqual({
          n: all.length,
          is: "exact",
        });
      });
    }
  }

  it("a search of two letters matches the start of a first name, last name or email only", async () => {
    const all = await expected(ada, "name", "asc", "ma");
    const { rows: further } = await sql<{ id: number }>`
      select id from users where last_name = 'Tamar' and lower(first_name) not like 'ma%'`.execute(t.db);
    expect(further.length).toBeGreaterThan(0);
    const listed = (await walk(ada, "q=ma", "next")).flat();
    expect(listed).toEqual(all);
    expect(listed.filter((id) => further.some((f) => f.id === id))).toEqual([]);
    expect((await list(ada, "q=ma")).total).toEqual({ n: all.length, is: "exact" });
  });

  it("a cursor of the search's tiers with a tier it does not have shows the first page", async () => {
    const first = (await list(ada, "q=ma")).users.map((u) => u.id);
    const position = Buffer.from(JSON.stringify([3, "marlo a", 1])).toString("base64url");
    const page = await list(ada, `q=ma&cursor=next.${position}`);
    expect(page.atStart).toBe(true);
    expect(page.users.map((u) => u.id)).toEqual(first);
  });
});

describe("rows that change between pages", () => {
  it("deleted at and after the cursor: the next page starts at the next live user, and a gone end leads to the last page", async () => {
    const all = await expected(ada, "name", "asc");
    const first = await list(ada, "sort=name");
    // The last user of the first page and the two after them are deleted.
    const gone = [all[PAGE_SIZE - 1]!, all[PAGE_SIZE]!, all[PAGE_SIZE + 1]!];
    await sql`update users set status = 'deleted', deleted_at = ${NOW} where id in (${sql.join(gone)})`.execute(
      t.db,
    );
    try {
      const second = await list(ada, `sort=name&cursor=${first.next}`);
      expect(second.users.map((u) => u.id)).toEqual(all.slice(PAGE_SIZE + 2, 2 * PAGE_SIZE + 2));
      // Back from there: the first page as it now is (49 left before it: shown full, as the first).
      const back = await list(ada, `sort=name&cursor=${second.prev}`);
      expect(back.atStart).toBe(true);
      expect(back.users.map((u) => u.id)).toEqual(all.filter((id) => !gone.includes(id)).slice(0, PAGE_SIZE));
    } finally {
      await sql`update users set status = 'active', deleted_at = null where id in (${sql.join(gone)})`.execute(
        t.db,
      );
    }
    // A cursor past everyone (its user and all after deleted, or forged at the end): the last page.
    const end = Buffer.from(JSON.stringify(["\u{10FFFF}zzz", 2147483647])).toString("base64url");
    const past = await list(ada, `sort=name&cursor=next.${end}`);
    expect(past.atEnd).toBe(true);
    expect(past.users.map((u) => u.id)).toEqual(all.slice(-PAGE_SIZE));
  });
});

describe("cursors that were not written by the list", () => {
  const encoded = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const forged = [
    "next.",
    "next.!!!",
    "prev.%00",
    "sideways.abc",
    `next.${Buffer.from("not json").toString("base64url")}`,
    `next.${encoded([1])}`,
    `next.${encoded(["ada", "7"])}`,
    `next.${encoded(["ada", 0])}`,
    `next.${encoded(["ada", 2147483648])}`,
    `next.${encoded(["a\u0000b", 7])}`,
    `next.${encoded([null, 7])}`,
    `next.${encoded({ 0: "ada", 1: 7 })}`,
    `next.${encoded(["x".repeat(5000), 7])}`,
    // A cursor of another sort: the name sort's shape, given to the date and office sorts.
    `next.${encoded(["ada lovelace", 7])}`,
    `next.${encoded(["99999999999999999", 7])}`,
    `next.${encoded(["2026-02-30", 7])}`,
  ];
  for (const sort of ["added", "office", "license"] as const) {
    it(`sorted by ${sort}: each shows the first page, never an error`, async () => {
      const first = (await list(ada, `sort=${sort}`)).users.map((u) => u.id);
      for (const cursor of forged) {
        const page = await list(ada, `sort=${sort}&cursor=${encodeURIComponent(cursor)}`);
        expect
          .soft(
            page.users.map((u) => u.id),
            cursor,
          )
          .toEqual(first);
        expect.soft(page.atStart, cursor).toBe(true);
      }
    });
  }

  it("a well-formed position outside the actor's offices only places the page: it shows none of their users", async () => {
    const [other] = await expected(ada, "office", "asc");
    const office = await t.db
      .selectFrom("users")
      .select("office_id")
      .where("id", "=", other!)
      .executeTakeFirstOrThrow();
    const page = await list(
      carlos,
      `sort=office&cursor=next.${encoded(["A", String(office.office_id), "a", 1])}`,
    );
    const mine = new Set(await expected(carlos, "office", "asc"));
    expect(page.users.length).toBeGreaterThan(0);
    expect(page.users.every((u) => mine.has(u.id))).toBe(true);
  });
});
