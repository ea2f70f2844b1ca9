/**
 * Adds many made-up users to Acme, to see how lists, search and pagination
 * hold up (`tsx scripts/seed.ts --users 1000000`). Run it after the demo seed;
 * it may be run again to add more.
 *
 * The rows are made in SQL, set-based: a statement per BATCH users makes them
 * from generate_series, with their primary numbers and the provider's record
 * of those. Nothing travels but the lists below. The triggers keep the seat
 * pools and the list's counters as they do for any insert, once per statement.
 * Maintaining users' seventeen indexes (a trigram one among them) and checking
 * each row's foreign keys one lookup at a time was nine tenths of the time
 * (about 2,700 users a second on this project's 2-core machine), so a seed
 * that adds many rows compared to those there sets the three tables'
 * secondary indexes and foreign keys aside and makes them again at the end
 * (withIndexesRebuilt).
 */
import { sql, type Kysely } from "kysely";
import type { Database, UserLicenseType } from "../schema.ts";
import { ACME, ACME_OFFICES, NUMBER_PLANS, asciiLower } from "./demo.ts";

/** Users per statement: big enough to amortize a statement, small enough to show progress. */
const BATCH = 50_000;

/**
 * Indexes and foreign keys are rebuilt when the seed adds at least a quarter
 * as many users as there are: building an index over all rows at once costs
 * well under a quarter of maintaining it for each new one.
 */
export const REBUILD_RATIO = 4;

/** The tables the seed fills. */
const FILLED = ["users", "phone_numbers", "provider_numbers"];

/** How the users spread over Acme's offices (weights). */
const OFFICE_WEIGHTS: Record<string, number> = {
  "San Francisco": 30,
  "New York": 25,
  Toronto: 15,
  Austin: 15,
  London: 15,
};

/**
 * A scale user's primary number is the first number of their country's block
 * plus their user id: unique without a lookup, and far below the demo's
 * 555-01xx (North America) and 7946 0xxx (London) numbers, as long as ids stay
 * under MAX_USER_ID.
 */
const SCALE_FIRST: Record<string, number> = { US: 2_000_000, CA: 2_000_000, GB: 30_000_000 };
const MAX_USER_ID = 3_000_000;

// prettier-ignore
const FIRST_NAMES = [
  "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
  "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen",
  "Christopher", "Nancy", "Daniel", "Lisa", "Matthew", "Betty", "Anthony", "Margaret", "Mark", "Sandra",
  "Wei", "Mei", "Hiroshi", "Aiko", "Raj", "Ananya", "Mohammed", "Fatima", "Oluwaseun", "Chiamaka",
  "José", "María", "Luis", "Camila", "João", "Beatriz", "François", "Amélie", "Lukas", "Sophie",
  "Søren", "Ingrid", "Mateo", "Valentina", "Ahmed", "Layla", "Dmitri", "Olga", "Kofi", "Amara",
  "Liam", "Emma", "Noah", "Olivia", "Ethan", "Ava", "Mason", "Isabella", "Lucas", "Mia",
  "Arjun", "Priya", "Tariq", "Yasmin", "Kenji", "Yuna", "Minh", "Linh", "Sione", "Aroha",
];

// prettier-ignore
const LAST_NAMES = [
  "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
  "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
  "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
  "Wang", "Li", "Zhang", "Chen", "Liu", "Nguyen", "Tran", "Kim", "Park", "Choi",
  "Sato", "Suzuki", "Takahashi", "Patel", "Shah", "Singh", "Kumar", "Khan", "Ali", "Hussain",
  "Okafor", "Adeyemi", "Mensah", "Boateng", "Müller", "Schmidt", "Schneider", "Dubois", "Lefèvre", "Rossi",
  "Russo", "Silva", "Santos", "Ferreira", "Novak", "Kowalski", "Ivanov", "Petrov", "Jensen", "Larsen",
  "O'Brien", "Murphy", "Kelly", "MacLeod", "Campbell", "Evans", "Hughes", "Cohen", "Levi", "Haddad",
];

const TITLES: Record<UserLicenseType, string[]> = {
  connect: [
    "Software Engineer",
    "Product Manager",
    "Designer",
    "Account Manager",
    "Marketing Specialist",
    "Financial Analyst",
    "Recruiter",
    "Operations Coordinator",
    "Data Analyst",
    "Legal Counsel",
  ],
  sell: ["Account Executive", "Sales Development Representative", "Renewals Specialist"],
  support: ["Support Specialist", "Support Team Lead", "Onboarding Specialist"],
};

/**
 * A row's office, names, license, status, Meetings seat, title and dates are
 * each a hash of its serial number (hashint4extended, salted per column), so
 * the same database state gives the same people. Serials (and email suffixes)
 * continue from the highest user id, so a second run makes new people.
 */
