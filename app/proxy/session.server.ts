/**
 * Proxy login: start and end a proxy session, and list the recent ones into
 * a user's account. A proxy session belongs to the admin's server session
 * (proxy_sessions.session_id, at most one open per session); nothing in a
 * request can name whom it proxies. Start and end are audit entries
 * (target_type 'proxy_session'); what is changed in between is recorded by
 * recordAudit as by the admin on behalf of the user.
 */
import { sql, type Kysely, type Transaction } from "kysely";
import type { Database, UserStatus } from "../../db/schema.ts";
import type { Actor, EndedProxy } from "../auth/actor.server.ts";
import { recordAudit, type AuditEntry } from "../audit/record.server.ts";
import { ALREADY_PROXYING, mayProxy, type ProxyTarget } from "../auth/policy.server.ts";
import { refused, type Result } from "../refusal.server.ts";
import { mailProxyNotice, type ProxyNotice } from "./notice.server.ts";
import { proxyLoginSchema } from "./schema.ts";
import { readProxySecurity } from "./security.server.ts";

export const PROXY_MINUTES = 30;

export type EndReason = "back" | "expired" | "not_allowed" | "signed_out";

/** How a proxy session ended, in the user's page's words. */
export const END_REASON_NAMES: Record<EndReason, string> = {
  back: "The admin went back",
  expired: "Ended after 30 minutes",
  not_allowed: "Ended: no longer allowed",
  signed_out: "The admin signed out",
};

type Db = Kysely<Database> | Transaction<Database>;

/**
 * The proxy target of this company with the given id, as the rule needs it
 * (the rule itself checks offices and status). `lock` locks the user row, so
 * a concurrent change of their status or role waits for the decision.
 */
export async function loadProxyTarget(
  db: Db,
  companyId: number,
  userId: number,
  lock = false,
): Promise<ProxyTarget | null> {
  let query = db
    .selectFrom("users as u")
    .select([
      "u.id",
      "u.company_id",
      "u.office_id",
      "u.first_name",
      "u.last_name",
      "u.status",
      "u.is_company_admin",
      sql<
        number[]
      >`array(select oa.office_id from office_admins oa where oa.user_id = u.id order by oa.office_id)`.as(
        "admin_office_ids",
      ),
    ])
    .where("u.company_id", "=", companyId)
    .where("u.id", "=", userId);
  if (lock) query = query.forNoKeyUpdate();
  const u = await query.executeTakeFirst();
  if (!u) return null;
  return {
    id: u.id,
    companyId: u.company_id,
    officeId: u.office_id,
    name: u.first_name == null ? "Deleted user" : `${u.first_name} ${u.last_name}`,
    status: u.status as UserStatus,
    isCompanyAdmin: u.is_company_admin,
    adminOfficeIds: u.admin_office_ids.map(Number),
  };
}

export type StartResult = Result<{ proxySessionId: number }>;

/**
 * Starts a proxy session of the actor's server session into a user, if the
 * rule allows it and the reason is one the company's Security settings
 * accept (read in the transaction: a setting changed since the form was
 * parsed still counts). If the company tells people, the user is mailed once
 * the session is committed.
 */
