/**
 * The new local number a transfer review shows is held for the user until
 * the admin confirms or leaves: no other offer shows it, no other claim
 * takes it, it runs out after 15 minutes, confirming spends it, leaving or
 * signing out lets it go; and on the server, holds and claims at the same
 * instant never both win.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Kysely } from "kysely";
import { freshDatabase, type TestDatabase } from "../support/db.ts";
import { actorFor } from "../support/actors.ts";
import { seedDemo } from "../../db/seed/demo.ts";
import type { Database } from "../../db/schema.ts";
import type { Actor } from "../../app/auth/actor.server.ts";
import { startTransferReview, previewTransfer, transferUser } from "../../app/users/transfer.server.ts";
import {
  dropReviewHolds,
  REVIEW_HOLD_MINUTES,
  sweepReviewHolds,
} from "../../app/numbers/review-holds.server.ts";
import { addUser, numberChoices } from "../../app/users/add.server.ts";
import { reassignNumber } from "../../app/numbers/reassign.server.ts";
import { releaseNumber } from "../../app/numbers/release.server.ts";
import { listPool } from "../../app/numbers/pool.server.ts";
import { readPoolParams } from "../../app/numbers/pool-params.ts";
import { acmeOfficeId as officeId, userIdOf as userId } from "../support/demo.ts";

const NOW = new Date("2026-11-27T12:00:00Z");
const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);

const holdOf = (db: Kysely<Database>, user: number) =>
  db
    .selectFrom("review_holds")
    .select(["e164", "source", "expires_at", "session_id"])
    .where("user_id", "=", user)
    .executeTakeFirst();
const poolNumberId = (db: Kysely<Database>, e164: string) =>
  db
    .selectFrom("phone_numbers")
    .select("id")
    .where("e164", "=", e164)
    .where("state", "=", "reserved")
    .executeTakeFirstOrThrow()
    .then((n) => n.id);

const newUser = (officeId: number, email: string, number: string) => ({
  officeId,
  firstName: "Test",
  lastName: "Person",
  email,
  licenseType: "connect" as const,
  number,
});

let t: TestDatabase;
let ada: Actor;
/** Ada again, signed in elsewhere: another review, another sign-in. */
let adaElsewhere: Actor;
let tor: number;
beforeAll(async () => {
  t = await freshDatabase();
  await seedDemo(t.db, NOW);
  ada = await actorFor(t.db, "ada@acme.test", NOW);
  adaElsewhere = await actorFor(t.db, "ada@acme.test", NOW);
  tor = await officeId(t.db, "Toronto");
  await t.db
    .updateTable("license_pools")
    .set((eb) => ({ purchased: eb("purchased", "+", 10) }))
    .where("office_id", "=", tor)
    .execute();
});
afterAll(() => t.close());

