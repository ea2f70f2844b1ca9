/**
 * The schema itself refuses what must never happen, whatever the code does:
 * a number on two targets, more seats assigned than purchased, one email
 * twice in any letter case, a deleted user without a deletion time, a plan
 * not among the six, two offices of one name in a company, an office's second
 * main line.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, type TestDatabase } from "../support/db.ts";
import { seedDemo } from "../../db/seed/demo.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await freshDatabase();
  await seedDemo(t.db, new Date());
});
afterAll(() => t.close());

const rejects = async (work: Promise<unknown>, constraint: RegExp) => {
  await expect(work).rejects.toThrow(constraint);
};

async function person(email: string) {
  return t.db.selectFrom("users").selectAll().where("email", "=", email).executeTakeFirstOrThrow();
}

describe("phone numbers", () => {
  it("cannot be assigned to a user and a group at once", async () => {
    const uma = await person("uma@acme.test");
    const group = await t.db
      .selectFrom("groups")
      .select("id")
      .where("office_id", "=", uma.office_id)
      .executeTakeFirstOrThrow();
    await rejects(
      t.db
        .updateTable("phone_numbers")
        .set({ assigned_group_id: group.id })
        .where("assigned_user_id", "=", uma.id)
        .execute(),
      /phone_numbers_check/,
    );
  });

  it("exist once per E.164 number while the company has them", async () => {
    const n = await t.db
      .selectFrom("phone_numbers")
      .selectAll()
      .where("state", "=", "reserved")
      .executeTakeFirstOrThrow();
    await rejects(
      t.db
        .insertInto("phone_numbers")
        .values({
          company_id: n.company_id,
          office_id: n.office_id,
          e164: n.e164,
          country: n.country,
          kind: n.kind,
          state: "reserved",
        })
        .execute(),
      /phone_numbers_e164_key/,
    );
  });

  it("give a user one primary number at most", async () => {
    const uma = await person("uma@acme.test");
    const n = await t.db
      .selectFrom("phone_numbers")
      .select("id")
      .where("state", "=", "reserved")
      .where("kind", "=", "local")
      .executeTakeFirstOrThrow();
    await rejects(
      t.db
        .updateTable("phone_numbers")
        .set({ state: "assigned", assigned_user_id: uma.id, is_primary: true })
        .where("id", "=", n.id)
        .execute(),
      /phone_numbers_one_primary/,
    );
  });

  it("toll-free numbers never go to users", async () => {
    const uma = await person("uma@acme.test");
    const n = await t.db
      .selectFrom("phone_numbers")
      .select("id")
      .where("kind", "=", "toll_free")
      .executeTakeFirstOrThrow();
    await rejects(
      t.db
        .updateTable("phone_numbers")
        .set({ assigned_group_id: null, assigned_user_id: uma.id })
        .where("id", "=", n.id)
        .execute(),
      /phone_numbers_check/,
    );
  });
});

describe("license pools", () => {
  it("count seats by themselves, and refuse a user beyond what was purchased", async () => {
    const uma = await person("uma@acme.test");
    const pool = () =>
      t.db
        .selectFrom("license_pools")
        .selectAll()
        .where("office_id", "=", uma.office_id)
        .where("license_type", "=", "support")
        .executeTakeFirstOrThrow();
    const before = await pool();
    // Fill the pool to the brim, then one more.
    const free = before.purchased - before.assigned;
    const make = (i: number) => ({
      company_id: uma.company_id,
      office_id: uma.office_id,
      first_name: "Seat",
      last_name: `Filler ${i}`,
      email: `filler-${i}@acme.test`,
      license_type: "support" as const,
    });
    await t.db
      .insertInto("users")
      .values(Array.from({ length: free }, (_, i) => make(i)))
      .execute();
    expect((await pool()).assigned).toBe(before.purchased);
    await rejects(t.db.insertInto("users").values(make(free)).execute(), /license_pools_no_overspend/);
    expect((await pool()).assigned).toBe(before.purchased);
  });

  it("never go negative, and free a seat when its user is deleted", async () => {
    await rejects(
      t.db
        .updateTable("license_pools")
        .set({ purchased: -1 })
        .where("license_type", "=", "connect")
        .execute(),
      /violates check constraint "license_pools_(purchased_check|no_overspend)"/,
    );
    const uma = await person("uma@acme.test");
    const assigned = () =>
      t.db
        .selectFrom("license_pools")
        .select("assigned")
        .where("office_id", "=", uma.office_id)
        .where("license_type", "=", "connect")
        .executeTakeFirstOrThrow()
        .then((r) => r.assigned);
    const before = await assigned();
    let during = -1;
    const undo = new Error("roll back");
    await expect(
      t.db.transaction().execute(async (tx) => {
        await tx
          .updateTable("users")
          .set({ status: "deleted", deleted_at: new Date() })
          .where("id", "=", uma.id)
          .execute();
        during = (
          await tx
            .selectFrom("license_pools")
            .select("assigned")
            .where("office_id", "=", uma.office_id)
            .where("license_type", "=", "connect")
            .executeTakeFirstOrThrow()
        ).assigned;
        throw undo;
      }),
    ).rejects.toBe(undo);
    expect(during).toBe(before - 1);
    expect(await assigned()).toBe(before);
  });
});

describe("a suspended user", () => {
  it("holds no seat of their license nor Meetings, and keeps their add-on numbers' seats", async () => {
    // Priya: Connect with a Meetings seat, in San Francisco.
    const priya = await person("priya@acme.test");
    const pools = () =>
      t.db
        .selectFrom("license_pools")
        .select(["license_type", "assigned"])
        .where("office_id", "=", priya.office_id)
        .orderBy("license_type")
        .execute()
        .then((rows) => Object.fromEntries(rows.map((r) => [r.license_type, r.assigned])));
    const before = await pools();
    const setStatus = (status: "suspended" | "active") =>
      t.db.updateTable("users").set({ status }).where("id", "=", priya.id).execute();
    await setStatus("suspended");
    expect(await pools()).toEqual({
      ...before,
      connect: before.connect! - 1,
      meetings: before.meetings! - 1,
    });
    await setStatus("active");
    expect(await pools()).toEqual(before);
  });
});

describe("users", () => {
  it("have one email in any letter case", async () => {
    const uma = await person("uma@acme.test");
    await rejects(
      t.db
        .insertInto("users")
        .values({
          company_id: uma.company_id,
          office_id: uma.office_id,
          first_name: "Other",
          last_name: "Uma",
          email: "UMA@Acme.Test",
          license_type: "connect",
        })
        .execute(),
      /users_email_key/,
    );
  });

  it("belong to an office of their own company", async () => {
    const uma = await person("uma@acme.test");
    const globexOffice = await t.db
      .selectFrom("offices")
      .innerJoin("companies", "companies.id", "offices.company_id")
      .select("offices.id")
      .where("companies.name", "=", "Globex")
      .executeTakeFirstOrThrow();
    await rejects(
      t.db.updateTable("users").set({ office_id: globexOffice.id }).where("id", "=", uma.id).execute(),
      /users_office_id_company_id_fkey/,
    );
  });
});

describe("users' deletion", () => {
  it("is a status and a time together: neither without the other", async () => {
    const uma = await person("uma@acme.test");
    await rejects(
      t.db.updateTable("users").set({ status: "deleted" }).where("id", "=", uma.id).execute(),
      /users_check/,
    );
    await rejects(
      t.db.updateTable("users").set({ deleted_at: new Date() }).where("id", "=", uma.id).execute(),
      /users_check/,
    );
  });
});

describe("companies and offices", () => {
  it("a company's plan is one of the six", async () => {
    await rejects(
      t.db
        .insertInto("companies")
        .values({ name: "Initech", plan: "gold" as never })
        .execute(),
      /companies_plan_check/,
    );
  });

  it("an office's name is its own in its company (another company may use it), its country two capital letters", async () => {
    const sf = await t.db
      .selectFrom("offices")
      .select(["company_id", "timezone", "price_level"])
      .where("name", "=", "San Francisco")
      .executeTakeFirstOrThrow();
    const office = (name: string, country: string, companyId = sf.company_id) =>
      t.db
        .insertInto("offices")
        .values({ ...sf, company_id: companyId, name, country })
        .execute();
    await rejects(office("San Francisco", "US"), /offices_company_id_name_key/);
    await rejects(office("Oakland", "us"), /offices_country_check/);
    await rejects(office("Oakland", "USA"), /offices_country_check|too long/);
    const globex = await t.db
      .selectFrom("companies")
      .select("id")
      .where("name", "=", "Globex")
      .executeTakeFirstOrThrow();
    await office("San Francisco", "US", globex.id);
  });

  it("an office has one main line at most", async () => {
    const line = await t.db
      .selectFrom("groups")
      .select(["company_id", "office_id"])
      .where("kind", "=", "main_line")
      .executeTakeFirstOrThrow();
    await rejects(
      t.db
        .insertInto("groups")
        .values({ ...line, kind: "main_line", name: "A second main line" })
        .execute(),
      /groups_one_main_line/,
    );
  });
});
