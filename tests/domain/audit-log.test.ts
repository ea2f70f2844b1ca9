/**
 * The audit log page, read through its domain module with real actors: who
 * reads which entries (and nothing of other offices through their details),
 * anonymized people by pseudonym only, the filters and the keyset pages.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, type TestDatabase } from "../support/db.ts";
import { actorFor } from "../support/actors.ts";
import { seedDemo } from "../../db/seed/demo.ts";
import { listAudit, readAuditFilters } from "../../app/audit/log.server.ts";
import { recordAudit, type AuditActor, type AuditEntry } from "../../app/audit/record.server.ts";
import { setProxyAccess } from "../../app/proxy/access.server.ts";
import { endProxy, startProxy } from "../../app/proxy/session.server.ts";
import { deleteUsers } from "../../app/users/delete.server.ts";
import { permanentlyDelete } from "../../app/users/deleted.server.ts";
import { planTransfers, startTransferReview, transferUsers } from "../../app/users/transfer.server.ts";
import { AUDIT_ACTIONS } from "../../app/audit/log-params.ts";
import { BULK_ACTIONS } from "../../app/users/bulk-actions.ts";
import { loadActor, type Actor } from "../../app/auth/actor.server.ts";

let t: TestDatabase;
let ada: Actor, olive: Actor, carlos: Actor, gina: Actor;
const now = new Date("2026-11-20T12:00:00Z");
const at = (iso: string) => new Date(iso);
let ruthPseudonym: string;

const idOf = async (email: string) =>
  (await t.db.selectFrom("users").select("id").where("email", "=", email).executeTakeFirstOrThrow()).id;
const officeId = async (name: string) =>
  (await t.db.selectFrom("offices").select("id").where("name", "=", name).executeTakeFirstOrThrow()).id;

const read = (actor: Actor, query = "") => {
  const { filters } = readAuditFilters(new URL(`http://x/audit?${query}`));
  return listAudit(t.db, actor, filters);
};
const actions = async (actor: Actor, query = "") => (await read(actor, query)).entries.map((e) => e.action);

/** A page as the links see it: its entries' ids, and the cursors of Previous and Next. */
const pageOf = async (actor: Actor, query: string) => {
  const { entries, newerCursor, olderCursor } = await read(actor, query);
  return { ids: entries.map((e) => e.id), newerCursor, olderCursor };
};

/**
 * Every page of `query`, following Next from the first to the last, each full
 * but the last; then Previous from each page back to the first, which must
 * give each page again, cursors included (the first with no Previous).
 */
async function walk(actor: Actor, query: string) {
  const pages = [await pageOf(actor, query)];
  while (pages.at(-1)!.olderCursor)
    pages.push(await pageOf(actor, `${query}&before=${pages.at(-1)!.olderCursor}`));
  expect(pages[0]!.newerCursor).toBeNull();
  for (const page of pages.slice(0, -1)) expect(page.ids.length).toBe(50);
  for (let i = pages.length - 1; i > 0; i--)
    expect(await pageOf(actor, `${query}&after=${pages[i]!.newerCursor}`)).toEqual(pages[i - 1]);
  return pages;
}

beforeAll(async () => {
  t = await freshDatabase();
  await seedDemo(t.db, now);
  [ada, olive, carlos, gina] = await Promise.all(
    ["ada@acme.test", "olive@acme.test", "carlos@acme.test", "gina@globex.test"].map((e) =>
      actorFor(t.db, e, now),
    ),
  );
  ada = { ...ada, ip: "203.0.113.7" };
  const ny = await officeId("New York");

  // New York: proxy access for Ethan (day 1), Ruth's own settings (day 2), then Ruth deleted and anonymized (day 3).
  expect(
    (await setProxyAccess(t.db, ada, await idOf("ethan@acme.test"), true, at("2026-11-21T09:00:00Z"))).ok,
  ).toBe(true);
  const ruthId = await idOf("ruth@acme.test");
  const ruth = await actorFor(t.db, "ruth@acme.test", now);
  await recordAudit(
    t.db,
    ruth,
    {
      action: "user.settings_updated",
      targetType: "user",
      targetId: ruthId,
      targetLabel: "Ruth Abebe",
      officeId: ny,
      before: { job_title: "Executive Assistant", email: "ruth@acme.test" },
      after: { job_title: "Chief of Staff", email: "ruth@abebe.example" },
    },
    at("2026-11-22T09:00:00Z"),
  );
  await deleteUsers(t.db, ada, [ruthId], "keep", at("2026-11-23T09:00:00Z"));
  expect((await permanentlyDelete(t.db, ada, ruthId, at("2026-11-23T10:00:00Z"))).ok).toBe(true);
  ruthPseudonym = (
    await t.db.selectFrom("users").select("pseudonym").where("id", "=", ruthId).executeTakeFirstOrThrow()
  ).pseudonym!;

  // Austin: Kevin deleted by Carlos (day 3).
  await deleteUsers(t.db, carlos, [await idOf("kevin@acme.test")], "keep", at("2026-11-23T11:00:00Z"));

  // Mei moved from San Francisco to New York (day 4): the entry is New York's, and names San Francisco's things.
  await recordAudit(
    t.db,
    ada,
    {
      action: "user.transferred",
      targetType: "user",
      targetId: await idOf("mei@acme.test"),
      targetLabel: "Mei Tanaka",
      officeId: ny,
      before: {
        office: "San Francisco",
        numbers: ["+14155550999"],
        groups: ["Engineering"],
        office_admin: false,
      },
      after: { office: "New York", numbers: ["+12125550999"], groups: [], office_admin: false },
    },
    at("2026-11-24T09:00:00Z"),
  );

  // Globex, the same day.
  await deleteUsers(t.db, gina, [await idOf("walter@globex.test")], "keep", at("2026-11-24T10:00:00Z"));
});
afterAll(() => t.close());

