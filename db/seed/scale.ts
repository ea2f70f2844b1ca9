/**
 * Adds many made-up users to Acme, to see how lists, search and pagination
 * hold up (`tsx scripts/seed.ts --users 100000`). Run it after the demo seed;
 * it may be run again to add more.
 *
 * Speed comes from a few large statements per batch: each column travels as
 * one array and `unnest` turns the arrays back into rows, so a batch of
 * thousands of users is one INSERT, whatever its size.
 */
import { sql, type Kysely } from "kysely";
import type { Database, UserLicenseType } from "../schema.ts";
import { ACME, ACME_OFFICES, NUMBER_PLANS, asciiLower } from "./demo.ts";

const BATCH = 2000;

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

interface NewPerson {
  officeId: number;
  timezone: string;
  first: string;
  last: string;
  email: string;
  status: "active" | "pending";
  license: UserLicenseType;
  meetings: boolean;
  title: string;
  createdAt: Date;
  firstSignedInAt: Date | null;
}

export async function seedScale(
  db: Kysely<Database>,
  count: number,
  onProgress: (done: number, total: number) => void,
): Promise<void> {
  const company = await db.selectFrom("companies").select("id").where("name", "=", ACME).executeTakeFirst();
  if (!company) throw new Error(`The scale seed adds to the demo company ${ACME}: seed the demo first.`);
  const offices = await db
    .selectFrom("offices")
    .select(["id", "name", "country", "timezone"])
    .where("company_id", "=", company.id)
    .where("name", "in", Object.keys(OFFICE_WEIGHTS))
    .execute();
  if (offices.length === 0) throw new Error(`${ACME} has none of the demo offices the scale seed fills.`);
  const areaCodeOf = new Map(
    offices.map((o) => [o.id, ACME_OFFICES.find((spec) => spec.name === o.name)!.areaCode]),
  );

  // Email suffixes continue from the highest user id, so a second run makes new addresses.
  const { maxId } = await db
    .selectFrom("users")
    .select((eb) => eb.fn.coalesce(eb.fn.max("id"), eb.lit(0)).as("maxId"))
    .executeTakeFirstOrThrow();
  const random = mulberry32(maxId + count);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
  const pickOffice = weightedPicker(
    offices.map((o) => ({ value: o, weight: OFFICE_WEIGHTS[o.name] })),
    random,
  );
  const now = Date.now();

  const makePerson = (n: number): NewPerson => {
    const office = pickOffice();
    const first = pick(FIRST_NAMES);
    const last = pick(LAST_NAMES);
    const roll = random();
    const license: UserLicenseType = roll < 0.8 ? "connect" : roll < 0.92 ? "sell" : "support";
    const pending = random() < 0.1;
    const createdAt = new Date(now - random() * 3 * 365 * 86_400_000);
    const signedIn = new Date(Math.min(now, createdAt.getTime() + random() * 7 * 86_400_000));
    return {
      officeId: office.id,
      timezone: office.timezone,
      first,
      last,
      email: `${asciiLower(first)}.${asciiLower(last)}.${maxId + n}@acme.test`,
      status: pending ? "pending" : "active",
      license,
      meetings: random() < 0.1,
      title: pick(TITLES[license]),
      createdAt,
      firstSignedInAt: pending ? null : signedIn,
    };
  };

  for (let done = 0; done < count;) {
    const size = Math.min(BATCH, count - done);
    const people = Array.from({ length: size }, (_, i) => makePerson(done + i + 1));
    await db.transaction().execute(async (trx) => {
      await buySeats(trx, people);
      const users = await insertUsers(trx, company.id, people);
      const numbers = users
        .filter((u) => u.license_type === "connect")
        .map((u) => {
          if (u.id >= MAX_USER_ID) throw new Error(`User id ${u.id} is past the scale seed's number block.`);
          const areaCode = areaCodeOf.get(u.office_id)!;
          const { country, prefix } = NUMBER_PLANS[areaCode];
          return {
            userId: u.id,
            officeId: u.office_id,
            country,
            areaCode,
            e164: prefix + (SCALE_FIRST[country] + u.id),
          };
        });
      await insertNumbers(trx, company.id, numbers);
    });
    done += size;
    onProgress(done, count);
  }
  // Fresh statistics, so the planner knows the tables are big now.
  await sql`analyze`.execute(db);
}

