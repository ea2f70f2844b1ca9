/**
 * The audit log page: who did what to which target, before and after, when
 * and from where, newest first, filtered and paged in SQL.
 *
 * Who reads what (the scope itself is auditInScope in auth/scopes.server.ts):
 * - A Company Admin reads every entry of their company.
 * - An Office Admin reads the entries *about* their offices: those whose
 *   office (the office of the target user, number or license pool at the time
 *   of the change; for a user transfer, the destination) is one they
 *   administer now. Not entries without an office (bulk action summaries,
 *   which list users across offices), and not entries they made about other
 *   offices. The people who acted are named: they acted on this office.
 * - Details that name another office are shown as "Another office" to an
 *   Office Admin, and a transfer from another office does not list that
 *   office's groups or the numbers that stayed in its Reserved Pool.
 * - An anonymized person appears as "Deleted user" and their pseudonym only,
 *   whether they acted, were acted for, or were the target.
 *
 * Pages are keyset pages on (created_at, id): a page walks an index from a
 * known entry and stops after 50, however long the log (see the migration
 * 2026-11-27T2100_audit_log_filters for the index behind each filter).
 */
import { sql, type Kysely } from "kysely";
import { jsonObjectFrom } from "kysely/helpers/postgres";
import type { Database } from "../../db/schema.ts";
import type { Actor } from "../auth/actor.server.ts";
import { auditInScope } from "../auth/scopes.server.ts";
import { likeContains, searchTextHolds } from "../users/list.server.ts";
import { DELETED_USER } from "../users/anonymize.server.ts";
import { formatNumber, searchDigits } from "../numbers/format.server.ts";
import { LICENSE_NAMES, STATUS_NAMES } from "../ui/format.ts";
import {
  AUDIT_ACTIONS,
  AUDIT_PAGE_SIZE,
  auditFilters,
  FILTER_KEYS,
  type AuditAction,
  type AuditFilters,
} from "./log-params.ts";
import { nameIn, readQuery } from "../input.ts";
import { provisioningActorName } from "../provisioning/tokens.server.ts";

/**
 * The filters from the URL. A bad field (a date that does not exist, an
 * unknown action, 10,000 characters) comes back as a message for that field
 * and is left out of the query; the other filters still apply.
 */
export function readAuditFilters(url: URL) {
  const { value, reply } = readQuery(url.searchParams, auditFilters);
  return { filters: value, reply };
}

/** A detail of an entry: its value before the change, after it, or both. */
export interface AuditChange {
  field: string;
  before: string | null;
  after: string | null;
}

export interface AuditRow {
  id: number;
  at: Date;
  actor: string;
  onBehalfOf: string | null;
  action: string;
  target: string;
  /** One line per detail that changed, in plain words. */
  changes: AuditChange[];
  ip: string | null;
}

/** More people than this matching "Who" are matched inside the query instead of walking each one's entries. */
const MAX_PEOPLE_IDS = 1000;

