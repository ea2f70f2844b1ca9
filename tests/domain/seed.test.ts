import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql, type Kysely } from "kysely";
import { isValidPhoneNumber, parsePhoneNumber } from "libphonenumber-js/max";
import { freshDatabase, type TestDatabase } from "../support/db.ts";
import { verifyPassword } from "../../app/auth/password.server.ts";
import type { Database } from "../../db/schema.ts";
import { DEMO_PASSWORD, seedDemo } from "../../db/seed/demo.ts";
import { seedDemoIfEmpty } from "../../db/seed/index.ts";
import { seedScale } from "../../db/seed/scale.ts";
import { acmeAuditCount, seedAuditLog } from "../../db/seed/audit-log.ts";
import { USER_COUNTS_DRIFT } from "../../scripts/load/invariants.ts";

const NOW = new Date("2026-06-01T12:00:00Z");
const HOUR = 3600_000;

let h: TestDatabase;

beforeAll(async () => {
  h = await freshDatabase();
  await seedDemo(h.db, NOW);
});

afterAll(async () => {
  await h?.close();
});

/** Pools whose `assigned` differs from a count of what holds their seats. */
async function poolsOutOfStep(db: Kysely<Database>) {
  const { rows } = await sql<{ office_id: number; license_type: string; assigned: number; counted: number }>`
    with seats as (
      select office_id, license_type from users where status <> 'deleted'
      union all
      select office_id, 'meetings' from users where status <> 'deleted' and has_meetings_seat
      union all
      select office_id, addon_license_type from phone_numbers where addon_license_type is not null
    )
    select p.office_id, p.license_type, p.assigned, count(s.office_id)::int as counted
      from license_pools p
      left join seats s on s.office_id = p.office_id and s.license_type = p.license_type
     group by p.office_id, p.license_type, p.assigned
    having p.assigned <> count(s.office_id)`.execute(db);
  return rows;
}

async function overspentPools(db: Kysely<Database>) {
  return db.selectFrom("license_pools").selectAll().whereRef("assigned", ">", "purchased").execute();
}

async function userByEmail(email: string) {
  return h.db.selectFrom("users").selectAll().where("email", "=", email).executeTakeFirstOrThrow();
}

async function officeAdminOf(userId: number) {
  const rows = await h.db
    .selectFrom("office_admins")
    .innerJoin("offices", "offices.id", "office_admins.office_id")
    .select("offices.name")
    .where("office_admins.user_id", "=", userId)
    .orderBy("offices.name")
    .execute();
  return rows.map((r) => r.name);
}

/** Every index and constraint of these tables, by its definition. */
async function schemaOf(tables: string[]) {
  const { rows } = await sql<{ def: string }>`
    select indexdef as def from pg_indexes where schemaname = 'public' and tablename = any(${tables}::text[])
    union all
    select conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) from pg_constraint
     where conrelid = any(${tables}::text[]::regclass[])
     order by 1`.execute(h.db);
  return rows.map((r) => r.def);
}

