/** Edit user: name, email, extension and job title; who may; the invite following a new address; races. */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { freshDatabase, type TestDatabase } from "../support/db.ts";
import { actorFor } from "../support/actors.ts";
import { acmeOfficeId, userIdOf } from "../support/demo.ts";
import { seedDemo } from "../../db/seed/demo.ts";
import type { Actor } from "../../app/auth/actor.server.ts";
import { editUser, findEditable } from "../../app/users/edit.server.ts";
import { editUserSchema, type EditUserInput } from "../../app/users/edit-schema.ts";
import { findInvite, resendInvite } from "../../app/users/invite.server.ts";
import { purgeExpired } from "../../app/users/anonymize.server.ts";

const NOW = new Date("2026-06-01T12:00:00Z");
const OUTBOX_DIR = `.tmp/edit-user-test-${process.pid}`;
const ORIGIN = "http://localhost:3000";
let t: TestDatabase;
let ada: Actor, olive: Actor, oscar: Actor;

beforeAll(async () => {
  process.env.DATA_DIR = OUTBOX_DIR;
  t = await freshDatabase();
  await seedDemo(t.db, NOW);
  [ada, olive, oscar] = await Promise.all([
    actorFor(t.db, "ada@acme.test", NOW),
    actorFor(t.db, "olive@acme.test", NOW),
    actorFor(t.db, "oscar@acme.test", NOW),
  ]);
});
afterAll(async () => {
  await t.close();
  rmSync(OUTBOX_DIR, { recursive: true, force: true });
});

const row = (id: number) =>
  t.db
    .selectFrom("users")
    .select(["first_name", "last_name", "email", "extension", "job_title", "status"])
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
const editsOf = (id: number) =>
  t.db
    .selectFrom("audit_log")
    .select(["actor_user_id", "office_id", "target_label", "before", "after"])
    .where("action", "=", "user.edited")
    .where("target_id", "=", String(id))
    .orderBy("id")
    .execute();
/** The form as it stands for this user, with some fields changed. */
async function formOf(actor: Actor, id: number, change: Partial<EditUserInput> = {}): Promise<EditUserInput> {
  const { values } = (await findEditable(t.db, actor, id))!;
  return editUserSchema.parse({ ...values, ...change });
}
/** The invite links mailed to this address, oldest first. */
const linksMailedTo = (email: string) => {
  const dir = `${OUTBOX_DIR}/outbox`;
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .map((f) => readFileSync(`${dir}/${f}`, "utf8").replace(/=\r?\n/g, ""))
    .filter((m) => m.includes(`<${email}>`))
    .map((m) => m.match(/\/invite\/([A-Za-z0-9_-]+)/)![1]!);
};

