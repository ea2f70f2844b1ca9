/**
 * Fills Acme's audit log with many made-up entries, to see how the audit log
 * page holds up (issue #17: 10,000,000 entries). The bench tops a kept
 * database up to the count asked (scripts/bench/database.ts).
 *
 * Set-based like the users' scale seed (scale.ts): a statement per BATCH
 * entries makes them from generate_series. The entries name Acme's real
 * people (as target, as the one who acted, as the one a proxying admin acted
 * for) and its provisioning tokens, with the target's office, so that every
 * filter of the page (who, token, target, action, dates, an Office Admin's
 * offices) selects a realistic share of them: most changes are made by a few
 * hundred admins, a tenth by the identity provider, a few by people
 * themselves, and the actions come in the proportions an admin console sees
 * (edits and settings often, transfers and admin access rarely).
 */
import { sql, type Kysely } from "kysely";
import type { Database } from "../schema.ts";
import type { AuditAction } from "../../app/audit/log-params.ts";
import { ACME } from "./demo.ts";
import { REBUILD_RATIO, withIndexesRebuilt } from "./scale.ts";

/** Entries per statement: a few seconds each, so the progress moves. */
const BATCH = 250_000;

/** The entries spread evenly over the last three years, oldest first (ids grow with time, as in a real log). */
const SPAN_DAYS = 1095;

/**
 * The people besides the demo's admins who made changes over the three years
 * (a company of a million has hundreds of admins); picked among Acme's users.
 */
const HELPDESK = 400;

/** Who made a change: an admin, the person themself (their own settings), the identity provider, or Switchboard. */
type Actor = "admin" | "self" | "token" | "system";

interface Kind {
  action: AuditAction;
  /** Entries of this action per 1,000. */
  weight: number;
  actor: Actor;
  /** A user, or their primary number. */
  target: "user" | "phone_number";
  before: object | null;
  after: object | null;
}

// prettier-ignore
const KINDS: Kind[] = [
  { action: "user.edited", weight: 200, actor: "admin", target: "user", before: { job_title: "Designer" }, after: { job_title: "Product Manager" } },
  { action: "user.settings_updated", weight: 150, actor: "self", target: "user", before: { do_not_disturb: false }, after: { do_not_disturb: true } },
  { action: "user.added", weight: 100, actor: "admin", target: "user", before: null, after: { status: "pending", license_type: "connect", office: "San Francisco" } },
  { action: "user.activated", weight: 90, actor: "self", target: "user", before: { status: "pending" }, after: { status: "active" } },
  { action: "user.license_changed", weight: 50, actor: "admin", target: "user", before: { license_type: "connect" }, after: { license_type: "sell" } },
  { action: "user.suspended", weight: 40, actor: "token", target: "user", before: { status: "active" }, after: { status: "suspended" } },
  { action: "user.reactivated", weight: 30, actor: "token", target: "user", before: { status: "suspended" }, after: { status: "active" } },
  { action: "user.deleted", weight: 50, actor: "admin", target: "user", before: { status: "active" }, after: { status: "deleted" } },
  { action: "user.anonymized", weight: 40, actor: "system", target: "user", before: null, after: { reason: "expired" } },
  { action: "user.invite_resent", weight: 30, actor: "admin", target: "user", before: null, after: null },
  { action: "user.transferred", weight: 30, actor: "admin", target: "user", before: { office: "San Francisco" }, after: { office: "Austin" } },
  { action: "phone_number.reassigned", weight: 50, actor: "admin", target: "phone_number", before: { state: "reserved" }, after: { state: "assigned" } },
  { action: "phone_number.removed", weight: 40, actor: "admin", target: "phone_number", before: { state: "assigned" }, after: { state: "reserved" } },
  { action: "phone_number.made_primary", weight: 30, actor: "admin", target: "phone_number", before: { primary: false }, after: { primary: true } },
  { action: "user.proxy_access_granted", weight: 15, actor: "admin", target: "user", before: { has_proxy_access: false }, after: { has_proxy_access: true } },
  { action: "user.restored", weight: 10, actor: "admin", target: "user", before: { status: "deleted" }, after: { status: "active" } },
  { action: "user.admin_access_added", weight: 10, actor: "admin", target: "user", before: { office_admin: false }, after: { office_admin: true } },
  { action: "user.admin_access_removed", weight: 5, actor: "admin", target: "user", before: { office_admin: true }, after: { office_admin: false } },
  { action: "user.provisioning_identity_changed", weight: 30, actor: "token", target: "user", before: { email: "old@acme.test" }, after: { email: "new@acme.test" } },
];

