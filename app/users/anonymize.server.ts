/**
 * Anonymization: at 72 hours after a deletion, on permanent deletion, or at
 * once for a pending user. Every personal detail of the user is erased
 * everywhere it was stored (user row, pool labels, audit details, sessions,
 * invites, sign-in attempts, memberships) and replaced by "Deleted user" and
 * a stable pseudonymous id, so history and counts still add up. Held numbers
 * become reassignable.
 *
 * Every step is one set-based statement, whatever the number of users.
 */
import { sql, type Kysely, type Transaction } from "kysely";
import type { Database } from "../../db/schema.ts";

export const RESTORE_WINDOW_MS = 72 * 3600_000;
export const DELETED_USER = "Deleted user";

/** Keys of audit details that hold personal data. */
const PERSONAL_KEYS = [
  "first_name",
  "last_name",
  "name",
  "email",
  "job_title",
  "timezone",
  "forwarding_number",
  "extension",
];

/**
 * Anonymizes these users inside the caller's transaction. The caller holds
 * their rows locked (FOR UPDATE) and has checked they are deleted.
 */
export async function anonymizeUsers(
  tx: Transaction<Database>,
  userIds: number[],
  now: Date,
  reason: "expired" | "permanently_deleted" | "pending_deleted",
  actorUserId: number | null,
): Promise<void> {
  if (userIds.length === 0) return;
  const ids = sql`${sql.val(userIds)}::int[]`;

  // The stable pseudonym first: every label below is written with it.
  await sql`
    update users set pseudonym = 'DU-' || substr(md5(random()::text || id::text), 1, 12)
     where id = any(${ids}) and pseudonym is null`.execute(tx);

  // Audit entries that may name them: about them, about a proxy session into
  // or by them, or about a number they held. Their name and email are
  // replaced wherever these entries hold them, and personal keys dropped.
  await sql`
    with who as (
      select id, pseudonym, first_name || ' ' || last_name as name, email,
             substr(to_jsonb(first_name || ' ' || last_name)::text, 2,
                    length(to_jsonb(first_name || ' ' || last_name)::text) - 2) as json_name,
             substr(to_jsonb(email)::text, 2, length(to_jsonb(email)::text) - 2) as json_email
        from users where id = any(${ids})
    ), mentions as (
      -- each branch an equality, so each is a hash join however many users and entries
      select a.id as audit_id, w.id as user_id, true as about_them
        from who w join audit_log a on a.target_type = 'user' and a.target_id = w.id::text
      union all
      select a.id, w.id, false
        from who w join proxy_sessions ps on ps.user_id = w.id or ps.admin_user_id = w.id
        join audit_log a on a.target_type = 'proxy_session' and a.target_id = ps.id::text
      union all
      select a.id, w.id, false from who w join audit_log a on a.target_type = 'phone_number' and a.before->>'user_id' = w.id::text
      union all
      select a.id, w.id, false from who w join audit_log a on a.target_type = 'phone_number' and a.after->>'user_id' = w.id::text
      union all
      select a.id, w.id, false from who w join audit_log a on a.target_type = 'phone_number' and a.before->>'last_holder_user_id' = w.id::text
    ), touched as (
      select distinct on (m.audit_id) m.audit_id, m.about_them, w.pseudonym, w.name, w.email, w.json_name, w.json_email
        from mentions m join who w on w.id = m.user_id
       order by m.audit_id, m.about_them desc
    )
    update audit_log a
       set target_label = case when t.about_them then ${DELETED_USER} || ' ' || t.pseudonym
                               else replace(replace(a.target_label, t.name, ${DELETED_USER}), t.email, ${DELETED_USER}) end,
           before = replace(replace(a.before::text, t.json_name, ${DELETED_USER}), t.json_email, ${DELETED_USER})::jsonb
                    - ${sql.val(PERSONAL_KEYS)}::text[],
           after = replace(replace(a.after::text, t.json_name, ${DELETED_USER}), t.json_email, ${DELETED_USER})::jsonb
                    - ${sql.val(PERSONAL_KEYS)}::text[]
      from touched t
     where a.id = t.audit_id`.execute(tx);

  // A reason typed for a proxy session into them may name them too.
  await sql`
    update proxy_sessions ps
       set reason = replace(replace(ps.reason, u.first_name || ' ' || u.last_name, ${DELETED_USER}), u.email, ${DELETED_USER})
      from users u
     where u.id = any(${ids}) and ps.reason is not null and (ps.user_id = u.id or ps.admin_user_id = u.id)`.execute(
    tx,
  );

  await sql`
    delete from login_attempts
     where email in (select lower(email) from users where id = any(${ids}) and email is not null)`.execute(
    tx,
  );

  await sql`
    update phone_numbers
       set last_holder_name = case when last_holder_user_id = any(${ids}) then ${DELETED_USER} else last_holder_name end,
           held_for_user_id = case when held_for_user_id = any(${ids}) then null else held_for_user_id end,
           held_until = case when held_for_user_id = any(${ids}) then null else held_until end
     where last_holder_user_id = any(${ids}) or held_for_user_id = any(${ids})`.execute(tx);

  await tx
    .deleteFrom("sessions")
    .where("user_id", "=", sql<number>`any(${ids})`)
    .execute();
  await tx
    .deleteFrom("invites")
    .where("user_id", "=", sql<number>`any(${ids})`)
    .execute();
  await tx
    .deleteFrom("group_members")
    .where("user_id", "=", sql<number>`any(${ids})`)
    .execute();
  await tx
    .deleteFrom("office_admins")
    .where("user_id", "=", sql<number>`any(${ids})`)
    .execute();

  await sql`
    update users
       set first_name = null, last_name = null, email = null, password_hash = null,
           job_title = null, extension = null, timezone = null, forwarding_number = null,
           do_not_disturb = false, voicemail_to_email = false, caller_id = 'primary', language = 'en',
           has_proxy_access = false, is_company_admin = false, anonymized_at = ${now}
     where id = any(${ids})`.execute(tx);

  await sql`
    insert into audit_log (company_id, office_id, actor_user_id, action, target_type, target_id, target_label, after, created_at)
    select company_id, office_id, ${actorUserId}, 'user.anonymized', 'user', id::text, ${DELETED_USER} || ' ' || pseudonym,
           jsonb_build_object('reason', ${reason}::text), ${now}
      from users where id = any(${ids})`.execute(tx);
}

/**
 * The purge job: anonymizes every user deleted 72 hours ago or more, in
 * batches. FOR UPDATE SKIP LOCKED lets any number of app servers run it at
 * once: each batch takes rows no other run holds, so no user is done twice,
 * and a restore in progress (which holds its user's row) is left alone.
 */
export async function purgeExpired(db: Kysely<Database>, now: Date, batchSize = 1000): Promise<number> {
  let total = 0;
  for (;;) {
    const done = await db.transaction().execute(async (tx) => {
      const rows = await tx
        .selectFrom("users")
        .select("id")
        .where("status", "=", "deleted")
        .where("anonymized_at", "is", null)
        .where("deleted_at", "<=", new Date(now.getTime() - RESTORE_WINDOW_MS))
        .orderBy("deleted_at")
        .limit(batchSize)
        .forUpdate()
        .skipLocked()
        .execute();
      await anonymizeUsers(
        tx,
        rows.map((r) => r.id),
        now,
        "expired",
        null,
      );
      return rows.length;
    });
    total += done;
    if (done < batchSize) return total;
  }
}
