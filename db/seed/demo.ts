/**
 * The demo data a newcomer signs in to: Acme (higher-tier plan, five offices
 * at three price levels) and Globex (standard plan, one office), with enough
 * variety to try every workflow of the domain rules: pending users,
 * all license types, groups, add-on numbers, a Reserved Pool, and four
 * recently deleted users on either side of the 72-hour limit (one of them a
 * Company Admin).
 *
 * Every sign-in uses the password "switchboard-demo":
 * - ada@acme.test     Company Admin of Acme
 * - oscar@acme.test   Office Admin of San Francisco, with proxy access
 * - olive@acme.test   Office Admin of New York, without proxy access
 * - carlos@acme.test  Office Admin of Austin and London
 * - uma@acme.test     a regular user in San Francisco
 * - gina@globex.test  Company Admin of Globex
 *
 * The people, groups and numbers are written out below rather than generated,
 * so a test or a walkthrough can name them. Everything derived from them
 * (license pools, the number provider's inventory) is computed, so editing
 * the roster keeps the seed consistent.
 */
import type { Insertable, Kysely } from "kysely";
import { demoPasswordCost, hashPassword } from "../../app/auth/password.server.ts";
import type {
  AddonLicenseType,
  Database,
  LicenseType,
  NumberKind,
  PhoneNumbersTable,
  Plan,
  ProviderNumbersTable,
  UserLicenseType,
} from "../schema.ts";

export const DEMO_PASSWORD = "switchboard-demo";

/**
 * Where numbers come from, per area code. The demo draws its numbers one
 * after another from `demoFirst`: 555-01xx in North America and 020 7946 0xxx
 * in London are the ranges set aside for fiction, so no demo number rings a
 * real phone (the scale seed, which needs far more, uses other blocks).
 */
export const NUMBER_PLANS = {
  "415": { country: "US", prefix: "+1415", demoFirst: 5550100, kind: "local" },
  "212": { country: "US", prefix: "+1212", demoFirst: 5550100, kind: "local" },
  "512": { country: "US", prefix: "+1512", demoFirst: 5550100, kind: "local" },
  "217": { country: "US", prefix: "+1217", demoFirst: 5550100, kind: "local" },
  "416": { country: "CA", prefix: "+1416", demoFirst: 5550100, kind: "local" },
  "20": { country: "GB", prefix: "+4420", demoFirst: 79460100, kind: "local" },
  "833": { country: "US", prefix: "+1833", demoFirst: 5550100, kind: "toll_free" },
  "844": { country: "US", prefix: "+1844", demoFirst: 5550100, kind: "toll_free" },
} as const satisfies Record<string, { country: string; prefix: string; demoFirst: number; kind: NumberKind }>;

export type AreaCode = keyof typeof NUMBER_PLANS;

interface OfficeSpec {
  name: string;
  country: string;
  timezone: string;
  priceLevel: string;
  areaCode: AreaCode;
  departments: string[];
  callCenters: string[];
  /** Unassigned seats beyond SPARE_SEATS: room for more number changes in the demo. */
  extraSeats?: Partial<Record<LicenseType, number>>;
  /** A toll-free number on the office's main line. */
  tollFree?: AreaCode;
}

export const ACME = "Acme";

export const ACME_OFFICES: OfficeSpec[] = [
  {
    name: "San Francisco",
    country: "US",
    timezone: "America/Los_Angeles",
    priceLevel: "USD-1",
    areaCode: "415",
    departments: ["Sales", "Engineering"],
    callCenters: ["Support Desk"],
    tollFree: "833",
  },
  {
    name: "New York",
    country: "US",
    timezone: "America/New_York",
    priceLevel: "USD-1",
    areaCode: "212",
    departments: ["Sales", "Marketing"],
    callCenters: ["Customer Care"],
  },
  {
    name: "Toronto",
    country: "CA",
    timezone: "America/Toronto",
    priceLevel: "USD-1",
    areaCode: "416",
    extraSeats: { local_number: 3 },
    departments: ["Engineering"],
    callCenters: ["Support Desk"],
  },
  {
    name: "Austin",
    country: "US",
    timezone: "America/Chicago",
    priceLevel: "USD-2",
    areaCode: "512",
    departments: ["Sales"],
    callCenters: ["Renewals Desk"],
  },
  {
    name: "London",
    country: "GB",
    timezone: "Europe/London",
    priceLevel: "GBP-1",
    areaCode: "20",
    departments: ["Sales"],
    callCenters: ["Support Desk"],
  },
];