describe("the demo seed", () => {
  it("counts every seat in the pools, and leaves some of each type unassigned", async () => {
    expect(await poolsOutOfStep(h.db)).toEqual([]);
    expect(await overspentPools(h.db)).toEqual([]);

    const pools = await h.db
      .selectFrom("license_pools")
      .innerJoin("offices", "offices.id", "license_pools.office_id")
      .select(["offices.name", "license_pools.license_type", "purchased", "assigned"])
      .execute();
    expect(pools).toHaveLength(6 * 7);
    for (const p of pools) expect(p.purchased - p.assigned, `${p.name} ${p.license_type}`).toBeGreaterThan(0);
    const sfLocal = pools.find((p) => p.name === "San Francisco" && p.license_type === "local_number")!;
    expect(sfLocal.purchased - sfLocal.assigned).toBeGreaterThanOrEqual(3);
  });

  it("gives each demo sign-in its role and the demo password", async () => {
    const ada = await userByEmail("ada@acme.test");
    const oscar = await userByEmail("oscar@acme.test");
    const olive = await userByEmail("olive@acme.test");
    const uma = await userByEmail("uma@acme.test");
    const gina = await userByEmail("gina@globex.test");

    for (const u of [ada, oscar, olive, uma, gina]) {
      expect(u.status, u.email!).toBe("active");
      expect(u.first_signed_in_at, u.email!).not.toBeNull();
    }
    expect(await verifyPassword(DEMO_PASSWORD, ada.password_hash)).toBe(true);

    const companyOf = async (id: number) =>
      await h.db
        .selectFrom("companies")
        .select(["name", "plan"])
        .where("id", "=", id)
        .executeTakeFirstOrThrow();
    expect(await companyOf(ada.company_id)).toEqual({ name: "Acme", plan: "advanced" });
    expect(await companyOf(gina.company_id)).toEqual({ name: "Globex", plan: "standard" });

    expect(ada).toMatchObject({
      first_name: "Ada",
      last_name: "Lovelace",
      is_company_admin: true,
      license_type: "connect",
    });
    expect(oscar).toMatchObject({ is_company_admin: false, has_proxy_access: true });
    expect(await officeAdminOf(oscar.id)).toEqual(["San Francisco"]);
    expect(olive).toMatchObject({ is_company_admin: false, has_proxy_access: false });
    expect(await officeAdminOf(olive.id)).toEqual(["New York"]);
    expect(uma).toMatchObject({
      is_company_admin: false,
      has_proxy_access: false,
      license_type: "connect",
      office_id: ada.office_id,
    });
    expect(await officeAdminOf(uma.id)).toEqual([]);
    expect(gina.is_company_admin).toBe(true);
  });

  it("has four recently deleted users whose numbers are on hold for them", async () => {
    const ada = await userByEmail("ada@acme.test");
    const deleted = await h.db
      .selectFrom("users")
      .selectAll()
      .where("status", "=", "deleted")
      .orderBy("deleted_at", "desc")
      .execute();
    expect(deleted.map((u) => (NOW.getTime() - u.deleted_at!.getTime()) / HOUR)).toEqual([2, 5, 70, 80]);

    for (const u of deleted) {
      expect(u).toMatchObject({ deleted_by_user_id: ada.id, anonymized_at: null });
      const held = await h.db
        .selectFrom("phone_numbers")
        .selectAll()
        .where("held_for_user_id", "=", u.id)
        .execute();
      // Hedy Lamarr, the deleted Company Admin, is a Sell user without a number: none is held for her.
      if (u.email === "hedy@acme.test") expect([u.is_company_admin, held.length]).toEqual([true, 0]);
      else expect(held.length, u.email!).toBeGreaterThan(0);
      for (const n of held) {
        expect(n).toMatchObject({
          state: "reserved",
          addon_license_type: null,
          last_holder_user_id: u.id,
          last_holder_name: `${u.first_name} ${u.last_name}`,
          last_office_id: u.office_id,
        });
        expect(n.unassigned_at).toEqual(u.deleted_at);
        expect(n.held_until!.getTime() - u.deleted_at!.getTime()).toBe(72 * HOUR);
      }
      const memberships = await h.db
        .selectFrom("group_members")
        .select("group_id")
        .where("user_id", "=", u.id)
        .execute();
      expect(memberships.length, u.email!).toBeGreaterThan(0);
    }
  });

  it("has a Reserved Pool of a dozen numbers whose holders are long gone", async () => {
    const { count } = await h.db
      .selectFrom("phone_numbers")
      .select((eb) => eb.fn.countAll<number>().as("count"))
      .where("state", "=", "reserved")
      .where("held_for_user_id", "is", null)
      .where("last_holder_name", "is not", null)
      .where("last_office_id", "is not", null)
      .where("unassigned_at", "is not", null)
      .executeTakeFirstOrThrow();
    expect(count).toBe(12);
  });

  it("gives every live Connect user one primary local number of their office's country", async () => {
    const rows = await h.db
      .selectFrom("users")
      .innerJoin("offices", "offices.id", "users.office_id")
      .leftJoin("phone_numbers", (join) =>
        join
          .onRef("phone_numbers.assigned_user_id", "=", "users.id")
          .on("phone_numbers.is_primary", "=", true),
      )
      .select([
        "users.email",
        "offices.country as office_country",
        "phone_numbers.country",
        "phone_numbers.kind",
      ])
      .where("users.status", "<>", "deleted")
      .where("users.license_type", "=", "connect")
      .execute();
    for (const r of rows) expect(r, r.email!).toMatchObject({ country: r.office_country, kind: "local" });
  });

  it("uses numbers that are valid for their country", async () => {
    const numbers = await h.db.selectFrom("phone_numbers").select(["e164", "country"]).execute();
    const stock = await h.db.selectFrom("provider_numbers").select(["e164", "country"]).execute();
    for (const n of [...numbers, ...stock]) {
      expect(isValidPhoneNumber(n.e164), n.e164).toBe(true);
      expect(parsePhoneNumber(n.e164).country, n.e164).toBe(n.country);
    }
  });

  it("records every number a company holds as provisioned to it by the provider", async () => {
    const { rows } = await sql<{ e164: string }>`
      select n.e164 from phone_numbers n
      left join provider_numbers p on p.e164 = n.e164 and p.provisioned_to_company_id = n.company_id
       where p.e164 is null`.execute(h.db);
    expect(rows).toEqual([]);
    const free = await h.db
      .selectFrom("provider_numbers")
      .select(["area_code", (eb) => eb.fn.countAll<number>().as("count")])
      .where("provisioned_to_company_id", "is", null)
      .where("kind", "=", "local")
      .groupBy("area_code")
      .orderBy("area_code")
      .execute();
    expect(free.map((f) => f.area_code)).toEqual(["20", "212", "217", "415", "416", "512"]);
    for (const f of free) expect(f.count).toBeGreaterThanOrEqual(50);
  });

  it("puts only eligible users in departments and call centers", async () => {
    const { rows } = await sql<{ name: string; kind: string; license_type: string }>`
      select g.name, g.kind, u.license_type from group_members m
        join groups g on g.id = m.group_id join users u on u.id = m.user_id
       where (g.kind = 'department' and u.license_type not in ('connect', 'sell'))
          or (g.kind = 'call_center' and u.license_type not in ('sell', 'support'))`.execute(h.db);
    expect(rows).toEqual([]);
  });

  it("is not seeded twice", async () => {
    expect(await seedDemoIfEmpty(h.db, NOW)).toBe(false);
    const companies = await h.db.selectFrom("companies").select("name").orderBy("name").execute();
    expect(companies.map((c) => c.name)).toEqual(["Acme", "Globex"]);
  });
});

