/**
 * Office > Users, read through the domain module with real actors: the
 * scope of each admin, the search's meanings, sorting and pagination.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, type TestDatabase } from "../support/db.ts";
import { actorFor } from "../support/actors.ts";
import { seedDemo } from "../../db/seed/demo.ts";
import { listUsers } from "../../app/users/list.server.ts";
import { readListParams } from "../../app/users/list-params.ts";
import { getUserProfile } from "../../app/users/profile.server.ts";
import { resolveSelection } from "../../app/users/bulk.server.ts";
import type { Actor } from "../../app/auth/actor.server.ts";

let t: TestDatabase;
let ada: Actor, olive: Actor, carlos: Actor, gina: Actor;
beforeAll(async () => {
  t = await freshDatabase();
  await seedDemo(t.db, new Date());
  [ada, olive, carlos, gina] = await Promise.all(
    ["ada@acme.test", "olive@acme.test", "carlos@acme.test", "gina@globex.test"].map((e) =>
      actorFor(t.db, e),
    ),
  );
});
afterAll(() => t.close());

const list = (actor: Actor, query = "") =>
  listUsers(t.db, actor, readListParams(new URL(`http://x/users?${query}`)).params);
const names = async (actor: Actor, query = "") => (await list(actor, query)).users.map((u) => u.name);

describe("a search for an email", () => {
  it("finds whoever's address holds all of it, its domain too, from its start or within it", async () => {
    expect(await names(ada, "q=olive@acme.test")).toEqual(["Olive Bennett"]);
    // Not at the start: the trigram index is given "live@" and the whole is checked after (searchTextHolds).
    expect(await names(ada, "q=live@acme.test")).toEqual(["Olive Bennett"]);
    expect(await names(ada, "q=live@globex.test")).toEqual([]);
    expect(await names(ada, "q=olive@acme.testing")).toEqual([]);
    // Too little before the "@" for the index ("ve"), or a wildcard typed: the whole word, as typed.
    expect(await names(ada, "q=ve@acme.test")).toEqual(["Olive Bennett"]);
    expect(await names(ada, "q=ol_ve@acme.test")).toEqual([]);
  });
});

describe("prototype words", () => {
  it("are searched as names: a search for constructor or __proto__ finds nobody, not everyone", async () => {
    for (const word of ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"])
      expect.soft(await list(ada, `q=${word}`), word).toMatchObject({ total: { n: 0 }, users: [] });
    // The search's own words still mean a permission or a license.
    expect((await list(ada, "q=company%20admin")).users.map((u) => u.role)).toEqual(
      expect.arrayContaining(["Company Admin"]),
    );
  });

  it("select nobody for a bulk action on all that match", async () => {
    const url = new URL("http://x/users/bulk?action=delete&scope=search&q=constructor");
    expect(await resolveSelection(t.db, ada, url)).toEqual({
      ok: false,
      message: "Select at least one user, then choose Apply.",
    });
    const nul = await resolveSelection(
      t.db,
      ada,
      new URL("http://x/users/bulk?action=delete&scope=search&q=%00"),
    );
    expect(nul).toEqual({
      ok: false,
      status: 400,
      message: "Remove the control and text-direction characters from the search.",
    });
  });
});

describe("scope", () => {
  it("a Company Admin sees every live user of the company, and only them", async () => {
    const { total } = await list(ada);
    const expected = await t.db
      .selectFrom("users")
      .innerJoin("companies", "companies.id", "users.company_id")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("companies.name", "=", "Acme")
      .where("status", "<>", "deleted")
      .executeTakeFirstOrThrow();
    expect(total).toEqual({ n: Number(expected.n), is: "exact" });
    expect(await names(ada, "q=gina")).toEqual([]);
  });

  it("an Office Admin sees only their offices, and a user elsewhere is not found", async () => {
    const offices = new Set((await list(olive, "page=1")).users.map((u) => u.officeName));
    expect(offices).toEqual(new Set(["New York"]));
    expect(new Set((await list(carlos)).users.map((u) => u.officeName))).toEqual(
      new Set(["Austin", "London"]),
    );

    const uma = await t.db
      .selectFrom("users")
      .select("id")
      .where("email", "=", "uma@acme.test")
      .executeTakeFirstOrThrow();
    expect(await getUserProfile(t.db, ada, uma.id)).not.toBeNull();
    expect(await getUserProfile(t.db, olive, uma.id)).toBeNull();
    expect(await getUserProfile(t.db, gina, uma.id)).toBeNull();
    // An office filter outside one's scope finds nobody rather than leaking.
    const sf = await t.db
      .selectFrom("offices")
      .select("id")
      .where("name", "=", "San Francisco")
      .executeTakeFirstOrThrow();
    expect((await list(olive, `office=${sf.id}`)).total.n).toBe(0);
  });

  it("deleted users are not listed", async () => {
    expect(await names(ada, "q=sienna")).toEqual([]);
  });
});

describe("search", () => {
  it("matches any part of names and emails, in any case, word by word", async () => {
    expect(await names(ada, "q=LOVEL")).toEqual(["Ada Lovelace"]);
    expect(await names(ada, "q=lovelace+ada")).toEqual(["Ada Lovelace"]);
    expect(await names(ada, "q=uma%40acme")).toEqual(["Uma Patel"]);
  });

  it("folds letters beyond ASCII as the search folds them: Émile is found by émile, ÉMILE or Ø", async () => {
    // In a transaction rolled back at the end: the other tests see the demo's names.
    const rollback = new Error("rollback");
    await t.db
      .transaction()
      .execute(async (tx) => {
        await tx
          .updateTable("users")
          .set({ first_name: "Émile", last_name: "Østergaard" })
          .where("email", "=", "uma@acme.test")
          .execute();
        const found = async (q: string) =>
          (await listUsers(tx, ada, readListParams(new URL(`http://x/users?q=${q}`)).params)).users.map(
            (u) => u.name,
          );
        for (const q of ["émile", "ÉMILE", "Ém", "østergaard", "ØSTER", "STERGAARD", "émile%20ø", "mile"])
          expect.soft(await found(q), q).toEqual(["Émile Østergaard"]);
        throw rollback;
      })
      .catch((err: unknown) => {
        if (err !== rollback) throw err;
      });
    expect(await names(ada, "q=uma")).toEqual(["Uma Patel"]);
  });

  it("treats % and _ as themselves", async () => {
    expect(await names(ada, "q=%25")).toEqual([]);
    expect(await names(ada, "q=_")).toEqual([]);
  });

  it("finds numbers typed in any format", async () => {
    const n = await t.db
      .selectFrom("phone_numbers")
      .innerJoin("users", "users.id", "phone_numbers.assigned_user_id")
      .select("e164")
      .where("users.email", "=", "amelia@acme.test")
      .where("is_primary", "=", true)
      .executeTakeFirstOrThrow();
    const national = n.e164.slice(3); // +44 20 7946 0xxx → 2079460xxx
    for (const typed of [
      n.e164,
      `+44 (0)20 ${national.slice(2, 6)} ${national.slice(6)}`,
      `0${national}`,
      national,
    ]) {
      expect(await names(ada, `q=${encodeURIComponent(typed)}`), typed).toEqual(["Amelia Clarke"]);
    }
  });

  it("reads permission and license words as filters", async () => {
    expect(await names(ada, "q=company+admin")).toEqual(["Ada Lovelace"]);
    expect(await names(ada, "q=Office+Admin")).toEqual(["Carlos Ramírez", "Olive Bennett", "Oscar Martínez"]);
    expect(await names(ada, "q=proxy")).toEqual(["Ada Lovelace", "Oscar Martínez"]);
    // On the Standard plan a Company Admin has no proxy access without a grant.
    expect(await names(gina, "q=proxy")).toEqual([]);
    const sell = await list(ada, "q=sell");
    expect(sell.total.n).toBeGreaterThan(0);
    expect(new Set(sell.users.map((u) => u.licenseType))).toEqual(new Set(["sell"]));
  });
});

describe("sorting and pagination", () => {
  it("pages through everyone exactly once, in order", async () => {
    const first = await list(ada, "sort=email");
    const second = await list(ada, `sort=email&cursor=${first.next}`);
    const emails = [...first.users, ...second.users].map((u) => u.email);
    expect(emails).toHaveLength(first.total.n);
    expect(new Set(emails).size).toBe(emails.length);
    expect(emails).toEqual([...emails].sort());
    const desc = await list(ada, "sort=email&dir=desc");
    expect(desc.users[0]!.email).toBe(emails.at(-1));
  });

  it("bad parameters fall back to defaults, and the total stays", async () => {
    const plain = await list(ada);
    const junk = await list(ada, "page=-3&sort=evil&dir=sideways&license=gold&office=abc&cursor=%00");
    expect(junk.users.map((u) => u.id)).toEqual(plain.users.map((u) => u.id));
    expect(junk.atStart).toBe(true);
    expect(junk.total).toEqual(plain.total);
    expect(plain.total.n).toBeGreaterThan(50);
  });
});