describe("a number held for a transfer review", () => {
  it("is offered to no one else and refused to every claim, until the admin leaves the review", async () => {
    const fatima = await userId(t.db, "fatima@acme.test");
    await startTransferReview(t.db, ada, [fatima], tor, NOW);
    const hold = (await holdOf(t.db, fatima))!;
    expect(hold).toMatchObject({
      source: "pool",
      session_id: ada.sessionId,
      expires_at: minutes(REVIEW_HOLD_MINUTES),
    });
    const review = (await previewTransfer(t.db, ada, fatima, tor, NOW))!;
    expect(review.newNumber).toMatchObject({
      e164: hold.e164,
      source: "pool",
      heldUntil: minutes(REVIEW_HOLD_MINUTES),
    });
    const id = await poolNumberId(t.db, hold.e164);

    // Offers: Add User's list, another review, the Reserved Numbers page says whose it is.
    const choices = (await numberChoices(t.db, adaElsewhere, tor, NOW))!;
    expect(choices.pool.map((n) => n.id)).not.toContain(id);
    const priya = await userId(t.db, "priya@acme.test");
    await startTransferReview(t.db, adaElsewhere, [priya], tor, NOW);
    expect((await holdOf(t.db, priya))!.e164).not.toBe(hold.e164);
    const row = (
      await listPool(t.db, adaElsewhere, readPoolParams(new URL("http://x/?office=" + tor)).params, NOW)
    ).numbers.find((n) => n.id === id);
    expect(row?.reviewHold).toMatchObject({ userName: "Fatima Al-Sayed", officeName: "Toronto" });

    // Claims: Add User, Reassign, Delete from the pool.
    const added = await addUser(
      t.db,
      adaElsewhere,
      newUser(tor, "held.pool@acme.test", `pool:${id}`),
      "http://localhost",
      NOW,
    );
    expect(added).toMatchObject({
      ok: false,
      field: "number",
      message: expect.stringMatching(/is held until .* for Fatima Al-Sayed's transfer to Toronto/),
    });
    const camille = await userId(t.db, "camille@acme.test");
    const reassigned = await reassignNumber(
      t.db,
      adaElsewhere,
      id,
      { target: `user:${camille}`, as: "primary" },
      NOW,
    );
    expect(reassigned).toMatchObject({
      ok: false,
      message: expect.stringMatching(/for Fatima Al-Sayed's transfer/),
    });
    expect(await releaseNumber(t.db, adaElsewhere, id, NOW)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/is held until/),
    });
    expect(
      await t.db
        .selectFrom("phone_numbers")
        .select(["state", "assigned_user_id"])
        .where("id", "=", id)
        .executeTakeFirstOrThrow(),
    ).toEqual({
      state: "reserved",
      assigned_user_id: null,
    });

    // Leaving (Back or Cancel) lets it go.
    await dropReviewHolds(t.db, ada, [fatima]);
    expect(await holdOf(t.db, fatima)).toBeUndefined();
    expect((await numberChoices(t.db, adaElsewhere, tor, NOW))!.pool.map((n) => n.id)).toContain(id);
    await dropReviewHolds(t.db, adaElsewhere, [priya]);
  });

  it("from the number provider: not offered by Add User, and not provisioned by it", async () => {
    // More users than Toronto's free pool numbers: the rest come from the provider.
    const people = await Promise.all(
      ["fatima@acme.test", "priya@acme.test", "diego@acme.test", "noah@acme.test"].map((e) =>
        userId(t.db, e),
      ),
    );
    await startTransferReview(t.db, ada, people, tor, NOW);
    const holds = await t.db
      .selectFrom("review_holds")
      .select(["e164", "source", "user_id"])
      .where("user_id", "in", people)
      .execute();
    expect(new Set(holds.map((h) => h.user_id))).toEqual(new Set(people));
    const fromProvider = holds.filter((h) => h.source === "provider").map((h) => h.e164);
    expect(fromProvider.length).toBeGreaterThan(0);
    const fresh = (await numberChoices(t.db, adaElsewhere, tor, NOW))!.fresh.map((n) => n.e164);
    for (const e164 of fromProvider) expect(fresh).not.toContain(e164);
    const added = await addUser(
      t.db,
      adaElsewhere,
      newUser(tor, "held.new@acme.test", `new:${fromProvider[0]}`),
      "http://localhost",
      NOW,
    );
    expect(added).toMatchObject({
      ok: false,
      field: "number",
      message: expect.stringMatching(/is held until/),
    });
    const provisioned = await t.db
      .selectFrom("provider_numbers")
      .select("provisioned_to_company_id")
      .where("e164", "=", fromProvider[0]!)
      .executeTakeFirstOrThrow();
    expect(provisioned.provisioned_to_company_id).toBeNull();
    await dropReviewHolds(t.db, ada, people);
  });

  it("another company's Add User is told only that a held number is taken, not whose transfer it is", async () => {
    const gina = await actorFor(t.db, "gina@globex.test", NOW);
    const springfield = await t.db
      .selectFrom("offices")
      .select(["id", "country"])
      .where("name", "=", "Springfield")
      .executeTakeFirstOrThrow();
    const free = await t.db
      .selectFrom("provider_numbers")
      .select("e164")
      .where("country", "=", springfield.country)
      .where("kind", "=", "local")
      .where("provisioned_to_company_id", "is", null)
      .orderBy("e164")
      .executeTakeFirstOrThrow();
    // Held by an Acme review (as if moving Fatima to an office in that country).
    await t.db
      .insertInto("review_holds")
      .values({
        e164: free.e164,
        company_id: ada.company.id,
        user_id: await userId(t.db, "fatima@acme.test"),
        office_id: await officeId(t.db, "San Francisco"),
        session_id: ada.sessionId,
        source: "provider",
        expires_at: minutes(REVIEW_HOLD_MINUTES),
        created_at: NOW,
      })
      .execute();
    const added = await addUser(
      t.db,
      gina,
      newUser(springfield.id, "held.elsewhere@globex.test", `new:${free.e164}`),
      "http://localhost",
      NOW,
    );
    expect(added).toMatchObject({
      ok: false,
      field: "number",
      message: expect.stringMatching(/was just taken by someone else/),
    });
    expect(added.ok ? "" : added.message).not.toMatch(/Fatima|San Francisco|Acme/);
    await t.db.deleteFrom("review_holds").where("e164", "=", free.e164).execute();
  });

  it(`runs out after ${REVIEW_HOLD_MINUTES} minutes: offered again, and a confirm after someone took it changes nothing`, async () => {
    const fatima = await userId(t.db, "fatima@acme.test");
    await startTransferReview(t.db, ada, [fatima], tor, NOW);
    const hold = (await holdOf(t.db, fatima))!;
    const review = (await previewTransfer(t.db, ada, fatima, tor, NOW))!;
    const late = minutes(REVIEW_HOLD_MINUTES + 1);
    const id = await poolNumberId(t.db, hold.e164);
    expect((await numberChoices(t.db, adaElsewhere, tor, late))!.pool.map((n) => n.id)).toContain(id);
    // Another review takes it over (the newest free pool number goes first).
    const priya = await userId(t.db, "priya@acme.test");
    await startTransferReview(t.db, adaElsewhere, [priya], tor, late);
    expect((await holdOf(t.db, priya))!.e164).toBe(hold.e164);

    const r = await transferUser(t.db, ada, fatima, { office: tor, seen: review.key }, late);
    expect(r).toMatchObject({ ok: false });
    expect(
      await t.db.selectFrom("users").select("office_id").where("id", "=", fatima).executeTakeFirstOrThrow(),
    ).toEqual({
      office_id: await officeId(t.db, "San Francisco"),
    });
    // The review as it is now says why, and how to look again.
    expect((await previewTransfer(t.db, ada, fatima, tor, late))!.refusal).toMatch(
      /^No local number in CA is held for this user/,
    );
    await dropReviewHolds(t.db, adaElsewhere, [priya]);
  });

  it("is swept once it has run out, and not a minute before; the sweep changes nothing else", async () => {
    const samuel = await userId(t.db, "samuel@acme.test");
    await startTransferReview(t.db, ada, [samuel], tor, NOW);
    const hold = (await holdOf(t.db, samuel))!;
    const number = () =>
      t.db.selectFrom("phone_numbers").selectAll().where("e164", "=", hold.e164).executeTakeFirstOrThrow();
    const before = await number();
    expect(await sweepReviewHolds(t.db, minutes(REVIEW_HOLD_MINUTES - 1))).toBe(0);
    expect(await holdOf(t.db, samuel)).toBeTruthy();
    expect(await sweepReviewHolds(t.db, minutes(REVIEW_HOLD_MINUTES))).toBeGreaterThanOrEqual(1);
    expect(await holdOf(t.db, samuel)).toBeFalsy();
    expect(await number()).toEqual(before);
  });

  it("confirming spends it: the number is the user's, and no hold is left for them", async () => {
    const diego = await userId(t.db, "diego@acme.test");
    await startTransferReview(t.db, ada, [diego], tor, NOW);
    const hold = (await holdOf(t.db, diego))!;
    const review = (await previewTransfer(t.db, ada, diego, tor, NOW))!;
    expect(await transferUser(t.db, ada, diego, { office: tor, seen: review.key }, NOW)).toMatchObject({
      ok: true,
    });
    expect(await holdOf(t.db, diego)).toBeUndefined();
    const primary = await t.db
      .selectFrom("phone_numbers")
      .select("e164")
      .where("assigned_user_id", "=", diego)
      .where("is_primary", "=", true)
      .executeTakeFirstOrThrow();
    expect(primary.e164).toBe(hold.e164);
  });

  it("signing out lets it go", async () => {
    const noah = await userId(t.db, "noah@acme.test");
    const elsewhere = await actorFor(t.db, "ada@acme.test", NOW);
    await startTransferReview(t.db, elsewhere, [noah], tor, NOW);
    expect(await holdOf(t.db, noah)).toBeDefined();
    await t.db.deleteFrom("sessions").where("id", "=", elsewhere.sessionId).execute();
    expect(await holdOf(t.db, noah)).toBeUndefined();
  });
});