export async function listAudit(db: Kysely<Database>, actor: Actor, f: AuditFilters) {
  const companyId = actor.company.id;
  // A page is found on audit_log alone, by id, and only its 50 entries are
  // then joined to the names they show (entriesOf): planning and running the
  // seven-table join while the page is searched cost more than the search.
  let qb = db.selectFrom("audit_log as a").select(["a.id", "a.created_at"]).where(auditInScope(actor));

  /** The people "Who" names, when they are few enough to walk each one's entries (see `page`). */
  let people: number[] | undefined;
  if (f.who) {
    const named = db
      .selectFrom("users as u")
      .select("u.id")
      .where("u.company_id", "=", companyId)
      .where((eb) => {
        const terms = f.who!.toLowerCase().split(/\s+/).filter(Boolean);
        return eb.or([
          eb.and(terms.map(searchTextHolds)),
          eb(sql`lower(u.pseudonym)`, "=", f.who!.toLowerCase()),
        ]);
      });
    const matched = (await named.limit(MAX_PEOPLE_IDS + 1).execute()).map((r) => r.id);
    // Many ("a"): matched inside the query while the company's index is walked
    // newest first, soon meeting 51 of their entries: two index walks for each
    // of thousands of people would cost more.
    if (matched.length > MAX_PEOPLE_IDS)
      qb = qb.where((eb) =>
        eb.or([eb("a.actor_user_id", "in", named), eb("a.on_behalf_of_user_id", "in", named)]),
      );
    else people = matched;
  }
  // Another company's token matches nothing: the scope keeps to the actor's company.
  if (f.token) qb = qb.where("a.actor_token_id", "=", f.token);
  if (f.target) {
    // Numbers are recorded in E.164: "(415) 555-0100" finds them by their digits.
    const digits = searchDigits(f.target);
    qb = qb.where(sql`lower(a.target_label)`, "like", likeContains(digits ?? f.target.toLowerCase()));
  }
  if (f.action) qb = qb.where("a.action", "=", f.action);
  if (f.from) qb = qb.where("a.created_at", ">=", new Date(`${f.from}T00:00:00Z`));
  if (f.to)
    qb = qb.where("a.created_at", "<", new Date(new Date(`${f.to}T00:00:00Z`).getTime() + 86_400_000));

  const position = (id: number, op: "<" | ">") =>
    sql<boolean>`(a.created_at, a.id) ${sql.raw(op)} (select c.created_at, c.id from audit_log c where c.id = ${id} and c.company_id = ${companyId})`;
  /** The ids of the page and one more from the cursor on: newest first, or oldest first after `after`. */
  const page = async (cursor: { before?: number; after?: number }): Promise<number[]> => {
    let q = qb;
    if (cursor.before) q = q.where(position(cursor.before, "<"));
    if (cursor.after) q = q.where(position(cursor.after, ">"));
    const dir = cursor.after ? sql`asc` : sql`desc`;
    const inOrder = (walk: typeof q) =>
      walk
        .orderBy(sql`a.created_at ${dir}`)
        .orderBy(sql`a.id ${dir}`)
        .limit(AUDIT_PAGE_SIZE + 1);
    if (!people) return (await inOrder(q).execute()).map((r) => r.id);
    // No index gives "acted, or was acted for" in the page's order, so each
    // person's entries come from two walks that do: audit_log_company_actor_idx
    // and audit_log_company_on_behalf_idx, each stopped after 51. The second
    // leaves out what a person of the list did (the first walk of that person
    // has it), so an entry is listed once. At most 102 rows a person are sorted,
    // however many entries they have. (Kysely puts each walk in parentheses.)
    const actorWalk = inOrder(q.where(sql<boolean>`a.actor_user_id = p.id`));
    const onBehalfWalk = inOrder(
      q
        .where(sql<boolean>`a.on_behalf_of_user_id = p.id`)
        .where(sql<boolean>`(a.actor_user_id is null or a.actor_user_id <> all(${sql.val(people)}::int[]))`),
    );
    const walks = sql<{ id: number; created_at: Date }>`(${actorWalk} union all ${onBehalfWalk})`;
    const rows = await db
      .selectFrom(sql<{ id: number }>`unnest(${sql.val(people)}::int[])`.as<"p">(sql`p(id)`))
      .innerJoinLateral(walks.as("w"), (join) => join.onTrue())
      .select("w.id")
      .orderBy(sql`w.created_at ${dir}`)
      .orderBy(sql`w.id ${dir}`)
      .limit(AUDIT_PAGE_SIZE + 1)
      .execute();
    return rows.map((r) => r.id);
  };

  let ids: number[];
  let newer: boolean;
  let older: boolean;
  if (f.after) {
    // Previous page: the 50 entries just newer, read upwards. Fewer than a page
    // newer means this is the top of the log: show the newest page.
    ids = (await page({ after: f.after })).reverse();
    newer = ids.length > AUDIT_PAGE_SIZE;
    if (newer) {
      ids = ids.slice(1);
      older = true;
    } else {
      ids = await page({});
      older = ids.length > AUDIT_PAGE_SIZE;
      ids = ids.slice(0, AUDIT_PAGE_SIZE);
    }
  } else {
    ids = await page({ before: f.before });
    older = ids.length > AUDIT_PAGE_SIZE;
    ids = ids.slice(0, AUDIT_PAGE_SIZE);
    newer = f.before !== undefined && ids.length > 0;
  }
  const rows = await entriesOf(db, actor, ids);

  const offices = await officeNames(db, actor);
  const entries: AuditRow[] = rows.map((r) => ({
    id: r.id,
    at: r.created_at,
    actor:
      r.actor_token_name != null
        ? provisioningActorName(r.actor_token_name)
        : r.actor == null
          ? "Switchboard (automatic)"
          : personName(r.actor),
    onBehalfOf: r.behalf == null ? null : personName(r.behalf),
    // Every recorded action has a label (AuditAction); an entry of an action since retired shows its code.
    action: Object.hasOwn(AUDIT_ACTIONS, r.action) ? AUDIT_ACTIONS[r.action as AuditAction] : r.action,
    target: targetName(r),
    changes: describeChanges(r.action, r.before, r.after, offices),
    ip: r.ip,
  }));
  return {
    entries,
    newerCursor: newer && entries.length ? entries[0]!.id : null,
    olderCursor: older && entries.length ? entries.at(-1)!.id : null,
    filtered: FILTER_KEYS.some((k) => f[k] !== undefined),
  };
}