describe("edit user", () => {
  it("corrects name, email, extension and job title in one audited change, and saving it again records nothing", async () => {
    const nadia = await userIdOf(t.db, "nadia@acme.test");
    const before = await row(nadia);
    const input = await formOf(olive, nadia, {
      firstName: "Nadja",
      email: "nadja.petrova@acme.test",
      extension: "2468",
      jobTitle: "Customer Care Lead",
    });
    expect(await editUser(t.db, olive, nadia, input, ORIGIN, NOW)).toEqual({
      ok: true,
      name: "Nadja Petrova",
      changed: ["first_name", "email", "extension", "job_title"],
      invitedTo: null,
      mailed: true,
    });
    expect(await row(nadia)).toEqual({
      ...before,
      first_name: "Nadja",
      email: "nadja.petrova@acme.test",
      extension: "2468",
      job_title: "Customer Care Lead",
    });
    expect(await editsOf(nadia)).toEqual([
      {
        actor_user_id: olive.person.id,
        office_id: olive.adminOfficeIds[0],
        target_label: "Nadja Petrova",
        before: {
          first_name: "Nadia",
          email: "nadia@acme.test",
          extension: before.extension,
          job_title: "Customer Care Agent",
        },
        after: {
          first_name: "Nadja",
          email: "nadja.petrova@acme.test",
          extension: "2468",
          job_title: "Customer Care Lead",
        },
      },
    ]);
    // The same form again (a double click, a replay): nothing to change, nothing recorded.
    expect(await editUser(t.db, olive, nadia, input, ORIGIN, NOW)).toMatchObject({ ok: true, changed: [] });
    expect(await editsOf(nadia)).toHaveLength(1);
    // Empty extension and job title: none.
    await editUser(t.db, olive, nadia, { ...input, extension: undefined, jobTitle: undefined }, ORIGIN, NOW);
    expect(await row(nadia)).toMatchObject({ extension: null, job_title: null });
  });

  it("refuses an email taken in any letter case and an extension taken in the company, beside the field, changing nothing", async () => {
    const samuel = await userIdOf(t.db, "samuel@acme.test");
    const before = await row(samuel);
    const [ethan, sienna] = await Promise.all(
      ["ethan@acme.test", "sienna@acme.test"].map(async (e) => row(await userIdOf(t.db, e))),
    );
    const attempt = async (change: Partial<EditUserInput>) =>
      editUser(
        t.db,
        olive,
        samuel,
        await formOf(olive, samuel, { firstName: "Sam", ...change }),
        ORIGIN,
        NOW,
      );
    expect(await attempt({ email: "ETHAN@Acme.TEST" })).toEqual({
      ok: false,
      kind: "refused",
      field: "email",
      message: "Someone already uses this email.",
    });
    // Another company's user too: an email signs in to one account.
    expect(await attempt({ email: "Gina@globex.test" })).toMatchObject({ ok: false, field: "email" });
    expect(await attempt({ extension: ethan.extension! })).toEqual({
      ok: false,
      kind: "refused",
      field: "extension",
      message: `Someone else in your company already has extension ${ethan.extension}. Choose another.`,
    });
    // A deleted user keeps theirs while they can be restored (San Francisco's, in another office).
    expect(await attempt({ extension: sienna.extension! })).toEqual({
      ok: false,
      kind: "refused",
      field: "extension",
      message: `Extension ${sienna.extension} stays with a deleted user while they can be restored. Choose another.`,
    });
    expect(await row(samuel)).toEqual(before);
    expect(await editsOf(samuel)).toEqual([]);
    // Another company's extensions are its own.
    await t.db
      .updateTable("users")
      .set({ extension: "8642" })
      .where("email", "=", "gina@globex.test")
      .execute();
    expect(await attempt({ extension: "8642" })).toMatchObject({ ok: true });
    // Their own email in another letter case is theirs.
    expect(await attempt({ email: "Samuel@acme.test" })).toMatchObject({ ok: true, changed: ["email"] });
  });

  it("is for the admin's offices only; a Company Admin's details only a Company Admin edits", async () => {
    const [marcus, ada_, aisha] = await Promise.all(
      ["marcus@acme.test", "ada@acme.test", "aisha@acme.test"].map((e) => userIdOf(t.db, e)),
    );
    const marcusBefore = await row(marcus);
    // Olive administers New York; Marcus works in San Francisco.
    expect(await findEditable(t.db, olive, marcus)).toBeNull();
    expect(
      await editUser(t.db, olive, marcus, await formOf(ada, marcus, { lastName: "X" }), ORIGIN, NOW),
    ).toEqual({ ok: false, kind: "not_found", message: "This user" });
    expect(await row(marcus)).toEqual(marcusBefore);
    // Oscar administers San Francisco, where Ada, a Company Admin, works.
    expect(await findEditable(t.db, oscar, ada_)).toMatchObject({
      refusal: "Only a Company Admin can edit a Company Admin.",
    });
    const adaBefore = await row(ada_);
    expect(
      await editUser(t.db, oscar, ada_, await formOf(ada, ada_, { lastName: "Byron" }), ORIGIN, NOW),
    ).toEqual({ ok: false, kind: "forbidden", message: "Only a Company Admin can edit a Company Admin." });
    expect(await row(ada_)).toEqual(adaBefore);
    // A Company Admin edits anyone of the company, herself included.
    expect(
      await editUser(t.db, ada, ada_, await formOf(ada, ada_, { jobTitle: "CTO" }), ORIGIN, NOW),
    ).toMatchObject({ ok: true, changed: ["job_title"] });
    expect(
      await editUser(t.db, ada, aisha, await formOf(ada, aisha, { jobTitle: "Senior AE" }), ORIGIN, NOW),
    ).toMatchObject({ ok: true, changed: ["job_title"] });
  });

  it("a deleted or anonymized user cannot be edited", async () => {
    const [sienna, victor] = await Promise.all(
      ["sienna@acme.test", "victor@acme.test"].map((e) => userIdOf(t.db, e)),
    );
    await purgeExpired(t.db, NOW); // Victor was deleted 80 hours ago
    expect((await row(victor)).first_name).toBeNull();
    const input = editUserSchema.parse({ firstName: "A", lastName: "B", email: "ab@acme.test" });
    for (const id of [sienna, victor]) {
      expect(await findEditable(t.db, ada, id)).toBeNull();
      expect(await editUser(t.db, ada, id, input, ORIGIN, NOW)).toEqual({
        ok: false,
        kind: "not_found",
        message: "This user",
      });
    }
    expect(await row(sienna)).toMatchObject({ first_name: "Sienna", email: "sienna@acme.test" });
  });

  it("a pending user's invite follows a new address: the old link stops working, a new one is mailed there", async () => {
    const grace = await userIdOf(t.db, "grace@acme.test");
    await resendInvite(
      t.db,
      ada,
      {
        id: grace,
        name: "Grace Liu",
        email: "grace@acme.test",
        officeId: await acmeOfficeId(t.db, "Austin"),
      },
      null,
      ORIGIN,
      NOW,
    );
    const [old] = linksMailedTo("grace@acme.test");
    expect(await findInvite(t.db, old!, NOW)).toBeTruthy();

    // Another letter case is the same mailbox: the link mailed there still works, nothing new is sent.
    const sameMailbox = await formOf(ada, grace, { email: "Grace@acme.test" });
    expect(await editUser(t.db, ada, grace, sameMailbox, ORIGIN, NOW)).toMatchObject({
      ok: true,
      invitedTo: null,
    });
    expect(await findInvite(t.db, old!, NOW)).toBeTruthy();

    const moved = await formOf(ada, grace, { email: "grace.liu@acme.test" });
    expect(await editUser(t.db, ada, grace, moved, ORIGIN, NOW)).toMatchObject({
      ok: true,
      changed: ["email"],
      invitedTo: "grace.liu@acme.test",
    });
    expect(await findInvite(t.db, old!, NOW)).toBeUndefined();
    const mailed = linksMailedTo("grace.liu@acme.test");
    expect(mailed).toHaveLength(1);
    expect(await findInvite(t.db, mailed[0]!, NOW)).toMatchObject({
      user_id: grace,
      email: "grace.liu@acme.test",
    });
    expect(linksMailedTo("grace@acme.test")).toEqual([old]);
    // Saved again: nothing more is sent.
    await editUser(t.db, ada, grace, moved, ORIGIN, NOW);
    expect(linksMailedTo("grace.liu@acme.test")).toHaveLength(1);
  });

  it("a mail server that refuses a new invite undoes nothing: the change is made, the new invite live, and it says so", async () => {
    // Grace's address since the test above.
    const grace = await userIdOf(t.db, "grace.liu@acme.test");
    const target = {
      id: grace,
      name: "Grace Liu",
      email: "grace.liu@acme.test",
      officeId: await acmeOfficeId(t.db, "Austin"),
    };
    const live = () =>
      t.db
        .selectFrom("invites")
        .select("id")
        .where("user_id", "=", grace)
        .where("used_at", "is", null)
        .where("voided_at", "is", null)
        .executeTakeFirstOrThrow();
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    // An SMTP server that refuses every connection (nothing listens on port 1).
    process.env.SMTP_URL = "smtp://127.0.0.1:1";
    try {
      const shown = await live();
      expect(await resendInvite(t.db, ada, target, shown.id, ORIGIN, NOW)).toEqual({
        ok: true,
        message:
          "A new invite was made; the old link no longer works. The mail server refused the invite to grace.liu@acme.test: send it again with Options › Admin › Resend invite.",
      });
      const resent = await live();
      expect(resent.id).not.toBe(shown.id);

      const moved = await formOf(ada, grace, { email: "grace.l@acme.test" });
      expect(await editUser(t.db, ada, grace, moved, ORIGIN, NOW)).toMatchObject({
        ok: true,
        changed: ["email"],
        invitedTo: "grace.l@acme.test",
        mailed: false,
      });
      expect((await live()).id).not.toBe(resent.id);
      expect(linksMailedTo("grace.l@acme.test")).toEqual([]);
      expect(logged).toHaveBeenCalledTimes(2);
    } finally {
      delete process.env.SMTP_URL;
      logged.mockRestore();
    }
  });

  it("takes names and titles in any script, never with control or text-direction characters", () => {
    const valid = { firstName: "Zoë Аkhmatova 山田", lastName: "O'Brien <R&D>", email: "z@acme.test" };
    expect(editUserSchema.safeParse(valid).success).toBe(true);
    for (const bad of [
      { firstName: "abc\u202Egnp.exe" },
      { lastName: "a\u0000b" },
      { jobTitle: "a\u2066b\u2069" },
      { extension: "12a" },
      { extension: "1" },
      { email: "not an email" },
    ])
      expect(editUserSchema.safeParse({ ...valid, ...bad }).success, JSON.stringify(bad)).toBe(false);
  });
});