describe("who reads what", () => {
  it("a Company Admin reads every entry of the company, newest first, and nothing of another company", async () => {
    const { entries } = await read(ada);
    expect(entries.map((e) => e.action)).toEqual([
      "Transferred a user to another office",
      "Bulk action: delete users",
      "Deleted a user",
      "Anonymized a deleted user",
      "Bulk action: delete users",
      "Deleted a user",
      "Changed account settings",
      "Gave proxy access",
    ]);
    expect(JSON.stringify(entries)).not.toMatch(/Walter|Globex/);
    const proxy = entries.at(-1)!;
    expect(proxy).toMatchObject({
      actor: "Ada Lovelace",
      onBehalfOf: null,
      target: "Ethan Brooks",
      ip: "203.0.113.7",
    });
    expect(proxy.changes).toEqual([{ field: "Proxy access", before: "No", after: "Yes" }]);
  });

  it("another company's admin reads only their own company's entries", async () => {
    const { entries } = await read(gina);
    expect(entries.map((e) => e.target)).toEqual(["Users of the company", "Walter Price"]);
  });

  it("an Office Admin reads entries about their offices only, and no other office's details", async () => {
    const { entries } = await read(olive);
    expect(entries.map((e) => e.action)).toEqual([
      "Transferred a user to another office",
      "Anonymized a deleted user",
      "Deleted a user",
      "Changed account settings",
      "Gave proxy access",
    ]);
    const transfer = entries[0]!;
    expect(transfer.changes).toEqual([
      { field: "Office", before: "Another office", after: "New York" },
      { field: "Office Admin", before: null, after: "No" },
      { field: "Numbers", before: null, after: "+1 212 555 0999" },
      { field: "Groups", before: null, after: "None" },
    ]);
    // Not the bulk summaries (across offices), not Austin's deletion, nothing named after San Francisco.
    const text = JSON.stringify(entries);
    for (const leak of ["San Francisco", "Engineering", "415", "Kevin", "Austin", "Bulk"])
      expect(text).not.toContain(leak);

    const austin = await read(carlos);
    expect(austin.entries.map((e) => `${e.action}: ${e.target}`)).toEqual(["Deleted a user: Kevin Park"]);
  });
});

describe("anonymized people", () => {
  it("show only their pseudonym, as actor and as target, and nothing else of them", async () => {
    const { entries } = await read(ada);
    const theirs = entries.filter((e) => e.target.includes(ruthPseudonym) || e.actor.includes(ruthPseudonym));
    expect(theirs.map((e) => e.action)).toEqual([
      "Anonymized a deleted user",
      "Deleted a user",
      "Changed account settings",
    ]);
    for (const e of theirs) expect(e.target).toBe(`Deleted user ${ruthPseudonym}`);
    expect(theirs.at(-1)!.actor).toBe(`Deleted user ${ruthPseudonym}`);
    expect(JSON.stringify(entries)).not.toMatch(/Ruth|Abebe|abebe/i);
  });

  it("are found by their pseudonym, not their former name", async () => {
    expect(await actions(ada, `who=${ruthPseudonym}`)).toEqual(["Changed account settings"]);
    expect(await actions(ada, "who=ruth")).toEqual([]);
    expect(await actions(ada, "target=abebe")).toEqual([]);
    expect((await actions(ada, `target=${ruthPseudonym}`)).length).toBe(3);
  });
});