export async function startProxy(
  db: Kysely<Database>,
  actor: Actor,
  userId: number,
  reason: string | null,
  now: Date,
): Promise<StartResult> {
  if (actor.proxy) return refused(ALREADY_PROXYING);
  let started: Result<{ proxySessionId: number; notice: ProxyNotice | null }>;
  try {
    started = await db.transaction().execute(async (tx) => {
      // Lock the admin and the user (in id order, so two crossed proxies cannot
      // deadlock) against a concurrent change of rights, role or status. FOR NO
      // KEY UPDATE, not FOR UPDATE: every audit row another admin's change
      // writes checks its foreign key to the admin with KEY SHARE, which FOR
      // UPDATE would block while that change holds the user this proxy waits
      // for, a deadlock the load test (npm run load) met.
      await tx
        .selectFrom("users")
        .select("id")
        .where("id", "in", [actor.person.id, userId])
        .orderBy("id")
        .forNoKeyUpdate()
        .execute();
      const me = await tx
        .selectFrom("users")
        .select(["has_proxy_access", "is_company_admin", "status"])
        .where("id", "=", actor.person.id)
        .executeTakeFirstOrThrow();
      if (me.status !== "active") return refused("Your account is no longer active.", "forbidden");
      const current = {
        ...actor,
        person: { ...actor.person, hasProxyAccess: me.has_proxy_access, isCompanyAdmin: me.is_company_admin },
      };
      const target = await loadProxyTarget(tx, actor.company.id, userId);
      if (!target) return refused("This user", "not_found");
      const decision = mayProxy(current, target);
      if (!decision.ok) return refused(decision.reason);
      const security = await readProxySecurity(tx, actor.company.id);
      const checked = proxyLoginSchema(security.reasonRequired).safeParse({ reason: reason ?? undefined });
      if (!checked.success) return refused(checked.error.issues[0]!.message, "invalid", "reason");
      const session = await tx
        .insertInto("proxy_sessions")
        .values({
          company_id: actor.company.id,
          session_id: actor.sessionId,
          admin_user_id: actor.person.id,
          user_id: target.id,
          reason,
          ip: actor.ip,
          started_at: now,
          expires_at: new Date(now.getTime() + PROXY_MINUTES * 60_000),
        })
        .returning(["id", "expires_at"])
        .executeTakeFirstOrThrow();
      await recordAudit(
        tx,
        actor,
        {
          action: "proxy.started",
          targetType: "proxy_session",
          targetId: session.id,
          targetLabel: target.name,
          officeId: target.officeId,
          after: {
            admin_user_id: actor.person.id,
            user_id: target.id,
            reason,
            ip: actor.ip,
            started_at: now.toISOString(),
            expires_at: session.expires_at.toISOString(),
          },
        },
        now,
      );
      const notice = security.notice
        ? {
            user: { id: target.id, name: target.name, ...(await contactOf(tx, target.id)) },
            admin: { id: actor.person.id, name: `${actor.person.firstName} ${actor.person.lastName}` },
            company: actor.company.name,
            startedAt: now,
            expiresAt: session.expires_at,
            reason,
          }
        : null;
      return { ok: true as const, proxySessionId: session.id, notice };
    });
  } catch (e) {
    // Two tabs starting a proxy at once: the one-open-proxy-per-session index refuses the second.
    if ((e as { constraint?: string }).constraint === "proxy_sessions_one_open") {
      return refused(ALREADY_PROXYING);
    }
    throw e;
  }
  if (!started.ok) return started;
  if (started.notice) await mailProxyNotice(started.notice);
  return { ok: true, proxySessionId: started.proxySessionId };
}

/** Where the proxy notice goes, and the time zone its times are written in (the user's own, else their office's). */
async function contactOf(tx: Transaction<Database>, userId: number) {
  const row = await tx
    .selectFrom("users as u")
    .innerJoin("offices as o", "o.id", "u.office_id")
    .select(["u.email", sql<string>`coalesce(u.timezone, o.timezone)`.as("time_zone")])
    .where("u.id", "=", userId)
    .executeTakeFirstOrThrow();
  return { email: row.email!, timeZone: row.time_zone };
}

/**
 * Ends the actor's open proxy session (Back, or signing out). Returns the
 * user who was proxied, or null if there was no open proxy session.
 */
export async function endProxy(
  db: Kysely<Database>,
  actor: Actor,
  endReason: "back" | "signed_out",
  now: Date,
): Promise<{ userId: number; name: string } | null> {
  if (!actor.proxy) return null;
  const proxy = actor.proxy;
  const ended = await db.transaction().execute(async (tx) => {
    const row = await closeSession(tx, proxy.id, endReason, now);
    if (!row) return false;
    const name = `${actor.person.firstName} ${actor.person.lastName}`;
    const entry = proxyEndedEntry(
      proxy.id,
      { id: actor.person.id, name, officeId: actor.person.officeId },
      proxy.admin.id,
      endReason,
      now,
    );
    await recordAudit(tx, actor, entry, now);
    return true;
  });
  return ended
    ? { userId: actor.person.id, name: `${actor.person.firstName} ${actor.person.lastName}` }
    : null;
}

/**
 * Ends a proxy session that a request found no longer allowed (see loadActor):
 * `actor` is the admin as themselves.
 */