const GLOBEX_OFFICES: OfficeSpec[] = [
  {
    name: "Springfield",
    country: "US",
    timezone: "America/Chicago",
    priceLevel: "USD-1",
    areaCode: "217",
    departments: ["Operations"],
    callCenters: ["Help Desk"],
  },
];

interface Person {
  first: string;
  last: string;
  office: string;
  license: UserLicenseType;
  title: string;
  /** Invited, never signed in. */
  pending?: true;
  /** Departments and call centers of their office. */
  groups?: string[];
  meetings?: true;
  /** Sell or Support only: a primary local number, which holds a Local number add-on. */
  addonNumber?: true;
  /** A fax number, which holds a Fax line add-on. */
  fax?: true;
  companyAdmin?: true;
  proxyAccess?: true;
  officeAdminOf?: string[];
  /** Deleted this long before `now`, by the company's first Company Admin. */
  deletedHoursAgo?: number;
}

const SF = "San Francisco";
const NY = "New York";
const TOR = "Toronto";
const AUS = "Austin";
const LON = "London";

// prettier-ignore
const ACME_PEOPLE: Person[] = [
  { first: "Ada", last: "Lovelace", office: SF, license: "connect", title: "VP of Engineering", groups: ["Engineering"], meetings: true, companyAdmin: true },
  { first: "Oscar", last: "Martínez", office: SF, license: "connect", title: "Office Manager", officeAdminOf: [SF], proxyAccess: true },
  { first: "Uma", last: "Patel", office: SF, license: "connect", title: "Account Executive", groups: ["Sales"] },
  { first: "Marcus", last: "Chen", office: SF, license: "connect", title: "Software Engineer", groups: ["Engineering"] },
  { first: "Priya", last: "Raman", office: SF, license: "connect", title: "Engineering Manager", groups: ["Engineering"], meetings: true },
  { first: "Diego", last: "Alvarez", office: SF, license: "sell", title: "Sales Development Representative", groups: ["Sales", "Support Desk"], addonNumber: true },
  { first: "Hannah", last: "Schmidt", office: SF, license: "sell", title: "Account Executive", groups: ["Sales"] },
  { first: "Kwame", last: "Mensah", office: SF, license: "support", title: "Support Specialist", groups: ["Support Desk"], addonNumber: true },
  { first: "Lucía", last: "Fernández", office: SF, license: "support", title: "Support Specialist", groups: ["Support Desk"] },
  { first: "Tom", last: "Becker", office: SF, license: "support", title: "Support Team Lead", groups: ["Support Desk"], addonNumber: true },
  { first: "Mei", last: "Tanaka", office: SF, license: "connect", title: "Product Designer" },
  { first: "Noah", last: "Goldberg", office: SF, license: "connect", title: "Solutions Engineer", groups: ["Sales"], fax: true },
  { first: "Fatima", last: "Al-Sayed", office: SF, license: "connect", title: "Finance Manager", fax: true },
  { first: "Jasper", last: "Quinn", office: SF, license: "connect", title: "Software Engineer", groups: ["Engineering"], pending: true },
  { first: "Rosa", last: "Delgado", office: SF, license: "sell", title: "Account Executive", pending: true },
  { first: "Ben", last: "Okafor", office: SF, license: "connect", title: "IT Administrator", meetings: true },
  { first: "Sienna", last: "Walsh", office: SF, license: "connect", title: "Marketing Coordinator", groups: ["Sales"], deletedHoursAgo: 2 },
  { first: "Victor", last: "Huang", office: SF, license: "sell", title: "Account Executive", groups: ["Sales"], addonNumber: true, deletedHoursAgo: 80 },

  { first: "Olive", last: "Bennett", office: NY, license: "connect", title: "Office Manager", officeAdminOf: [NY] },
  { first: "Ethan", last: "Brooks", office: NY, license: "connect", title: "Regional Sales Director", groups: ["Sales"], meetings: true },
  { first: "Aisha", last: "Khan", office: NY, license: "sell", title: "Account Executive", groups: ["Sales", "Customer Care"], addonNumber: true },
  { first: "Gabriel", last: "Rossi", office: NY, license: "sell", title: "Account Executive", groups: ["Sales"] },
  { first: "Nadia", last: "Petrova", office: NY, license: "support", title: "Customer Care Agent", groups: ["Customer Care"] },
  { first: "Samuel", last: "Adeyemi", office: NY, license: "support", title: "Customer Care Agent", groups: ["Customer Care"], addonNumber: true },
  { first: "Chloe", last: "Dubois", office: NY, license: "connect", title: "Marketing Manager", groups: ["Marketing"] },
  { first: "Isaac", last: "Levi", office: NY, license: "connect", title: "Content Strategist", groups: ["Marketing"] },
  { first: "Maya", last: "Johnson", office: NY, license: "connect", title: "Marketing Analyst", groups: ["Marketing"], pending: true },
  { first: "Liam", last: "O'Connor", office: NY, license: "connect", title: "Legal Counsel", fax: true },
  { first: "Zoë", last: "Kowalski", office: NY, license: "support", title: "Customer Care Agent", groups: ["Customer Care"], pending: true },
  { first: "Ruth", last: "Abebe", office: NY, license: "connect", title: "Executive Assistant" },
  { first: "Daniel", last: "Kim", office: NY, license: "connect", title: "Account Manager", groups: ["Sales"], deletedHoursAgo: 70 },

  { first: "Camille", last: "Tremblay", office: TOR, license: "connect", title: "Engineering Manager", groups: ["Engineering"], meetings: true },
  { first: "Arjun", last: "Singh", office: TOR, license: "connect", title: "Software Engineer", groups: ["Engineering"] },
  { first: "Emily", last: "Wong", office: TOR, license: "connect", title: "QA Engineer", groups: ["Engineering"] },
  { first: "Yuki", last: "Sato", office: TOR, license: "connect", title: "Data Scientist", groups: ["Engineering"] },
  { first: "Mathieu", last: "Gagnon", office: TOR, license: "support", title: "Support Specialist", groups: ["Support Desk"], addonNumber: true },
  { first: "Sofia", last: "Costa", office: TOR, license: "support", title: "Support Specialist", groups: ["Support Desk"] },
  { first: "Owen", last: "MacDonald", office: TOR, license: "sell", title: "Sales Engineer", groups: ["Engineering", "Support Desk"] },
  { first: "Leila", last: "Haddad", office: TOR, license: "connect", title: "Software Engineer", pending: true },
  { first: "Ryan", last: "Murphy", office: TOR, license: "connect", title: "Office Coordinator" },

  { first: "Carlos", last: "Ramírez", office: AUS, license: "connect", title: "Sales Manager", groups: ["Sales"], meetings: true, officeAdminOf: [AUS, LON] },
  { first: "Brittany", last: "Cole", office: AUS, license: "sell", title: "Account Executive", groups: ["Sales", "Renewals Desk"], addonNumber: true },
  { first: "Jamal", last: "Washington", office: AUS, license: "sell", title: "Renewals Specialist", groups: ["Renewals Desk"] },
  { first: "Tyler", last: "Nguyen", office: AUS, license: "support", title: "Renewals Support Agent", groups: ["Renewals Desk"] },
  { first: "Hector", last: "Morales", office: AUS, license: "support", title: "Support Specialist", groups: ["Renewals Desk"], addonNumber: true },
  { first: "Amanda", last: "Foster", office: AUS, license: "connect", title: "Customer Success Manager", groups: ["Sales"] },
  { first: "Kevin", last: "Park", office: AUS, license: "connect", title: "Solutions Architect" },
  { first: "Grace", last: "Liu", office: AUS, license: "sell", title: "Account Executive", groups: ["Sales"], pending: true },
  { first: "Jessica", last: "Reed", office: AUS, license: "connect", title: "Office Manager" },
  { first: "Dmitri", last: "Volkov", office: AUS, license: "connect", title: "Sales Operations Analyst", groups: ["Sales"] },

  { first: "Charlotte", last: "Hughes", office: LON, license: "connect", title: "UK Country Manager", groups: ["Sales"], meetings: true },
  { first: "Harry", last: "Evans", office: LON, license: "connect", title: "Account Director", groups: ["Sales"] },
  { first: "Amelia", last: "Clarke", office: LON, license: "sell", title: "Account Executive", groups: ["Sales"], addonNumber: true },
  { first: "Rhys", last: "Morgan", office: LON, license: "sell", title: "Business Development Representative", groups: ["Sales", "Support Desk"] },
  { first: "Siobhán", last: "Byrne", office: LON, license: "support", title: "Support Specialist", groups: ["Support Desk"], addonNumber: true },
  { first: "Imran", last: "Hussain", office: LON, license: "support", title: "Support Specialist", groups: ["Support Desk"] },
  { first: "Freya", last: "Lindqvist", office: LON, license: "connect", title: "Marketing Lead" },
  { first: "George", last: "Adeleke", office: LON, license: "connect", title: "Office Coordinator" },
  { first: "Anika", last: "Müller", office: LON, license: "connect", title: "Solutions Engineer", groups: ["Sales"] },
  { first: "Poppy", last: "Turner", office: LON, license: "support", title: "Support Specialist", groups: ["Support Desk"], pending: true },

  // A second Company Admin, deleted by Ada: an Office Admin of San Francisco sees her among Deleted Users but may neither restore nor permanently delete her.
  // Last, and a Sell user without a number, so that no other person's id or number changes.
  { first: "Hedy", last: "Lamarr", office: SF, license: "sell", title: "Chief Technology Officer", groups: ["Engineering"], companyAdmin: true, deletedHoursAgo: 5 },
];