describe("filters", () => {
  it("by who acted, by target, by action and by dates (UTC days, both ends included)", async () => {
    expect(await actions(ada, "who=carlos")).toEqual(["Bulk action: delete users", "Deleted a user"]);
    // An email, whole or in part: all of it must match, its domain too (searchTextHolds).
    expect(await actions(ada, "who=carlos@acme.test")).toEqual([
      "Bulk action: delete users",
      "Deleted a user",
    ]);
    expect(await actions(ada, "who=rlos@acme.test")).toEqual(["Bulk action: delete users", "Deleted a user"]);
    expect(await actions(ada, "who=rlos@globex.test")).toEqual([]);
    expect(await actions(ada, "who=ADA lovelace&action=user.deleted")).toEqual(["Deleted a user"]);
    expect(await actions(ada, "target=ethan")).toEqual(["Gave proxy access"]);
    expect(await actions(ada, "action=user.transferred")).toEqual(["Transferred a user to another office"]);
    expect(await actions(ada, "from=2026-11-21&to=2026-11-22")).toEqual([
      "Changed account settings",
      "Gave proxy access",
    ]);
    expect(await actions(ada, "from=2026-11-24")).toEqual(["Transferred a user to another office"]);
    expect(await actions(ada, "to=2026-11-20")).toEqual([]);
  });

  it("a filter never widens the scope", async () => {
    expect(await actions(olive, "who=carlos")).toEqual([]);
    expect(await actions(gina, "target=ethan")).toEqual([]);
  });

  it("refuses bad input beside its field and still applies the rest", () => {
    const bad = (q: string) => readAuditFilters(new URL(`http://x/audit?${q}`));
    const r = bad(`from=2026-02-30&to=yesterday&action=user.hacked&who=${"x".repeat(10_000)}&target=ethan`);
    expect(r.reply?.error).toMatchObject({
      from: [expect.stringContaining("does not exist")],
      to: [expect.stringContaining("YYYY-MM-DD")],
      action: ["Choose an action from the list."],
      who: ["Keep the name or email under 200 characters."],
    });
    expect(r.filters).toMatchObject({ target: "ethan" });
    expect(r.filters).not.toHaveProperty("from");
    expect(bad("from=2026-11-24&to=2026-11-21").reply?.error).toMatchObject({
      to: ["The end date is before the start date."],
    });
    expect(bad("who=a%00b").reply?.error).toMatchObject({ who: [expect.any(String)] });
    // SQL and LIKE wildcards are text like any other.
    expect(bad("target=%25' or 1=1 --").reply).toBeNull();
  });

  it("treats LIKE wildcards and quotes as text", async () => {
    expect(await actions(ada, "target=%25")).toEqual([]);
    expect(await actions(ada, "target=' or 1=1 --")).toEqual([]);
  });
});

describe("pages", () => {
  it("walks the log 50 at a time with no entry twice or missed, even when they share a timestamp, and back", async () => {
    const pageTime = at("2026-11-25T09:00:00Z");
    await recordAudit(
      t.db,
      ada,
      Array.from({ length: 120 }, (_, i) => ({
        action: "user.invite_resent",
        targetType: "user" as const,
        targetId: 1,
        targetLabel: `Page test ${i}`,
        officeId: null,
      })),
      pageTime,
    );
    const pages = await walk(ada, "action=user.invite_resent");
    expect(pages.map((p) => p.ids.length)).toEqual([50, 50, 20]);
    expect(new Set(pages.flatMap((p) => p.ids)).size).toBe(120);
    // An Office Admin never sees these (no office), nor pages into them with a cursor.
    expect((await read(olive, `before=${pages[1]!.olderCursor}`)).entries.map((e) => e.action)).not.toContain(
      "Resent an invite",
    );
    // A cursor of another company reads nothing of theirs.
    expect((await read(gina, `before=${pages[1]!.olderCursor}`)).entries).toEqual([]);
  });
});