describe.runIf(!!process.env.DATABASE_URL)("on the PostgreSQL server", () => {
  it("two admins giving one extension (or one email) to two users at the same moment: one wins, the other is told beside the field", async () => {
    const h = await freshDatabase({ poolSize: 6 });
    try {
      await seedDemo(h.db, NOW);
      const [me, other] = await Promise.all([
        actorFor(h.db, "ada@acme.test", NOW),
        actorFor(h.db, "olive@acme.test", NOW),
      ]);
      const [ruth, isaac] = await Promise.all(
        ["ruth@acme.test", "isaac@acme.test"].map((e) => userIdOf(h.db, e)),
      );
      const form = async (id: number, change: Partial<EditUserInput>) =>
        editUserSchema.parse({ ...(await findEditable(h.db, me, id))!.values, ...change });
      for (const [change, field] of [
        [{ extension: "9753" }, "extension"],
        [{ email: "shared@acme.test" }, "email"],
      ] as const) {
        // Both forms are read first, so both edits start together and pass the check before either writes.
        const forms = await Promise.all([
          form(ruth, change),
          form(isaac, field === "email" ? { email: "SHARED@acme.test" } : change),
        ]);
        const results = await Promise.all([
          editUser(h.db, me, ruth, forms[0], ORIGIN, NOW),
          editUser(h.db, other, isaac, forms[1], ORIGIN, NOW),
        ]);
        expect(results.filter((r) => r.ok)).toHaveLength(1);
        expect(results.find((r) => !r.ok)).toMatchObject({ ok: false, kind: "refused", field });
        const holders = await h.db
          .selectFrom("users")
          .select("id")
          .where((eb) =>
            field === "email"
              ? eb(eb.fn("lower", ["email"]), "=", "shared@acme.test")
              : eb("extension", "=", "9753"),
          )
          .execute();
        expect(holders).toHaveLength(1);
        const audited = await h.db
          .selectFrom("audit_log")
          .select("target_id")
          .where("action", "=", "user.edited")
          .execute();
        expect(audited.length).toBe(field === "email" ? 2 : 1);
      }
    } finally {
      await h.close();
    }
  });
});