describe("the scale seed", () => {
  /** Every index and constraint of the tables the seed fills. */
  const schemaOfFilledTables = () => schemaOf(["users", "phone_numbers", "provider_numbers"]);
  const spareSeats = async () =>
    (
      await h.db
        .selectFrom("license_pools")
        .select(["office_id", "license_type", (eb) => eb("purchased", "-", eb.ref("assigned")).as("spare")])
        .orderBy("office_id")
        .orderBy("license_type")
        .execute()
    ).map((p) => `${p.office_id} ${p.license_type} ${p.spare}`);
  const countUsers = async () =>
    (
      await h.db
        .selectFrom("users")
        .innerJoin("companies", "companies.id", "users.company_id")
        .select((eb) => eb.fn.countAll<number>().as("count"))
        .where("companies.name", "=", "Acme")
        .executeTakeFirstOrThrow()
    ).count;
  /** What the app relies on: seats, counters, one primary number per Connect user, each provisioned. */
  async function expectInvariants() {
    expect(await poolsOutOfStep(h.db)).toEqual([]);
    expect(await overspentPools(h.db)).toEqual([]);
    expect((await sql.raw(USER_COUNTS_DRIFT).execute(h.db)).rows).toEqual([]);
    const { rows } = await sql<{ email: string }>`
      select u.email from users u
       where u.license_type = 'connect' and u.status <> 'deleted'
         and not exists (select 1 from phone_numbers n where n.assigned_user_id = u.id and n.is_primary)`.execute(
      h.db,
    );
    expect(rows).toEqual([]);
    const { rows: unprovisioned } = await sql<{ e164: string }>`
      select n.e164 from phone_numbers n
      left join provider_numbers p on p.e164 = n.e164 and p.provisioned_to_company_id = n.company_id
       where p.e164 is null`.execute(h.db);
    expect(unprovisioned).toEqual([]);
  }

  it("adds users to Acme, buying exactly the seats they take, its indexes and foreign keys made again", async () => {
    const before = await countUsers();
    const schema = await schemaOfFilledTables();
    const spare = await spareSeats();
    const progress: number[] = [];

    // Many more than there are: the seed sets the indexes and foreign keys aside and rebuilds them.
    await seedScale(h.db, 2000, (done, total) => {
      expect(total).toBe(2000);
      progress.push(done);
    });

    expect(await countUsers()).toBe(before + 2000);
    expect(progress.at(-1)).toBe(2000);
    expect(await schemaOfFilledTables()).toEqual(schema);
    expect(await spareSeats()).toEqual(spare);
    await expectInvariants();

    const sample = await h.db
      .selectFrom("phone_numbers")
      .select("e164")
      .orderBy("id", "desc")
      .limit(50)
      .execute();
    for (const n of sample) expect(isValidPhoneNumber(n.e164), n.e164).toBe(true);

    // Variety the list's search and filters need: "mar" begins thousands of names at scale, dozens here.
    const { rows: variety } = await sql<{ offices: number; licenses: number; pending: number; mar: number }>`
      select count(distinct office_id)::int as offices, count(distinct license_type)::int as licenses,
             count(*) filter (where status = 'pending')::int as pending,
             count(*) filter (where sort_name like 'mar%' or last_name like 'Mar%')::int as mar
        from users where email like '%.%.%@acme.test'`.execute(h.db);
    expect(variety[0]).toMatchObject({ offices: 5, licenses: 3 });
    expect(variety[0].pending).toBeGreaterThan(100);
    expect(variety[0].mar).toBeGreaterThan(20);
  });

  it("adds a few users to many row by row, every counter still right", async () => {
    const before = await countUsers();
    const spare = await spareSeats();
    // A twentieth of those there: the indexes and foreign keys stay and check each row.
    await seedScale(h.db, 100, () => undefined);
    expect(await countUsers()).toBe(before + 100);
    expect(await spareSeats()).toEqual(spare);
    await expectInvariants();
  });
});