describe("who", () => {
  let ben: Actor;
  /** An admin's change while proxying: Ada acts, on Ben's behalf. */
  let adaForBen: AuditActor;
  /** An entry in which Ben is both who acted and on whose behalf. */
  let benForBen: AuditActor;

  /**
   * What "Who" must list, read without it: the entries of the reader's scope
   * that one of these people made or that were made on their behalf, newest
   * first, ties by id.
   */
  const madeByOrFor = async (reader: Actor, people: number[], action?: string) =>
    (
      await t.db
        .selectFrom("audit_log")
        .select("id")
        .where("company_id", "=", reader.company.id)
        .$if(!reader.person.isCompanyAdmin, (q) => q.where("office_id", "in", reader.adminOfficeIds))
        .where((eb) => eb.or([eb("actor_user_id", "in", people), eb("on_behalf_of_user_id", "in", people)]))
        .$if(action !== undefined, (q) => q.where("action", "=", action!))
        .orderBy("created_at", "desc")
        .orderBy("id", "desc")
        .execute()
    ).map((r) => r.id);

  beforeAll(async () => {
    ben = await actorFor(t.db, "ben@acme.test", now);
    const proxy = (admin: Actor) => ({
      id: 0,
      admin: { id: admin.person.id, name: `${admin.person.firstName} ${admin.person.lastName}` },
      startedAt: now,
      expiresAt: now,
    });
    adaForBen = { ...ben, proxy: proxy(ada) };
    benForBen = { ...ben, proxy: proxy(ben) };
    const [sf, ny] = [await officeId("San Francisco"), await officeId("New York")];
    const about = (n: number, action: AuditEntry["action"]) =>
      Array.from({ length: n }, (_, i) => ({
        action,
        targetType: "user" as const,
        targetId: ben.person.id,
        targetLabel: "Ben Okafor",
        // Every other entry New York's: an Office Admin of New York reads those only.
        officeId: i % 2 ? ny : sf,
      }));
    // The newest entry has the smallest id and the oldest the largest, so the
    // order is by time first; the 110 between share one time, ordered by id,
    // in runs that alternate between Ben's walks (acted, on his behalf, both).
    await recordAudit(t.db, adaForBen, about(1, "user.settings_updated"), at("2026-11-26T10:00:00Z"));
    for (let run = 0; run < 10; run++) {
      await recordAudit(t.db, ben, about(6, "user.edited"), at("2026-11-26T09:00:00Z"));
      await recordAudit(t.db, adaForBen, about(4, "user.settings_updated"), at("2026-11-26T09:00:00Z"));
      await recordAudit(t.db, benForBen, about(1, "user.settings_updated"), at("2026-11-26T09:00:00Z"));
    }
    await recordAudit(t.db, ben, about(1, "user.edited"), at("2026-11-26T08:00:00Z"));
  });

  it("lists what a person did and what was done on their behalf, each once, newest first, ties by id", async () => {
    const expected = await madeByOrFor(ada, [ben.person.id]);
    expect(expected.length).toBe(112);
    const { entries } = await read(ada, "who=ben okafor");
    expect(entries.map((e) => e.id)).toEqual(expected.slice(0, 50));
    expect(entries[0]).toMatchObject({ actor: "Ada Lovelace", onBehalfOf: "Ben Okafor" });
    const people = new Set(entries.map((e) => `${e.actor} for ${e.onBehalfOf}`));
    expect(people).toEqual(
      new Set(["Ada Lovelace for Ben Okafor", "Ben Okafor for Ben Okafor", "Ben Okafor for null"]),
    );
    // Who acted while proxying finds those entries too.
    expect((await read(ada, "who=ada lovelace")).entries.map((e) => e.id)).toEqual(
      (await madeByOrFor(ada, [ada.person.id])).slice(0, 50),
    );
  });

  it("pages through a person's entries with Next and Previous, with no entry twice or missed", async () => {
    const pages = await walk(ada, "who=ben okafor");
    expect(pages.map((p) => p.ids.length)).toEqual([50, 50, 12]);
    expect(pages.flatMap((p) => p.ids)).toEqual(await madeByOrFor(ada, [ben.person.id]));
  });

  it("names many people at once: an entry one of them made for another is listed once", async () => {
    const acme = await t.db
      .selectFrom("users")
      .select("id")
      .where("search_text", "like", "%acme.test%")
      .execute();
    const pages = await walk(ada, "who=acme.test");
    expect(pages.length).toBeGreaterThan(3);
    expect(pages.flatMap((p) => p.ids)).toEqual(
      await madeByOrFor(
        ada,
        acme.map((u) => u.id),
      ),
    );
  });

  it("keeps to an Office Admin's offices and to the other filters", async () => {
    const theirs = await walk(olive, "who=ben okafor");
    expect(theirs.flatMap((p) => p.ids)).toEqual(await madeByOrFor(olive, [ben.person.id]));
    expect(theirs.flatMap((p) => p.ids).length).toBe(50);
    const proxied = await walk(ada, "who=ben okafor&action=user.settings_updated");
    expect(proxied.flatMap((p) => p.ids)).toEqual(
      await madeByOrFor(ada, [ben.person.id], "user.settings_updated"),
    );
    expect(await actions(ada, "who=ben okafor&from=2026-11-27")).toEqual([]);
    expect(await actions(carlos, "who=ben okafor")).toEqual([]);
    expect(await actions(gina, "who=ben okafor")).toEqual([]);
  });

  it("shows an anonymized person acted for, or proxied into, by their pseudonym only", async () => {
    const when = at("2026-11-27T09:00:00Z");
    const isaac = await idOf("isaac@acme.test");
    const admin = await actorFor(t.db, "ada@acme.test", when);
    expect((await startProxy(t.db, admin, isaac, null, when)).ok).toBe(true);
    const proxying = (await loadActor(t.db, null, admin.sessionId, when))!;
    await recordAudit(
      t.db,
      proxying,
      {
        action: "user.settings_updated",
        targetType: "user",
        targetId: isaac,
        targetLabel: "Isaac Levi",
        officeId: await officeId("New York"),
        before: { job_title: "Content Strategist" },
        after: { job_title: "Editor" },
      },
      when,
    );
    await endProxy(t.db, proxying, "back", when);
    await deleteUsers(t.db, ada, [isaac], "keep", when);
    expect((await permanentlyDelete(t.db, ada, isaac, when)).ok).toBe(true);
    const { pseudonym } = await t.db
      .selectFrom("users")
      .select("pseudonym")
      .where("id", "=", isaac)
      .executeTakeFirstOrThrow();
    const deleted = `Deleted user ${pseudonym}`;

    const { entries } = await read(ada, "from=2026-11-27");
    const about = (action: string) => entries.find((e) => e.action === action)!;
    expect(about("Changed account settings")).toMatchObject({
      actor: "Ada Lovelace",
      onBehalfOf: deleted,
      target: deleted,
    });
    expect(about("Started a proxy login")).toMatchObject({
      actor: "Ada Lovelace",
      onBehalfOf: null,
      target: deleted,
    });
    expect(about("Ended a proxy login")).toMatchObject({ onBehalfOf: deleted, target: deleted });
    expect(JSON.stringify(entries)).not.toMatch(/Isaac|Levi/);
    expect(await actions(ada, `who=${pseudonym}`)).toEqual([
      "Ended a proxy login",
      "Changed account settings",
    ]);
  });
});