/** Raises each pool by the seats the batch takes, so the triggers' check (assigned <= purchased) holds. */
async function buySeats(trx: Kysely<Database>, people: NewPerson[]): Promise<void> {
  const needed = new Map<string, { officeId: number; type: string; n: number }>();
  const add = (officeId: number, type: string) => {
    const key = `${officeId}/${type}`;
    const entry = needed.get(key) ?? { officeId, type, n: 0 };
    entry.n++;
    needed.set(key, entry);
  };
  for (const p of people) {
    add(p.officeId, p.license);
    if (p.meetings) add(p.officeId, "meetings");
  }
  const rows = [...needed.values()];
  await sql`
    update license_pools p set purchased = p.purchased + v.n
      from unnest(${rows.map((r) => r.officeId)}::int[], ${rows.map((r) => r.type)}::text[], ${rows.map((r) => r.n)}::int[])
        as v(office_id, license_type, n)
     where p.office_id = v.office_id and p.license_type = v.license_type`.execute(trx);
}

function insertUsers(trx: Kysely<Database>, companyId: number, people: NewPerson[]) {
  const column = <K extends keyof NewPerson>(key: K) => people.map((p) => p[key]);
  return trx
    .insertInto("users")
    .columns([
      "company_id",
      "office_id",
      "timezone",
      "first_name",
      "last_name",
      "email",
      "status",
      "license_type",
      "has_meetings_seat",
      "job_title",
      "created_at",
      "first_signed_in_at",
    ])
    .expression(
      sql`select ${companyId}::int, u.* from unnest(
        ${column("officeId")}::int[], ${column("timezone")}::text[], ${column("first")}::text[],
        ${column("last")}::text[], ${column("email")}::text[], ${column("status")}::text[],
        ${column("license")}::text[], ${column("meetings")}::bool[], ${column("title")}::text[],
        ${column("createdAt")}::timestamptz[], ${column("firstSignedInAt")}::timestamptz[]) as u`,
    )
    .returning(["id", "office_id", "license_type"])
    .execute();
}

/** Primary local numbers (included in Connect), recorded as provisioned in the provider's inventory too. */
async function insertNumbers(
  trx: Kysely<Database>,
  companyId: number,
  numbers: { userId: number; officeId: number; country: string; areaCode: string; e164: string }[],
): Promise<void> {
  if (numbers.length === 0) return;
  const e164 = numbers.map((n) => n.e164);
  const country = numbers.map((n) => n.country);
  await trx
    .insertInto("phone_numbers")
    .columns([
      "company_id",
      "office_id",
      "e164",
      "country",
      "kind",
      "state",
      "assigned_user_id",
      "is_primary",
    ])
    .expression(
      sql`select ${companyId}::int, n.office_id, n.e164, n.country, 'local', 'assigned', n.user_id, true
            from unnest(${numbers.map((n) => n.officeId)}::int[], ${e164}::text[], ${country}::text[],
                        ${numbers.map((n) => n.userId)}::int[]) as n(office_id, e164, country, user_id)`,
    )
    .execute();
  await trx
    .insertInto("provider_numbers")
    .columns(["e164", "country", "area_code", "kind", "provisioned_to_company_id", "provisioned_at"])
    .expression(
      sql`select n.e164, n.country, n.area_code, 'local', ${companyId}::int, now()
            from unnest(${e164}::text[], ${country}::text[], ${numbers.map((n) => n.areaCode)}::text[])
              as n(e164, country, area_code)`,
    )
    .execute();
}

function weightedPicker<T>(options: { value: T; weight: number }[], random: () => number): () => T {
  const total = options.reduce((sum, o) => sum + o.weight, 0);
  return () => {
    let r = random() * total;
    for (const o of options) {
      r -= o.weight;
      if (r < 0) return o.value;
    }
    return options[options.length - 1].value;
  };
}

/** A small seeded generator: the same database state gives the same names, offices and licenses. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
