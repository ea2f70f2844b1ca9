/**
 * SCIM's sortBy and sortOrder on /Users (RFC 7644 §3.4.2.3): each supported
 * attribute, named in any letter case or with its schema's URN, sorts the
 * whole filtered list (strings in any letter case), ties broken by id, pages
 * taken after sorting; and each sort is served by indexes: with sorting
 * switched off in the planner, its statement sorts nothing but index-ordered
 * rows up to the page's end.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { sql, type CompiledQuery } from "kysely";
import { freshDatabase, type TestDatabase } from "../support/db.ts";
import { actorFor } from "../support/actors.ts";
import { seedDemo } from "../../db/seed/demo.ts";
import { createToken } from "../../app/provisioning/tokens.server.ts";
import { scimActor, type ScimActor, type ScimCall } from "../../app/scim/actor.server.ts";
import { ScimError } from "../../app/scim/http.server.ts";
import { createUser, listUsers } from "../../app/scim/users.server.ts";

const NOW = new Date("2026-06-01T12:00:00Z");
const OUTBOX_DIR = `.tmp/scim-sort-test-${process.pid}`;
const BASE = "http://sb.test/scim/v2";
let t: TestDatabase;
let acme: ScimActor;
let last: CompiledQuery | undefined;

const call = (at = NOW): ScimCall => ({
  db: t.db,
  actor: acme,
  origin: "http://sb.test",
  baseUrl: BASE,
  now: at,
});
const list = (query: Record<string, string>) => listUsers(call(), new URLSearchParams(query));

beforeAll(async () => {
  process.env.DATA_DIR = OUTBOX_DIR;
  t = await freshDatabase({
    log: (event) => {
      if (event.level === "query") last = event.query;
    },
  });
  await seedDemo(t.db, NOW);
  const ada = await actorFor(t.db, "ada@acme.test", NOW);
  const made = await createToken(t.db, ada, { name: "Okta" }, NOW);
  if (!made.ok) throw new Error("token");
  acme = await scimActor(
    t.db,
    new Request(`${BASE}/Users`, { headers: { Authorization: `Bearer ${made.token}` } }),
    null,
    NOW,
  );
  // Users SCIM knows by a userName of their own, in mixed case, made at different moments;
  // two share a first name so that the id breaks the tie.
  const people = [
    ["zeta.Quinn", "Amy", "quinn", "ext-B"],
    ["Alpha.Moss", "amy", "Moss", "ext-a"],
    ["mike.Ortiz", "Zoe", "ortiz", null],
  ] as const;
  for (const [i, [userName, givenName, familyName, externalId]] of people.entries())
    await createUser(call(new Date(NOW.getTime() + (i + 1) * 60_000)), {
      userName,
      externalId,
      name: { givenName, familyName },
      emails: [{ value: `${userName.toLowerCase()}@acme.test`, primary: true }],
    });
});
afterAll(async () => {
  await t.close();
  rmSync(OUTBOX_DIR, { recursive: true, force: true });
});

type User = Awaited<ReturnType<typeof list>>["Resources"][number];
const KEYS: Record<string, (u: User) => string | null> = {
  userName: (u) => u.userName.toLowerCase(),
  "name.givenName": (u) => u.name.givenName.toLowerCase(),
  "name.familyName": (u) => u.name.familyName.toLowerCase(),
  "meta.created": (u) => u.meta.created,
  "meta.lastModified": (u) => u.meta.lastModified,
  externalId: (u) => u.externalId ?? null,
};

/** The order a sort must give, computed here from the unsorted list: nulls last, ties by id. */
function expected(all: User[], key: (u: User) => string | null, descending: boolean) {
  const sorted = [...all].sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    if (x !== y) return x === null ? 1 : y === null ? -1 : x < y ? -1 : 1;
    return Number(a.id) - Number(b.id);
  });
  return (descending ? sorted.reverse() : sorted).map((u) => u.id);
}

describe("sortBy and sortOrder", () => {
  it("sort the whole list by each attribute, either way, ties by id, then page", async () => {
    const all = (await list({ count: "1000" })).Resources;
    expect(all.length).toBeGreaterThan(10);
    for (const [by, key] of Object.entries(KEYS))
      for (const descending of [false, true]) {
        const want = expected(all, key, descending);
        const order = descending ? "descending" : "ascending";
        const got = await list({ sortBy: by, sortOrder: order, count: "1000" });
        expect({ by, order, ids: got.Resources.map((u) => u.id) }).toEqual({ by, order, ids: want });
        const page = await list({ sortBy: by, sortOrder: order, startIndex: "3", count: "4" });
        expect(page.totalResults).toBe(all.length);
        expect(page.Resources.map((u) => u.id)).toEqual(want.slice(2, 6));
      }
  });

  it("take attribute names in any letter case or with the schema's URN; ascending by default; with a filter", async () => {
    const want = (await list({ sortBy: "name.familyName", count: "1000" })).Resources.map((u) => u.id);
    for (const by of ["NAME.FAMILYNAME", "urn:ietf:params:scim:schemas:core:2.0:User:name.familyName"])
      expect(
        (await list({ sortBy: by, sortOrder: "Ascending", count: "1000" })).Resources.map((u) => u.id),
      ).toEqual(want);
    const amys = await list({
      filter: 'name.givenName eq "AMY"',
      sortBy: "userName",
      sortOrder: "descending",
    });
    expect(amys.Resources.map((u) => u.userName)).toEqual(["zeta.Quinn", "Alpha.Moss"]);
  });

  it("refuse an attribute they cannot sort by, or another order, with invalidValue", async () => {
    const queries: Record<string, string>[] = [
      { sortBy: "emails" },
      { sortBy: "password" },
      { sortBy: "__proto__" },
      { sortOrder: "up" },
    ];
    for (const query of queries) {
      const err = await list(query).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ScimError);
      expect({ query, status: (err as ScimError).status, type: (err as ScimError).scimType }).toEqual({
        query,
        status: 400,
        type: "invalidValue",
      });
    }
  });

  it("are served by indexes: with the planner's sorting off, no Sort of unbounded rows", async () => {
    for (const by of Object.keys(KEYS))
      for (const sortOrder of ["ascending", "descending"]) {
        await list({ sortBy: by, sortOrder, count: "10", startIndex: "5" });
        const query = last!;
        const plan = await t.db.transaction().execute(async (tx) => {
          await sql`set local enable_sort = off`.execute(tx);
          await sql`set local enable_incremental_sort = off`.execute(tx);
          const { rows } = await sql<{ "QUERY PLAN": string }>`explain (costs off) ${sql.raw(
            query.sql.replace(
              /\$(\d+)/g,
              (_, n: string) => sql.lit(query.parameters[Number(n) - 1]).compile(tx).sql,
            ),
          )}`.execute(tx);
          return rows.map((r) => r["QUERY PLAN"]).join("\n");
        });
        // Every Sort node (not Merge Append's "Sort Key") must sort an index's first rows up to the
        // page's end (a Limit): a Sort over anything else would read every user of the company.
        // The plan's nodes: its first line, and every line an arrow starts.
        const nodes = plan.split("\n").filter((l, i) => i === 0 || /^\s*->/.test(l));
        const unbounded = nodes.filter(
          (l, i) => /(->\s+|^)(Incremental )?Sort$/.test(l) && !/Limit$/.test(nodes[i + 1] ?? ""),
        );
        expect({ by, sortOrder, unbounded, plan }).toMatchObject({ by, sortOrder, unbounded: [] });
      }
  });
});