// prettier-ignore
const GLOBEX_PEOPLE: Person[] = [
  { first: "Gina", last: "Russo", office: "Springfield", license: "connect", title: "Operations Director", groups: ["Operations"], companyAdmin: true },
  { first: "Walter", last: "Price", office: "Springfield", license: "connect", title: "Plant Manager", groups: ["Operations"], meetings: true },
  { first: "Denise", last: "Howard", office: "Springfield", license: "sell", title: "Account Executive", groups: ["Help Desk"], addonNumber: true },
  { first: "Marco", last: "Bianchi", office: "Springfield", license: "support", title: "Help Desk Agent", groups: ["Help Desk"] },
  { first: "Tanya", last: "Brooks", office: "Springfield", license: "connect", title: "Safety Inspector", pending: true },
  { first: "Homer", last: "Simmons", office: "Springfield", license: "connect", title: "Safety Technician", groups: ["Operations"] },
  { first: "Lenore", last: "Carlson", office: "Springfield", license: "connect", title: "Quality Engineer", groups: ["Operations"] },
  { first: "Carl", last: "Lund", office: "Springfield", license: "connect", title: "Shift Supervisor" },
  { first: "Edna", last: "Kowal", office: "Springfield", license: "support", title: "Help Desk Agent", groups: ["Help Desk"] },
  { first: "Patrice", last: "Okoye", office: "Springfield", license: "connect", title: "Logistics Coordinator" },
];