describe.runIf(!!process.env.DATABASE_URL)("on the PostgreSQL server", () => {
  let s: TestDatabase;
  afterAll(() => s?.close());

  it("holds and claims at the same instant never both win a number", async () => {
    s = await freshDatabase({ poolSize: 8 });
    await seedDemo(s.db, NOW);
    const db = s.db;
    const toronto = await officeId(db, "Toronto");
    await db
      .updateTable("license_pools")
      .set((eb) => ({ purchased: eb("purchased", "+", 20) }))
      .where("office_id", "=", toronto)
      .execute();
    const admins = await Promise.all([0, 1, 2, 3].map(() => actorFor(db, "ada@acme.test", NOW)));
    const movers = await Promise.all(
      ["fatima@acme.test", "priya@acme.test", "diego@acme.test", "noah@acme.test"].map((e) => userId(db, e)),
    );
    const offered = (await numberChoices(db, admins[0]!, toronto, NOW))!;
    const claims = [
      ...offered.pool.map((n) => `pool:${n.id}`),
      ...offered.fresh.slice(0, 2).map((n) => `new:${n.e164}`),
    ];

    const results = await Promise.all([
      ...movers.map((u, i) => startTransferReview(db, admins[i]!, [u], toronto, NOW)),
      ...claims.map((number, i) =>
        addUser(db, admins[i % 4]!, newUser(toronto, `race${i}@acme.test`, number), "http://localhost", NOW),
      ),
    ]);
    expect(results.length).toBe(movers.length + claims.length);

    const holds = await db.selectFrom("review_holds").select(["e164", "user_id"]).execute();
    // Every mover holds a number (the provider has plenty), and no number is both held and someone's.
    expect(new Set(holds.map((h) => h.user_id))).toEqual(new Set(movers));
    const taken = await db
      .selectFrom("phone_numbers")
      .select("e164")
      .where("state", "=", "assigned")
      .where(
        "e164",
        "in",
        holds.map((h) => h.e164),
      )
      .execute();
    expect(taken).toEqual([]);
    // And each review then confirms with the number it showed.
    for (const [i, u] of movers.entries()) {
      const review = (await previewTransfer(db, admins[i]!, u, toronto, NOW))!;
      expect(review.newNumber?.e164).toBe(holds.find((h) => h.user_id === u)!.e164);
      expect(await transferUser(db, admins[i]!, u, { office: toronto, seen: review.key }, NOW)).toMatchObject(
        { ok: true },
      );
    }
    const numbers = await db
      .selectFrom("phone_numbers")
      .select("e164")
      .where("state", "<>", "released")
      .execute();
    expect(new Set(numbers.map((n) => n.e164)).size).toBe(numbers.length);
  });
});
