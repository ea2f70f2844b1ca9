/** Add User: the seat, the number (pool or provider), the invite, and the refusals. */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { freshDatabase, type TestDatabase } from "../support/db.ts";
import { actorFor } from "../support/actors.ts";
import { seedDemo } from "../../db/seed/demo.ts";
import type { Actor } from "../../app/auth/actor.server.ts";
import { addUser, numberChoices } from "../../app/users/add.server.ts";
import { acceptInvite, findInvite } from "../../app/users/invite.server.ts";
import { deleteUsers } from "../../app/users/delete.server.ts";

const NOW = new Date("2026-06-01T12:00:00Z");
const OUTBOX_DIR = `.tmp/add-user-test-${process.pid}`;
let t: TestDatabase;
let ada: Actor, olive: Actor;
beforeAll(async () => {
  process.env.DATA_DIR = OUTBOX_DIR;
  t = await freshDatabase();
  await seedDemo(t.db, NOW);
  [ada, olive] = await Promise.all([
    actorFor(t.db, "ada@acme.test", NOW),
    actorFor(t.db, "olive@acme.test", NOW),
  ]);
});
afterAll(async () => {
  await t.close();
  rmSync(OUTBOX_DIR, { recursive: true, force: true });
});

const office = (name: string) =>
  t.db.selectFrom("offices").select(["id"]).where("name", "=", name).executeTakeFirstOrThrow();
const pool = async (officeId: number, type: string) =>
  t.db
    .selectFrom("license_pools")
    .select(["purchased", "assigned"])
    .where("office_id", "=", officeId)
    .where("license_type", "=", type as never)
    .executeTakeFirstOrThrow();