/** Numbers in the Reserved Pool whose holders left long ago (no restore possible). */
interface FormerHolder {
  name: string;
  office: string;
  daysAgo: number;
}

const ACME_FORMER_HOLDERS: FormerHolder[] = [
  { name: "Patrick Doyle", office: SF, daysAgo: 3 },
  { name: "Wendy Li", office: SF, daysAgo: 18 },
  { name: "Frank Ortiz", office: SF, daysAgo: 95 },
  { name: "Helen Park", office: NY, daysAgo: 6 },
  { name: "Raj Malhotra", office: NY, daysAgo: 41 },
  { name: "Megan Ellis", office: NY, daysAgo: 150 },
  { name: "Claire Fontaine", office: TOR, daysAgo: 12 },
  { name: "Joel Martin", office: TOR, daysAgo: 64 },
  { name: "Nina Shah", office: AUS, daysAgo: 9 },
  { name: "Stuart Bell", office: AUS, daysAgo: 210 },
  { name: "Tara Nolan", office: LON, daysAgo: 27 },
  { name: "Omar Farouk", office: LON, daysAgo: 80 },
];

interface CompanySpec {
  name: string;
  plan: Plan;
  emailDomain: string;
  offices: OfficeSpec[];
  people: Person[];
  formerHolders: FormerHolder[];
}

const COMPANIES: CompanySpec[] = [
  {
    name: ACME,
    plan: "advanced",
    emailDomain: "acme.test",
    offices: ACME_OFFICES,
    people: ACME_PEOPLE,
    formerHolders: ACME_FORMER_HOLDERS,
  },
  {
    name: "Globex",
    plan: "standard",
    emailDomain: "globex.test",
    offices: GLOBEX_OFFICES,
    people: GLOBEX_PEOPLE,
    formerHolders: [],
  },
];

const LICENSE_TYPES: LicenseType[] = [
  "connect",
  "sell",
  "support",
  "meetings",
  "local_number",
  "toll_free_number",
  "fax_line",
];