/** The demo's admins of Acme, who made a share of the admins' changes (weights). */
const DEMO_ADMINS: Record<string, number> = {
  "ada@acme.test": 20,
  "hedy@acme.test": 10,
  "oscar@acme.test": 5,
  "olive@acme.test": 5,
  "carlos@acme.test": 5,
};
/** Of the admins' changes, the share made by the demo's admins (the rest: the helpdesk). */
const DEMO_SHARE = 0.3;
/** Of the changes people make to their own account, the share an admin made for them while proxying. */
const PROXIED = 0.1;

/** Acme's audit entries now (an index-only count of the company's index). */
export async function acmeAuditCount(db: Kysely<Database>): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from audit_log
     where company_id = (select id from companies where name = ${ACME})`.execute(db);
  return rows[0]!.n;
}

/**
 * Adds `count` entries to Acme's audit log, dated over the last three years.
 * Each row's action, people and address are hashes of its serial number
 * (hashint4extended, salted per column), so the same database gives the same
 * log. Indexes and foreign keys are set aside and built again at the end when
 * the entries added are many compared to those there, by the users' seed's
 * rule (REBUILD_RATIO): on this project's 2-core machine, 1,000,000 entries
 * into an empty log took 135 s with the ten indexes (a trigram one among them)
 * maintained, each batch slower than the one before, and 88 s rebuilt.
 */
export async function seedAuditLog(
  db: Kysely<Database>,
  count: number,
  onProgress: (done: number, total: number) => void,
): Promise<void> {
  const acme = await db.selectFrom("companies").select("id").where("name", "=", ACME).executeTakeFirst();
  if (!acme) throw new Error(`The audit log seed adds to the demo company ${ACME}: seed the demo first.`);
  const admins = await db
    .selectFrom("users")
    .select(["id", "email"])
    .where("company_id", "=", acme.id)
    .where("email", "in", Object.keys(DEMO_ADMINS))
    .orderBy("id")
    .execute();
  const adminSlots = admins.flatMap((a) => Array<number>(DEMO_ADMINS[a.email!]!).fill(a.id));
  const tokens = (
    await db.selectFrom("provisioning_tokens").select("id").where("company_id", "=", acme.id).execute()
  ).map((t) => t.id);
  const kindSlots = KINDS.flatMap((k, i) => Array<number>(k.weight).fill(i + 1));
  const existing = await acmeAuditCount(db);
  const now = new Date();

  const addBatch = (trx: Kysely<Database>, people: number, from: number, to: number) =>
    sql`
    with kind as (
      select * from unnest(${KINDS.map((k) => k.action)}::text[], ${KINDS.map((k) => k.actor)}::text[],
                           ${KINDS.map((k) => k.target)}::text[],
                           ${KINDS.map((k) => k.before && JSON.stringify(k.before))}::jsonb[],
                           ${KINDS.map((k) => k.after && JSON.stringify(k.after))}::jsonb[])
        with ordinality as k(action, actor, target_type, before, after, n)
    ), roll as (
      -- Whole numbers by abs(hash % n), fractions in [0, 1) from the hash's low 20 bits.
      select g as serial,
             (${kindSlots}::int[])[1 + abs(hashint4extended(g, 11) % ${kindSlots.length})] as kind_n,
             1 + abs(hashint4extended(g, 12) % ${people}::int) as target_k,
             (hashint4extended(g, 13) & 1048575) / 1048576.0 as who_roll,
             (${adminSlots}::int[])[1 + abs(hashint4extended(g, 14) % ${Math.max(adminSlots.length, 1)})]
               as demo_admin,
             1 + abs(hashint4extended(g, 15) % ${HELPDESK}) as helpdesk_n,
             (${tokens}::int[])[1 + abs(hashint4extended(g, 16) % ${Math.max(tokens.length, 1)})] as token,
             abs(hashint4extended(g, 17) % 254) + 1 as host
        from generate_series(${from}::int, ${to}::int) g
    ), entry as (
      select r.*, k.*, t.id as target_id, t.office_id, t.name, t.e164, t.number_id, h.id as helpdesk
        from roll r join kind k on k.n = r.kind_n join audit_people t on t.k = r.target_k
             -- the helpdesk: people spread evenly over Acme's users
             join audit_people h on h.k = 1 + r.helpdesk_n * ${people}::int / ${HELPDESK + 1}
    ), acted as (
      select e.*,
             case when e.actor = 'system' or (e.actor = 'token' and e.token is not null) then null
                  when e.actor = 'self' and e.who_roll >= ${PROXIED} then e.target_id
                  when e.who_roll < ${DEMO_SHARE} and e.demo_admin is not null then e.demo_admin
                  else e.helpdesk end as actor_user_id,
             case when e.actor = 'self' and e.who_roll < ${PROXIED} then e.target_id end as on_behalf_of_user_id,
             case when e.actor = 'token' then e.token end as actor_token_id
        from entry e
    )
    insert into audit_log (company_id, office_id, actor_user_id, on_behalf_of_user_id, action, target_type,
                           target_id, target_label, before, after, ip, created_at, actor_token_id)
    select ${acme.id}::int, office_id, actor_user_id, on_behalf_of_user_id, action,
           case when target_type = 'phone_number' and e164 is not null then 'phone_number' else 'user' end,
           case when target_type = 'phone_number' and e164 is not null then number_id else target_id end::text,
           case when target_type = 'phone_number' and e164 is not null then e164 else name end,
           before, after,
           -- the identity provider and Switchboard itself have no address; people one of a few networks'
           case when actor_user_id is not null then '198.51.' || (host % 4) || '.' || host end,
           ${now}::timestamptz - ${SPAN_DAYS} * interval '1 day' * (1 - (serial - ${existing}::int)::float8 / ${count}::int),
           actor_token_id
      from acted`.execute(trx);

  await db.transaction().execute(async (trx) => {
    // Acme's people, numbered, with their office and primary number: what a row's hash picks from.
    await sql`
      create temp table audit_people on commit drop as
      select row_number() over (order by u.id) as k, u.id, u.office_id,
             u.first_name || ' ' || u.last_name as name, n.e164, n.id as number_id
        from users u left join phone_numbers n on n.assigned_user_id = u.id and n.is_primary
       where u.company_id = ${acme.id} and u.status <> 'deleted'`.execute(trx);
    await sql`create unique index on audit_people (k)`.execute(trx);
    await sql`analyze audit_people`.execute(trx);
    const { people } = await trx
      .selectFrom(sql<{ k: number }>`audit_people`.as("p"))
      .select((eb) => eb.fn.countAll<number>().as("people"))
      .executeTakeFirstOrThrow();
    const fill = async () => {
      for (let done = 0; done < count;) {
        const size = Math.min(BATCH, count - done);
        await addBatch(trx, people, existing + done + 1, existing + done + size);
        done += size;
        onProgress(done, count);
      }
    };
    // The foreign keys stay: dropping them would lock users, offices and companies, and with them any
    // server on this database, for the whole fill, not the audit log alone.
    if (count * REBUILD_RATIO >= existing)
      await withIndexesRebuilt(trx, ["audit_log"], fill, { keepForeignKeys: true });
    else await fill();
  });
  await sql`analyze audit_log`.execute(db);
}