describe("bulk actions", () => {
  it("every bulk action's outcome entry has a label in the log and in its action filter", () => {
    for (const { audit, auditLabel } of Object.values(BULK_ACTIONS))
      expect(AUDIT_ACTIONS[audit]).toBe(auditLabel);
  });

  it("a bulk transfer shows with its label, and the action filter selects it", async () => {
    const when = at("2026-11-25T09:00:00Z");
    const ids = [await idOf("marcus@acme.test")];
    const to = await officeId("New York");
    await startTransferReview(t.db, ada, ids, to, when);
    const plan = (await planTransfers(t.db, ada, ids, to, when))!;
    const confirmed = await transferUsers(
      t.db,
      ada,
      { action: "transfer", to, id: plan.rows.map((r) => r.id), seen: plan.rows.map((r) => r.seen) },
      when,
    );
    expect(confirmed.ok).toBe(true);

    const { filters, reply } = readAuditFilters(new URL("http://x/audit?action=users.bulk_transfer"));
    expect(reply).toBeNull();
    expect(filters.action).toBe("users.bulk_transfer");
    expect(await actions(ada, "action=users.bulk_transfer")).toEqual(["Bulk action: transfer users"]);
    expect(await actions(ada, "from=2026-11-25&to=2026-11-25")).toContain("Bulk action: transfer users");
  });
});

describe("words", () => {
  it("every action reads in its words, and the action filter selects it", async () => {
    // Last in this file: the entries below would join the pages the tests above walk.
    const day = "2027-01-05";
    const adaId = await idOf("ada@acme.test");
    const all = Object.keys(AUDIT_ACTIONS) as (keyof typeof AUDIT_ACTIONS)[];
    await recordAudit(
      t.db,
      ada,
      all.map((action) => ({ action, targetType: "user", targetId: adaId, targetLabel: "Ada Lovelace" })),
      at(`${day}T10:00:00Z`),
    );
    for (const action of all) {
      const { reply } = readAuditFilters(new URL(`http://x/audit?action=${action}`));
      expect(reply, action).toBeNull();
      expect(await actions(ada, `action=${action}&from=${day}&to=${day}`)).toEqual([AUDIT_ACTIONS[action]]);
    }
    // No label is its action's key: each is words.
    for (const action of all) expect(AUDIT_ACTIONS[action]).toMatch(/^[A-Z][a-z]+ [\w ,:'-]+$/);
  });
});