/** Seats bought beyond those in use, per office, so every type has some to assign or transfer. */
const SPARE_SEATS: Record<LicenseType, number> = {
  connect: 4,
  sell: 2,
  support: 2,
  meetings: 2,
  local_number: 3,
  toll_free_number: 1,
  fax_line: 1,
};

const GROUP_ELIGIBILITY = {
  department: ["connect", "sell"],
  call_center: ["sell", "support"],
} as const satisfies Record<string, readonly UserLicenseType[]>;

/** Free numbers the provider holds per area code, for adding users and moving offices. */
const PROVIDER_FREE = { local: 50, fax: 3, toll_free: 6 } as const;

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const HOLD = 72 * HOUR;

export async function seedDemo(db: Kysely<Database>, now: Date): Promise<void> {
  // One hash for every demo account: scrypt is deliberately slow (cheaper in test runs: see demoPasswordCost).
  const passwordHash = await hashPassword(DEMO_PASSWORD, demoPasswordCost());
  const seed = async (trx: Kysely<Database>) => {
    const numbers = new NumberBook();
    for (const company of COMPANIES) await seedCompany(trx, company, numbers, now, passwordHash);
    await trx.insertInto("provider_numbers").values(numbers.freeInventory()).execute();
  };
  // A caller may already hold a transaction (seedDemoIfEmpty locks in it).
  if (db.isTransaction) await seed(db);
  else await db.transaction().execute(seed);
}

/** Hands out demo numbers one after another per area code, so none is given out twice. */
class NumberBook {
  private taken = new Map<AreaCode, number>();

  take(areaCode: AreaCode): string {
    const plan = NUMBER_PLANS[areaCode];
    const k = this.taken.get(areaCode) ?? 0;
    this.taken.set(areaCode, k + 1);
    return plan.prefix + String(plan.demoFirst + k);
  }

  /** The provider's unprovisioned stock, drawn after the numbers the companies hold. */
  freeInventory(): Insertable<ProviderNumbersTable>[] {
    const rows: Insertable<ProviderNumbersTable>[] = [];
    for (const [areaCode, plan] of Object.entries(NUMBER_PLANS) as [
      AreaCode,
      (typeof NUMBER_PLANS)[AreaCode],
    ][]) {
      const kinds: NumberKind[] = plan.kind === "toll_free" ? ["toll_free"] : ["local", "fax"];
      for (const kind of kinds) {
        for (let i = 0; i < PROVIDER_FREE[kind]; i++) {
          rows.push({ e164: this.take(areaCode), country: plan.country, area_code: areaCode, kind });
        }
      }
    }
    return rows;
  }
}

/** A number the seed gives out, before the ids of its holder are known. */
interface PlannedNumber {
  e164: string;
  areaCode: AreaCode;
  office: string;
  kind: NumberKind;
  addon: AddonLicenseType | null;
  holder: { person: Person; primary: boolean } | { mainLine: true } | { former: FormerHolder };
}