export async function seedScale(
  db: Kysely<Database>,
  count: number,
  onProgress: (done: number, total: number) => void,
): Promise<void> {
  const company = await db.selectFrom("companies").select("id").where("name", "=", ACME).executeTakeFirst();
  if (!company) throw new Error(`The scale seed adds to the demo company ${ACME}: seed the demo first.`);
  const offices = await db
    .selectFrom("offices")
    .select(["id", "name", "timezone"])
    .where("company_id", "=", company.id)
    .where("name", "in", Object.keys(OFFICE_WEIGHTS))
    .orderBy("id")
    .execute();
  if (offices.length === 0) throw new Error(`${ACME} has none of the demo offices the scale seed fills.`);
  const plans = offices.map((o) => {
    const areaCode = ACME_OFFICES.find((spec) => spec.name === o.name)!.areaCode;
    const { country, prefix } = NUMBER_PLANS[areaCode];
    return { ...o, areaCode, country, prefix, first: SCALE_FIRST[country] };
  });
  // One slot per unit of weight: a row's office is the one in the slot its hash picks.
  const slots = plans.flatMap((o, i) => Array<number>(OFFICE_WEIGHTS[o.name]).fill(i + 1));
  const { maxId, existing } = await db
    .selectFrom("users")
    .select((eb) => [
      eb.fn.coalesce(eb.fn.max("id"), eb.lit(0)).as("maxId"),
      eb.fn.countAll<number>().as("existing"),
    ])
    .executeTakeFirstOrThrow();
  const now = new Date();

  const addBatch = (trx: Kysely<Database>, from: number, to: number) =>
    sql`
    with office as (
      select * from unnest(${plans.map((o) => o.id)}::int[], ${plans.map((o) => o.timezone)}::text[],
                           ${plans.map((o) => o.country)}::text[], ${plans.map((o) => o.areaCode)}::text[],
                           ${plans.map((o) => o.prefix)}::text[], ${plans.map((o) => o.first)}::int[])
        with ordinality as o(id, timezone, country, area_code, prefix, first, k)
    ), roll as (
      -- Whole numbers by abs(hash % n), fractions in [0, 1) from the hash's low 20 bits.
      select g as serial,
             (${slots}::int[])[1 + abs(hashint4extended(g, 1) % ${slots.length})] as office_k,
             1 + abs(hashint4extended(g, 2) % ${FIRST_NAMES.length}) as first_k,
             1 + abs(hashint4extended(g, 3) % ${LAST_NAMES.length}) as last_k,
             (hashint4extended(g, 4) & 1048575) / 1048576.0 as license_roll,
             (hashint4extended(g, 5) & 1048575) / 1048576.0 < 0.1 as pending,
             (hashint4extended(g, 6) & 1048575) / 1048576.0 < 0.1 as meetings,
             abs(hashint4extended(g, 7) % 1000) as title_roll,
             (hashint4extended(g, 8) & 1048575) / 1048576.0 as age,
             (hashint4extended(g, 9) & 1048575) / 1048576.0 as first_sign_in
        from generate_series(${from}::int, ${to}::int) g
    ), person as (
      select r.*, o.id as office_id, o.timezone,
             case when license_roll < 0.8 then 'connect' when license_roll < 0.92 then 'sell' else 'support' end
               as license,
             ${now}::timestamptz - age * interval '1095 days' as created_at -- up to three years ago
        from roll r join office o on o.k = r.office_k
    ), added as (
      insert into users (company_id, office_id, timezone, first_name, last_name, email, status, license_type,
                         has_meetings_seat, job_title, created_at, first_signed_in_at)
      select ${company.id}::int, office_id, timezone,
             (${FIRST_NAMES}::text[])[first_k], (${LAST_NAMES}::text[])[last_k],
             (${FIRST_NAMES.map(asciiLower)}::text[])[first_k] || '.' ||
               (${LAST_NAMES.map(asciiLower)}::text[])[last_k] || '.' || serial || '@acme.test',
             case when pending then 'pending' else 'active' end, license, meetings,
             case license
               when 'connect' then (${TITLES.connect}::text[])[1 + title_roll % ${TITLES.connect.length}]
               when 'sell' then (${TITLES.sell}::text[])[1 + title_roll % ${TITLES.sell.length}]
               else (${TITLES.support}::text[])[1 + title_roll % ${TITLES.support.length}] end,
             created_at,
             case when not pending then least(${now}::timestamptz, created_at + first_sign_in * interval '7 days') end
        from person
      returning id, office_id, license_type
    ), wanted as (
      -- A primary local number for each Connect user (included in the license)…
      select a.id as user_id, a.office_id, o.prefix || (o.first + a.id) as e164, o.country, o.area_code
        from added a join office o on o.id = a.office_id
       where a.license_type = 'connect'
    ), numbered as (
      insert into phone_numbers (company_id, office_id, e164, country, kind, state, assigned_user_id, is_primary)
      select ${company.id}::int, office_id, e164, country, 'local', 'assigned', user_id, true from wanted
    )
    -- …recorded as provisioned in the provider's inventory too.
    insert into provider_numbers (e164, country, area_code, kind, provisioned_to_company_id, provisioned_at)
    select e164, country, area_code, 'local', ${company.id}::int, ${now}::timestamptz from wanted`.execute(
      trx,
    );

  await db.transaction().execute(async (trx) => {
    const fill = async () => {
      for (let done = 0; done < count;) {
        const size = Math.min(BATCH, count - done);
        await addBatch(trx, maxId + done + 1, maxId + done + size);
        done += size;
        onProgress(done, count);
      }
    };
    const seeded = () =>
      withSeatsFor(
        trx,
        offices.map((o) => o.id),
        count,
        fill,
      );
    // The tables first, then the pools: locks in the order the app's statements take them.
    if (count * REBUILD_RATIO >= existing) await withIndexesRebuilt(trx, FILLED, seeded);
    else await seeded();
    const { lastId } = await trx
      .selectFrom("users")
      .select((eb) => eb.fn.max("id").as("lastId"))
      .executeTakeFirstOrThrow();
    if (lastId! >= MAX_USER_ID) throw new Error(`User id ${lastId} is past the scale seed's number block.`);
  });
  // Fresh statistics, so the planner knows the tables are big now.
  await sql`analyze`.execute(db);
}