describe("the audit log seed", () => {
  it("adds entries to Acme's log over three years, about its people, its indexes made again", async () => {
    const schema = await schemaOf(["audit_log"]);
    const before = await acmeAuditCount(h.db);
    const { last } = await h.db
      .selectFrom("audit_log")
      .select((eb) => eb.fn.max("id").as("last"))
      .executeTakeFirstOrThrow();
    const progress: number[] = [];

    // Many more than there are: the seed sets the indexes aside and rebuilds them.
    await seedAuditLog(h.db, 3000, (done) => progress.push(done));

    expect(await acmeAuditCount(h.db)).toBe(before + 3000);
    expect(progress.at(-1)).toBe(3000);
    expect(await schemaOf(["audit_log"])).toEqual(schema);
    // What the page's filters need: many actions, offices and people; some changes made while proxying, some
    // by Switchboard itself; the targets real users of Acme (or their numbers); newest last.
    const { rows } = await sql<Record<string, number | boolean>>`
      select count(distinct a.action)::int as actions, count(distinct a.office_id)::int as offices,
             count(distinct a.actor_user_id)::int as actors, count(a.on_behalf_of_user_id)::int as proxied,
             count(*) filter (where a.actor_user_id is null)::int as automatic,
             bool_and(coalesce(u.id = a.target_id::int, n.e164 = a.target_label, false)) as real_targets,
             max(a.created_at) - min(a.created_at) > interval '1000 days' as years,
             bool_and(a.created_at <= now()) as past
        from audit_log a
        left join users u on a.target_type = 'user' and u.id = a.target_id::int and u.company_id = a.company_id
                         and u.office_id = a.office_id
        left join phone_numbers n on a.target_type = 'phone_number' and n.id = a.target_id::int
       where a.id > ${last ?? 0}`.execute(h.db);
    expect(rows[0]).toMatchObject({ offices: 5, real_targets: true, years: true, past: true });
    expect(rows[0]!.actions).toBeGreaterThan(15);
    expect(rows[0]!.actors).toBeGreaterThan(100);
    expect(rows[0]!.proxied).toBeGreaterThan(10);
    expect(rows[0]!.automatic).toBeGreaterThan(10);
  });
});