async function seedCompany(
  trx: Kysely<Database>,
  company: CompanySpec,
  book: NumberBook,
  now: Date,
  passwordHash: string,
): Promise<void> {
  const ago = (ms: number) => new Date(now.getTime() - ms);
  const since = ago(3 * 365 * DAY);
  const officeSpec = new Map(company.offices.map((o) => [o.name, o]));
  const live = company.people.filter((p) => p.deletedHoursAgo === undefined);
  const deleted = company.people.filter((p) => p.deletedHoursAgo !== undefined);
  checkGroups(company);

  const plannedNumbers = planNumbers(company, book);

  const { id: companyId } = await trx
    .insertInto("companies")
    .values({ name: company.name, plan: company.plan, created_at: since })
    .returning("id")
    .executeTakeFirstOrThrow();

  const officeRows = await trx
    .insertInto("offices")
    .values(
      company.offices.map((o) => ({
        company_id: companyId,
        name: o.name,
        country: o.country,
        timezone: o.timezone,
        price_level: o.priceLevel,
        created_at: since,
      })),
    )
    .returning(["id", "name"])
    .execute();
  const officeId = new Map(officeRows.map((o) => [o.name, o.id]));

  // Pools go in before anything that assigns seats: the triggers count each
  // user and add-on number into them and refuse to go past `purchased`.
  const inUse = countSeats(live, plannedNumbers);
  await trx
    .insertInto("license_pools")
    .values(
      company.offices.flatMap((o) =>
        LICENSE_TYPES.map((type) => ({
          office_id: officeId.get(o.name)!,
          license_type: type,
          purchased: (inUse.get(`${o.name}/${type}`) ?? 0) + SPARE_SEATS[type] + (o.extraSeats?.[type] ?? 0),
        })),
      ),
    )
    .execute();

  const emailOf = (p: Person) => `${asciiLower(p.first)}@${company.emailDomain}`;
  const extensionBase = new Map(company.offices.map((o, i) => [o.name, 100 * (i + 1)]));
  const userRow = (p: Person) => {
    const index = company.people.indexOf(p);
    const officeIndex = company.people.filter((q) => q.office === p.office).indexOf(p);
    const deletedAt = p.deletedHoursAgo === undefined ? null : ago(p.deletedHoursAgo * HOUR);
    // Spread sign-up dates over the company's life; invitations are recent.
    const createdAt = p.pending ? ago((1 + (index % 9)) * DAY) : ago((30 + ((index * 53) % 900)) * DAY);
    return {
      company_id: companyId,
      office_id: officeId.get(p.office)!,
      first_name: p.first,
      last_name: p.last,
      email: emailOf(p),
      status: deletedAt ? ("deleted" as const) : p.pending ? ("pending" as const) : ("active" as const),
      license_type: p.license,
      has_meetings_seat: p.meetings ?? false,
      extension: String(extensionBase.get(p.office)! + officeIndex + 1),
      job_title: p.title,
      timezone: officeSpec.get(p.office)!.timezone,
      is_company_admin: p.companyAdmin ?? false,
      has_proxy_access: p.proxyAccess ?? false,
      password_hash: p.pending ? null : passwordHash,
      created_at: createdAt,
      first_signed_in_at: p.pending ? null : new Date(createdAt.getTime() + DAY),
      deleted_at: deletedAt,
    };
  };

  const liveRows = await trx
    .insertInto("users")
    .values(live.map(userRow))
    .returning(["id", "email"])
    .execute();
  const userId = new Map(liveRows.map((u) => [u.email!, u.id]));
  const deletedBy = userId.get(emailOf(company.people.find((p) => p.companyAdmin)!))!;
  if (deleted.length > 0) {
    const deletedRows = await trx
      .insertInto("users")
      .values(deleted.map((p) => ({ ...userRow(p), deleted_by_user_id: deletedBy })))
      .returning(["id", "email"])
      .execute();
    for (const u of deletedRows) userId.set(u.email!, u.id);
  }
  const idOf = (p: Person) => userId.get(emailOf(p))!;

  const officeAdmins = company.people.flatMap((p) =>
    (p.officeAdminOf ?? []).map((office) => ({
      user_id: idOf(p),
      office_id: officeId.get(office)!,
      granted_at: since,
    })),
  );
  if (officeAdmins.length > 0) await trx.insertInto("office_admins").values(officeAdmins).execute();

  const groupRows = await trx
    .insertInto("groups")
    .values(
      company.offices.flatMap((o) =>
        [
          { kind: "main_line" as const, name: mainLineName(o) },
          ...o.departments.map((name) => ({ kind: "department" as const, name })),
          ...o.callCenters.map((name) => ({ kind: "call_center" as const, name })),
        ].map((g) => ({ ...g, company_id: companyId, office_id: officeId.get(o.name)!, created_at: since })),
      ),
    )
    .returning(["id", "office_id", "name"])
    .execute();
  const groupId = (office: string, name: string) =>
    groupRows.find((g) => g.office_id === officeId.get(office) && g.name === name)!.id;

  // Deleted users keep their memberships: a restore gives them back.
  const members = company.people.flatMap((p) =>
    (p.groups ?? []).map((g) => ({ group_id: groupId(p.office, g), user_id: idOf(p), added_at: since })),
  );
  if (members.length > 0) await trx.insertInto("group_members").values(members).execute();

  const phoneRow = (n: PlannedNumber): Insertable<PhoneNumbersTable> => {
    const base = {
      company_id: companyId,
      office_id: officeId.get(n.office)!,
      e164: n.e164,
      country: NUMBER_PLANS[n.areaCode].country,
      kind: n.kind,
      addon_license_type: n.addon,
      created_at: since,
    };
    if ("mainLine" in n.holder) {
      return {
        ...base,
        state: "assigned",
        assigned_group_id: groupId(n.office, mainLineName(officeSpec.get(n.office)!)),
      };
    }
    if ("former" in n.holder) {
      return {
        ...base,
        state: "reserved",
        last_holder_name: n.holder.former.name,
        last_office_id: base.office_id,
        unassigned_at: ago(n.holder.former.daysAgo * DAY),
      };
    }
    const { person, primary } = n.holder;
    if (person.deletedHoursAgo === undefined) {
      return { ...base, state: "assigned", assigned_user_id: idOf(person), is_primary: primary };
    }
    // On hold for a restore: in the Reserved Pool, but kept for its former user.
    const deletedAt = ago(person.deletedHoursAgo * HOUR);
    return {
      ...base,
      state: "reserved",
      last_holder_user_id: idOf(person),
      last_holder_name: `${person.first} ${person.last}`,
      last_office_id: base.office_id,
      unassigned_at: deletedAt,
      held_for_user_id: idOf(person),
      held_until: new Date(deletedAt.getTime() + HOLD),
    };
  };
  await trx.insertInto("phone_numbers").values(plannedNumbers.map(phoneRow)).execute();

  await trx
    .insertInto("provider_numbers")
    .values(
      plannedNumbers.map((n) => ({
        e164: n.e164,
        country: NUMBER_PLANS[n.areaCode].country,
        area_code: n.areaCode,
        kind: n.kind,
        provisioned_to_company_id: companyId,
        provisioned_at: since,
      })),
    )
    .execute();
}