export async function endRefusedProxy(
  db: Kysely<Database>,
  actor: Actor,
  ended: EndedProxy,
  now: Date,
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const row = await closeSession(tx, ended.id, ended.endReason, now);
    if (!row) return; // a concurrent request ended it already
    await recordAudit(
      tx,
      actor,
      proxyEndedEntry(ended.id, ended.target, actor.person.id, ended.endReason, now, ended.message),
      now,
    );
  });
}

async function closeSession(tx: Transaction<Database>, id: number, endReason: EndReason, now: Date) {
  return tx
    .updateTable("proxy_sessions")
    .set({ ended_at: now, end_reason: endReason })
    .where("id", "=", id)
    .where("ended_at", "is", null)
    .returning("id")
    .executeTakeFirst();
}

/** The audit entry of a proxy session's end. */
export function proxyEndedEntry(
  id: number,
  user: { id: number; name: string; officeId: number },
  adminId: number,
  endReason: EndReason,
  now: Date,
  message?: string,
): AuditEntry {
  return {
    action: "proxy.ended",
    targetType: "proxy_session",
    targetId: id,
    targetLabel: user.name,
    officeId: user.officeId,
    after: {
      end_reason: endReason,
      message,
      admin_user_id: adminId,
      user_id: user.id,
      ended_at: now.toISOString(),
    },
  };
}

/** The latest proxy sessions into a user's account, for their page. */
export async function recentProxySessions(
  db: Kysely<Database>,
  companyId: number,
  userId: number,
  now: Date,
  limit = 10,
) {
  const rows = await db
    .selectFrom("proxy_sessions as ps")
    .innerJoin("users as a", "a.id", "ps.admin_user_id")
    .select([
      "ps.id",
      "ps.reason",
      "ps.started_at",
      "ps.expires_at",
      "ps.ended_at",
      "ps.end_reason",
      sql<string>`coalesce(a.first_name || ' ' || a.last_name, 'Deleted user')`.as("admin_name"),
    ])
    .where("ps.company_id", "=", companyId)
    .where("ps.user_id", "=", userId)
    .orderBy("ps.started_at", "desc")
    .orderBy("ps.id", "desc")
    .limit(limit)
    .execute();
  return rows.map((r) => {
    // A session whose admin never came back is over at its expiry, whether or not a request ended it.
    const open = r.ended_at == null && r.expires_at > now;
    return {
      id: r.id,
      adminName: r.admin_name,
      reason: r.reason,
      startedAt: r.started_at,
      endedAt: r.ended_at ?? (open ? null : r.expires_at),
      ending: open
        ? "In progress"
        : (END_REASON_NAMES[(r.end_reason ?? "expired") as EndReason] ?? r.end_reason!),
    };
  });
}

/**
 * Ends the open proxy sessions of these admins (`admins`) and into these
 * users (`users`), when their account stops (deleted, suspended): no later
 * request of theirs will come to end them. One statement; the audit entries
 * to record in the caller's transaction, each with `why`'s message.
 */
export async function endProxiesOf(
  tx: Transaction<Database>,
  who: { admins: number[]; users: number[] },
  now: Date,
  why: (p: { adminId: number; userId: number }) => string,
): Promise<AuditEntry[]> {
  const ended = await sql<{
    id: number;
    user_id: number;
    admin_user_id: number;
    name: string;
    office_id: number;
  }>`
    update proxy_sessions ps set ended_at = ${now}, end_reason = 'not_allowed'
      from users u
     where u.id = ps.user_id and ps.ended_at is null
       and (ps.admin_user_id = any(${sql.val(who.admins)}::int[]) or ps.user_id = any(${sql.val(who.users)}::int[]))
    returning ps.id, ps.user_id, ps.admin_user_id, u.first_name || ' ' || u.last_name as name, u.office_id`.execute(
    tx,
  );
  return ended.rows.map((p) =>
    proxyEndedEntry(
      p.id,
      { id: p.user_id, name: p.name, officeId: p.office_id },
      p.admin_user_id,
      "not_allowed",
      now,
      why({ adminId: p.admin_user_id, userId: p.user_id }),
    ),
  );
}