describe("add user", () => {
  it("takes a seat and a free pool number (with its add-on for Sell), and mails a single-use invite", async () => {
    const sf = await office("San Francisco");
    const choices = (await numberChoices(t.db, ada, sf.id, NOW))!;
    const free = choices.pool[0]!;
    const [sellBefore, addonBefore] = await Promise.all([pool(sf.id, "sell"), pool(sf.id, "local_number")]);
    const result = await addUser(
      t.db,
      ada,
      {
        officeId: sf.id,
        firstName: "Zara",
        lastName: "Ahmed",
        email: "Zara@Acme.test",
        licenseType: "sell",
        number: `pool:${free.id}`,
      },
      "http://localhost:3000",
      NOW,
    );
    expect(result).toMatchObject({ ok: true, name: "Zara Ahmed" });
    const user = await t.db
      .selectFrom("users")
      .selectAll()
      .where("email", "=", "Zara@Acme.test")
      .executeTakeFirstOrThrow();
    expect(user.status).toBe("pending");
    expect(await pool(sf.id, "sell")).toEqual({ ...sellBefore, assigned: sellBefore.assigned + 1 });
    expect(await pool(sf.id, "local_number")).toEqual({ ...addonBefore, assigned: addonBefore.assigned + 1 });
    const number = await t.db
      .selectFrom("phone_numbers")
      .selectAll()
      .where("id", "=", free.id)
      .executeTakeFirstOrThrow();
    expect(number).toMatchObject({
      state: "assigned",
      assigned_user_id: user.id,
      is_primary: true,
      addon_license_type: "local_number",
      last_holder_name: null,
    });

    const mail = readdirSync(`${OUTBOX_DIR}/outbox`)
      .map((f) => readFileSync(`${OUTBOX_DIR}/outbox/${f}`, "utf8").replace(/=\r?\n/g, ""))
      .find((m) => m.toLowerCase().includes("zara@acme.test"))!;
    const token = mail.match(/\/invite\/([A-Za-z0-9_-]+)/)![1]!;
    expect(await findInvite(t.db, token, NOW)).toBeTruthy();
    expect(await findInvite(t.db, token, new Date(NOW.getTime() + 8 * 86400_000))).toBeUndefined(); // 7 days
    const invited = new Request("http://x/invite");
    const accepted = await acceptInvite(t.db, invited, token, "a long enough password", null, NOW);
    expect(accepted).toMatchObject({ userId: user.id, cookie: expect.stringMatching(/^sb_session=/) });
    expect(
      await t.db.selectFrom("sessions").select("id").where("user_id", "=", user.id).execute(),
    ).toHaveLength(1);
    expect(await acceptInvite(t.db, invited, token, "a long enough password", null, NOW)).toBeNull();
    expect(
      await t.db
        .selectFrom("users")
        .select(["status", "first_signed_in_at"])
        .where("id", "=", user.id)
        .executeTakeFirstOrThrow(),
    ).toEqual({ status: "active", first_signed_in_at: NOW });
  });

  it("refuses a taken email (any case), a missing license, and an office outside the admin's scope, changing nothing", async () => {
    const [sf, ny] = await Promise.all([office("San Francisco"), office("New York")]);
    const base = {
      officeId: ny.id,
      firstName: "A",
      lastName: "B",
      licenseType: "connect" as const,
      number: "none",
    };
    const count = async () =>
      (
        await t.db
          .selectFrom("users")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .executeTakeFirstOrThrow()
      ).n;
    const before = await count();
    expect(await addUser(t.db, olive, { ...base, email: "ADA@acme.test" }, "", NOW)).toEqual({
      ok: false,
      kind: "refused",
      field: "email",
      message: "Someone already uses this email.",
    });
    expect(
      await addUser(t.db, olive, { ...base, officeId: sf.id, email: "new1@acme.test" }, "", NOW),
    ).toMatchObject({ ok: false, field: "officeId" });
    const support = await pool(ny.id, "support");
    await t.db
      .updateTable("license_pools")
      .set({ purchased: support.assigned })
      .where("office_id", "=", ny.id)
      .where("license_type", "=", "support")
      .execute();
    expect(
      await addUser(t.db, olive, { ...base, licenseType: "support", email: "new2@acme.test" }, "", NOW),
    ).toEqual({
      ok: false,
      kind: "refused",
      field: "licenseType",
      message:
        "New York has no unassigned Support license. Free one, or buy or transfer one in Company Settings › Licenses.",
    });
    expect(await count()).toBe(before);
  });

  it("refuses a Sell user's number when the office has no Local number add-on free, and adds them without one", async () => {
    const ny = await office("New York");
    const [sell, addon] = await Promise.all([pool(ny.id, "sell"), pool(ny.id, "local_number")]);
    const setPurchased = (type: string, purchased: number) =>
      t.db
        .updateTable("license_pools")
        .set({ purchased })
        .where("office_id", "=", ny.id)
        .where("license_type", "=", type as never)
        .execute();
    await setPurchased("sell", sell.assigned + 1);
    await setPurchased("local_number", addon.assigned);
    const free = (await numberChoices(t.db, olive, ny.id, NOW))!.pool[0]!;
    const input = {
      officeId: ny.id,
      firstName: "Noor",
      lastName: "Haddad",
      email: "noor@acme.test",
      licenseType: "sell" as const,
      number: `pool:${free.id}`,
    };
    expect(await addUser(t.db, olive, input, "", NOW)).toEqual({
      ok: false,
      kind: "refused",
      field: "number",
      message: expect.stringMatching(
        /^New York has no unassigned Local number add-on\..* Or add them without a number\.$/,
      ),
    });
    expect(
      await t.db
        .selectFrom("phone_numbers")
        .select("state")
        .where("id", "=", free.id)
        .executeTakeFirstOrThrow(),
    ).toEqual({ state: "reserved" });
    expect(
      await t.db.selectFrom("users").select("id").where("email", "=", "noor@acme.test").execute(),
    ).toEqual([]);
    expect(await addUser(t.db, olive, { ...input, number: "none" }, "", NOW)).toMatchObject({ ok: true });
    expect(await pool(ny.id, "local_number")).toEqual({
      purchased: addon.assigned,
      assigned: addon.assigned,
    });
  });

  it("a mail server that refuses the invite undoes nothing: the user is added with a live invite, and it says so", async () => {
    const ny = await office("New York");
    const before = readdirSync(`${OUTBOX_DIR}/outbox`).length;
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    // An SMTP server that refuses every connection (nothing listens on port 1).
    process.env.SMTP_URL = "smtp://127.0.0.1:1";
    try {
      const result = await addUser(
        t.db,
        ada,
        {
          officeId: ny.id,
          firstName: "Petra",
          lastName: "Novak",
          email: "petra.novak@acme.test",
          licenseType: "connect",
          number: "none",
        },
        "http://localhost:3000",
        NOW,
      );
      expect(result).toMatchObject({ ok: true, name: "Petra Novak", mailed: false });
      const userId = result.ok ? result.userId : 0;
      const invite = await t.db
        .selectFrom("invites as i")
        .innerJoin("users as u", "u.id", "i.user_id")
        .select(["u.status", "i.used_at"])
        .where("i.user_id", "=", userId)
        .where("i.voided_at", "is", null)
        .executeTakeFirstOrThrow();
      expect(invite).toEqual({ status: "pending", used_at: null });
      expect(logged.mock.calls.map((args) => args.join(" "))).toEqual([
        expect.stringContaining(`Invite to user ${userId} not mailed`),
      ]);
      expect(logged.mock.calls.join("\n")).not.toContain("petra.novak");
    } finally {
      delete process.env.SMTP_URL;
      logged.mockRestore();
    }
    expect(readdirSync(`${OUTBOX_DIR}/outbox`)).toHaveLength(before);
  });

  it("logs that an invite was mailed, to a user id, never its link; and its mail is erased with its user", async () => {
    const ny = await office("New York");
    const outbox = () =>
      readdirSync(`${OUTBOX_DIR}/outbox`).map((f) =>
        readFileSync(`${OUTBOX_DIR}/outbox/${f}`, "utf8").replace(/=\r?\n/g, ""),
      );
    const invite = async (firstName: string, lastName: string, email: string) => {
      const logged = vi.spyOn(console, "log").mockImplementation(() => {});
      try {
        const result = await addUser(
          t.db,
          olive,
          { officeId: ny.id, firstName, lastName, email, licenseType: "connect", number: "none" },
          "http://localhost:3000",
          NOW,
        );
        expect(result).toMatchObject({ ok: true });
        const token = outbox()
          .find((m) => m.includes(email))!
          .match(/\/invite\/([A-Za-z0-9_-]+)/)![1]!;
        const lines = logged.mock.calls.map((args) => args.join(" "));
        expect(lines).toEqual([expect.stringContaining(`user ${result.ok && result.userId}`)]);
        for (const secret of [token, "/invite/", email, firstName, lastName])
          expect(lines.join("\n")).not.toContain(secret);
        return result.ok ? result.userId : 0;
      } finally {
        logged.mockRestore();
      }
    };
    const gone = await invite("Quentin", "Marlowe", "quentin.marlowe@acme.test");
    await invite("Ottilie", "Brandt", "ottilie.brandt@acme.test");

    // A pending user's deletion anonymizes them at once.
    await deleteUsers(t.db, olive, [gone], "keep", NOW);

    const mails = outbox();
    for (const word of ["Quentin", "Marlowe", "quentin.marlowe@acme.test"])
      expect(mails.filter((m) => m.toLowerCase().includes(word.toLowerCase()))).toEqual([]);
    expect(mails.filter((m) => m.includes("ottilie.brandt@acme.test"))).toHaveLength(1);
  });
});