function planNumbers(company: CompanySpec, book: NumberBook): PlannedNumber[] {
  const officeSpec = new Map(company.offices.map((o) => [o.name, o]));
  const planned: PlannedNumber[] = [];
  const give = (
    office: string,
    kind: NumberKind,
    addon: AddonLicenseType | null,
    holder: PlannedNumber["holder"],
    areaCode: AreaCode = officeSpec.get(office)!.areaCode,
  ) => {
    planned.push({ e164: book.take(areaCode), areaCode, office, kind, addon, holder });
  };
  for (const o of company.offices) {
    give(o.name, "local", null, { mainLine: true });
    if (o.tollFree) give(o.name, "toll_free", "toll_free_number", { mainLine: true }, o.tollFree);
  }
  for (const person of company.people) {
    // A deleted user's numbers sit in the pool, where they hold no add-on.
    const inPool = person.deletedHoursAgo !== undefined;
    if (person.license === "connect") give(person.office, "local", null, { person, primary: true });
    else if (person.addonNumber)
      give(person.office, "local", inPool ? null : "local_number", { person, primary: true });
    if (person.fax) give(person.office, "fax", inPool ? null : "fax_line", { person, primary: false });
  }
  for (const former of company.formerHolders) give(former.office, "local", null, { former });
  return planned;
}

/** Seats in use per "office/type": each pending or active user, their Meetings seat, each add-on number. */
function countSeats(live: Person[], numbers: PlannedNumber[]): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (office: string, type: LicenseType) =>
    counts.set(`${office}/${type}`, (counts.get(`${office}/${type}`) ?? 0) + 1);
  for (const p of live) {
    add(p.office, p.license);
    if (p.meetings) add(p.office, "meetings");
  }
  for (const n of numbers) if (n.addon) add(n.office, n.addon);
  return counts;
}

/** A roster edit that breaks a rule should fail here, not leave data the app would refuse. */
function checkGroups(company: CompanySpec): void {
  for (const p of company.people) {
    const office = company.offices.find((o) => o.name === p.office)!;
    for (const g of p.groups ?? []) {
      const kind = office.departments.includes(g)
        ? "department"
        : office.callCenters.includes(g)
          ? "call_center"
          : null;
      if (!kind) throw new Error(`${p.first} ${p.last}: no group "${g}" in ${p.office}`);
      if (!(GROUP_ELIGIBILITY[kind] as readonly string[]).includes(p.license)) {
        throw new Error(
          `${p.first} ${p.last}: a ${p.license} user cannot join the ${kind.replace("_", " ")} "${g}"`,
        );
      }
    }
  }
}

function mainLineName(office: OfficeSpec): string {
  return `${office.name} Main Line`;
}

/** "Lucía" → "lucia": seeded emails stay plain ASCII. */
export function asciiLower(name: string): string {
  return name
    .normalize("NFD")
    .replace(/[^A-Za-z]/g, "")
    .toLowerCase();
}