/**
 * The entries of these ids, newest first, with the people they name, read now
 * (an anonymized one by pseudonym). The ids were found in the admin's scope;
 * the scope is kept here too, as on every read of the log (scopes.server.ts).
 * Each name is a subquery, not a join: seven tables joined cost PostgreSQL
 * more to plan (the order of the joins) than to run on 50 rows.
 */
function entriesOf(db: Kysely<Database>, actor: Actor, ids: number[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom("audit_log as a")
    .select((eb) => {
      const person = (id: "a.actor_user_id" | "a.on_behalf_of_user_id") =>
        jsonObjectFrom(
          eb
            .selectFrom("users as u")
            .select(["u.first_name", "u.last_name", "u.pseudonym"])
            .whereRef("u.id", "=", id),
        );
      // target_id is text (a license pool's is "office:type"): cast only a user's or a proxy session's
      const anonymizedTarget = eb.fn.coalesce(
        eb
          .selectFrom("users as tu")
          .select("tu.pseudonym")
          .where(sql<boolean>`tu.id = case when a.target_type = 'user' then a.target_id::int end`)
          .where("tu.anonymized_at", "is not", null),
        eb
          .selectFrom("proxy_sessions as ps")
          .innerJoin("users as pu", "pu.id", "ps.user_id")
          .select("pu.pseudonym")
          .where(sql<boolean>`ps.id = case when a.target_type = 'proxy_session' then a.target_id::int end`)
          .where("pu.anonymized_at", "is not", null),
      );
      return [
        "a.id",
        "a.action",
        "a.target_type",
        "a.target_label",
        "a.before",
        "a.after",
        "a.ip",
        "a.created_at",
        person("a.actor_user_id").as("actor"),
        person("a.on_behalf_of_user_id").as("behalf"),
        eb
          .selectFrom("provisioning_tokens as pt")
          .select("pt.name")
          .whereRef("pt.id", "=", "a.actor_token_id")
          .as("actor_token_name"),
        anonymizedTarget.as("target_pseudonym"),
      ];
    })
    .where(auditInScope(actor))
    .where("a.id", "in", ids)
    .orderBy("a.created_at", "desc")
    .orderBy("a.id", "desc")
    .execute();
}

/** A person named by an entry: their name now, or once anonymized (no name left) "Deleted user" and their pseudonym. */
function personName(p: {
  first_name: string | null;
  last_name: string | null;
  pseudonym: string | null;
}): string {
  return p.first_name == null
    ? `${DELETED_USER} ${p.pseudonym ?? ""}`.trim()
    : `${p.first_name} ${p.last_name}`;
}

function targetName(r: {
  target_type: string;
  target_label: string | null;
  target_pseudonym: string | null;
}): string {
  if (r.target_pseudonym) return `${DELETED_USER} ${r.target_pseudonym}`;
  if (r.target_type === "phone_number") return formatNumber(r.target_label) ?? "A number";
  // A bulk action's summary has no label; Company Settings › Security's names its page.
  if (r.target_type === "company") return r.target_label ?? "Users of the company";
  return r.target_label ?? "—";
}

interface OfficeNames {
  /** The office's name, or "Another office" when this admin may not see it. */
  name(id: unknown): string;
  /** Whether this admin may see the office of this name. */
  visible(name: unknown): boolean;
}

async function officeNames(db: Kysely<Database>, actor: Actor): Promise<OfficeNames> {
  const rows = await db
    .selectFrom("offices")
    .select(["id", "name"])
    .where("company_id", "=", actor.company.id)
    .execute();
  const mine = (id: number) => actor.person.isCompanyAdmin || actor.adminOfficeIds.includes(id);
  const byId = new Map(rows.filter((o) => mine(o.id)).map((o) => [o.id, o.name]));
  const names = new Set(byId.values());
  return {
    name: (id) => byId.get(Number(id)) ?? "Another office",
    visible: (name) => names.has(String(name)),
  };
}

type Details = Record<string, unknown> | null;

/**
 * The details an entry records, as "field: before → after" lines. Only the
 * keys below are shown: ids, timestamps and the proxy message repeat what the
 * row says already, and a key added later stays out of sight until it has a
 * name here (so it cannot show another office's data by accident).
 */
const FIELDS: Record<string, { label: string; format?: (v: unknown, o: OfficeNames) => string }> = {
  status: { label: "Status", format: (v) => nameIn(STATUS_NAMES, v) ?? String(v) },
  license_type: { label: "License", format: (v) => nameIn(LICENSE_NAMES, v) ?? String(v) },
  type: { label: "License", format: (v) => nameIn(LICENSE_NAMES, v) ?? String(v) },
  license: {
    label: "License seat",
    format: (v) => (v === "remove" ? "Removed" : v === "keep" ? "Kept, unassigned" : String(v)),
  },
  quantity: { label: "Quantity" },
  purchased: { label: "Purchased" },
  assigned: { label: "Assigned" },
  from_office_id: { label: "From office", format: (v, o) => o.name(v) },
  to_office_id: { label: "To office", format: (v, o) => o.name(v) },
  office_id: { label: "Office", format: (v, o) => o.name(v) },
  office: { label: "Office", format: (v, o) => (o.visible(v) ? String(v) : "Another office") },
  office_admin_of: { label: "Office Admin of", format: (v, o) => list(v, (id) => o.name(id)) },
  office_admin: { label: "Office Admin" },
  company_admin: { label: "Company Admin" },
  has_proxy_access: { label: "Proxy access" },
  numbers: { label: "Numbers" },
  number: {
    label: "Number",
    format: (v) =>
      v && typeof v === "object" && "e164" in v
        ? `${formatNumber(String(v.e164))}${"addon" in v && v.addon ? ` (${nameIn(LICENSE_NAMES, v.addon) ?? String(v.addon)} add-on)` : ""}`
        : value(v),
  },
  groups: { label: "Groups" },
  state: { label: "State", format: (v) => capitalize(String(v)) },
  user: { label: "User" },
  group: { label: "Group" },
  last_holder: { label: "Last held by" },
  primary: { label: "Primary number" },
  addon: {
    label: "Add-on seat",
    format: (v) => (v == null ? "None" : (nameIn(LICENSE_NAMES, v) ?? String(v))),
  },
  reason: { label: "Reason" },
  end_reason: { label: "Ended", format: (v) => nameIn(END_REASONS, v) ?? String(v) },
  first_name: { label: "First name" },
  last_name: { label: "Last name" },
  email: { label: "Email" },
  job_title: { label: "Job title" },
  extension: { label: "Extension" },
  timezone: { label: "Time zone" },
  language: { label: "Language" },
  forwarding_number: { label: "Call forwarding" },
  do_not_disturb: { label: "Do not disturb" },
  voicemail_to_email: { label: "Voicemail to email" },
  caller_id: { label: "Caller ID" },
  proxy_reason_required: { label: "Require a reason for Proxy Login" },
  proxy_notice: { label: "Tell people when someone proxies into their account" },
  outcomes: {
    label: "Users",
    format: (v) => {
      const all = Array.isArray(v) ? (v as { outcome: string }[]) : [];
      const done = all.filter((x) => x.outcome === "done").length;
      return `${done} changed, ${all.length - done} skipped`;
    },
  },
};

const END_REASONS: Record<string, string> = {
  back: "The admin selected Back",
  expired: "After 30 minutes",
  not_allowed: "No longer allowed",
  signed_out: "The admin signed out",
};

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function list(v: unknown, each: (x: unknown) => string): string {
  const items = Array.isArray(v) ? v : [];
  return items.length ? items.map(each).join(", ") : "None";
}

/** Any recorded value in words: E.164 numbers formatted, lists joined, yes and no. */
function value(v: unknown): string {
  if (v === undefined || v === null || v === "") return "—";
  if (typeof v === "boolean") return v ? "Yes" : "No";
  if (Array.isArray(v)) return list(v, value);
  if (typeof v === "string" && /^\+\d{6,15}$/.test(v)) return formatNumber(v) ?? v;
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

export function describeChanges(
  action: string,
  before: unknown,
  after: unknown,
  offices: OfficeNames,
): AuditChange[] {
  const b = { ...((before ?? {}) as Exclude<Details, null>) };
  const a = (after ?? {}) as Exclude<Details, null>;
  // A transfer from another office: that office's groups, and the numbers
  // that stayed in its Reserved Pool, are its business, not this reader's.
  if (action === "user.transferred" && !offices.visible(b.office)) {
    delete b.groups;
    delete b.numbers;
  }
  // In FIELDS' order: jsonb keeps its keys in its own order (by length), not the order recorded.
  const keys = Object.keys(FIELDS).filter((k) => Object.hasOwn(b, k) || Object.hasOwn(a, k));
  return keys.map((k) => {
    const { label, format } = FIELDS[k]!;
    const show = (side: Exclude<Details, null>) =>
      Object.hasOwn(side, k) ? (format ? format(side[k], offices) : value(side[k])) : null;
    const was = show(b);
    const is = show(a);
    // A detail the entry carries unchanged on both sides (a license transfer's
    // quantity) is context, shown once, under After.
    return { field: label, before: was === is ? null : was, after: is };
  });
}