/**
 * Runs `insert` with room for `size` more users in every seat pool of the
 * offices, then puts each pool's purchased seats back to what it took plus
 * the spare seats it had: the seed buys exactly the seats its users hold, and
 * the triggers' check (assigned <= purchased) holds throughout.
 */
async function withSeatsFor(
  trx: Kysely<Database>,
  officeIds: number[],
  size: number,
  insert: () => Promise<void>,
): Promise<void> {
  const types = ["connect", "sell", "support", "meetings"];
  const { rows: spare } = await sql<{ office_id: number; license_type: string; spare: number }>`
    update license_pools set purchased = purchased + ${size}
     where office_id = any(${officeIds}::int[]) and license_type = any(${types}::text[])
    returning office_id, license_type, purchased - ${size} - assigned as spare`.execute(trx);
  await insert();
  await sql`
    update license_pools p set purchased = p.assigned + v.spare
      from unnest(${spare.map((r) => r.office_id)}::int[], ${spare.map((r) => r.license_type)}::text[],
                  ${spare.map((r) => r.spare)}::int[]) as v(office_id, license_type, spare)
     where p.office_id = v.office_id and p.license_type = v.license_type`.execute(trx);
}

/**
 * Runs `fill` with the `tables`' secondary indexes and foreign keys
 * dropped, then makes each again from its own definition (pg_get_indexdef,
 * pg_get_constraintdef): an index built over all the rows at once, a foreign
 * key checked by one join. All in the caller's transaction, so other sessions
 * wait for the tables rather than ever see them without an index, and a failed
 * seed leaves them as they were. Indexes behind a constraint (primary keys,
 * unique constraints, which other tables' foreign keys lean on) stay, and so
 * are kept row by row. With `keepForeignKeys`, the foreign keys stay and are
 * checked row by row: dropping one locks the table it references too, for
 * the whole fill.
 */
export async function withIndexesRebuilt(
  trx: Kysely<Database>,
  tables: string[],
  fill: () => Promise<void>,
  { keepForeignKeys = false } = {},
): Promise<void> {
  const { rows } = await sql<{ drop: string; make: string; kind: "index" | "foreign key" }>`
    select format('drop index %s', i.indexrelid::regclass) as drop, pg_get_indexdef(i.indexrelid) as make,
           'index' as kind
      from pg_index i
     where i.indrelid = any(${tables}::text[]::regclass[])
       and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)
    union all
    select format('alter table %s drop constraint %I', c.conrelid::regclass, c.conname),
           format('alter table %s add constraint %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid)),
           'foreign key'
      from pg_constraint c
     where c.contype = 'f' and c.conrelid = any(${tables}::text[]::regclass[]) and not ${keepForeignKeys}`.execute(
    trx,
  );
  for (const r of rows) await sql.raw(r.drop).execute(trx);
  await fill();
  // A GIN (trigram) index build gathers its entries in this much memory before it writes them out.
  await sql`set local maintenance_work_mem = '256MB'`.execute(trx);
  for (const kind of ["index", "foreign key"])
    for (const r of rows.filter((r) => r.kind === kind)) await sql.raw(r.make).execute(trx);
}
