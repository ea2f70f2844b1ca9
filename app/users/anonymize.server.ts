/**
 * Anonymization: at 72 hours after a deletion, on permanent deletion, or at
 * once for a pending user. Every personal detail of the user is erased
 * everywhere it was stored (user row, pool labels, audit details, proxy
 * sessions, sessions, invites, sign-in attempts, memberships, the mail
 * outbox) and replaced by "Deleted user" and a stable pseudonymous id, so
 * history and counts still add up. Held numbers become reassignable. Once
 * committed, the tables are vacuumed (vacuumOwed).
 *
 * Every step is one set-based statement, whatever the number of users.
 */
import { sql, type Kysely, type Transaction } from "kysely";
import type { Database } from "../../db/schema.ts";
import { eraseOutboxOf } from "../mail/mailer.server.ts";
import { eraseHolders } from "../numbers/moves.server.ts";
import { actingUserId, type Actor } from "../auth/actor.server.ts";

export const RESTORE_WINDOW_MS = 72 * 3600_000;
export const DELETED_USER = "Deleted user";

/** `pg_advisory_xact_lock(int, int)`'s first half for a company's anonymizations; the second is the company. */
export const ANONYMIZING = 5_150_918;

/**
 * Anonymizations in one company take turns. Each updates the audit entries
 * and proxy sessions that mention its users, in whatever order its plan
 * visits them, so two at once (two servers' purges, a purge and a permanent
 * delete) could each hold an entry that mentions the other's people and wait
 * for the other's. The lock is taken before any row the other could want: a
 * deletion of pending users takes it right after locking them
 * (deleteUsers), before their numbers and pools. Companies in id order.
 */
export async function lockAnonymizing(tx: Transaction<Database>, userIds: number[]) {
  await sql`
    select pg_advisory_xact_lock(${ANONYMIZING}::int, company_id)
      from (select distinct company_id from users where id = any(${sql.val(userIds)}::int[]) order by 1) c`.execute(
    tx,
  );
}

/** Keys of audit details about a person that hold their personal data: dropped when they are anonymized. */
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
 * their rows locked (FOR NO KEY UPDATE) and has checked they are deleted.
 *
 * Erasure goes by the person's id, never by their current name alone: the
 * words to erase are every name and email they ever had (now, in the details
 * of every audit entry about them, as a number's last holder), and they are
 * erased from every row that refers to them by id: audit entries about them,
 * by them or on their behalf, naming them under any key ending in `user_id`
 * (numbers they held, proxy sessions), and proxy sessions into or by them.
 * Proxy reasons are free text typed about anyone, so any of the company's
 * that names them loses the name too. The addresses of their own actions go
 * (the audit entries they made, their proxy sessions, sessions, sign-in
 * attempts under any of their emails).
 */
export async function anonymizeUsers(
  tx: Transaction<Database>,
  userIds: number[],
  now: Date,
  reason: "expired" | "permanently_deleted" | "pending_deleted",
  /** Who anonymizes (recorded in the audit log); null for the purge job. */
  by: Pick<Actor, "person" | "proxy" | "provisioningToken"> | null,
): Promise<void> {
  if (userIds.length === 0) return;
  const ids = sql`${sql.val(userIds)}::int[]`;
  await lockAnonymizing(tx, userIds);
  // The VACUUM this owes, recorded with the change: paid once it has committed (vacuumOwed), or, if that
  // never comes (a server stopped, a bulk job failed for good), by a purge a while later.
  await sql`
    insert into erasure_vacuum_owed (company_id, since)
    select distinct company_id, ${now}::timestamptz from users where id = any(${ids}) order by 1
    on conflict (company_id) do update set version = excluded.version, since = excluded.since`.execute(tx);

  // The stable pseudonym first: every label below is written with it. The column is unique, so this is a
  // key update, whose row lock waits for any transaction still writing a row that names them (an audit
  // entry they made, an invite): committed by then, the erasure below reaches it too.
  await sql`
    update users set pseudonym = 'DU-' || substr(md5(random()::text || id::text), 1, 12)
     where id = any(${ids}) and pseudonym is null`.execute(tx);

  // Their words, as two patterns (db/migrations/2026-11-29T1300_erasure_words.ts):
  // `names`, their full names (every first name they had with every last
  // name they had, and the labels written about them) and emails, erased
  // wherever they are named; and `everything`, those and each name on its
  // own, erased only where the text is about them (an entry about them, a
  // proxy into them), so that a shared first name is not taken from others.
  const words = await sql<{
    id: number;
    company_id: number;
    pseudonym: string;
    names: string | null;
    everything: string | null;
    emails: string[];
  }>`
    with who as (
      select id, company_id, pseudonym, first_name, last_name, email from users where id = any(${ids})
    ), about as (
      select w.id as user_id, a.target_label, a.before, a.after
        from who w join audit_log a on a.target_type = 'user' and a.target_id = w.id::text
    ), said as (
      select id as user_id, 'first' as kind, first_name as word from who
      union select id, 'last', last_name from who
      union select id, 'email', email from who
      union select user_id, 'label', target_label from about
      union select user_id, k.kind, d->>k.key
              from about, lateral (values (before), (after)) as x(d),
                   lateral (values ('first', 'first_name'), ('last', 'last_name'), ('email', 'email')) as k(kind, key)
             where jsonb_typeof(d) = 'object'
      union select last_holder_user_id, 'label', last_holder_name from phone_numbers where last_holder_user_id = any(${ids})
    ), full_names as (
      select f.user_id, f.word || ' ' || l.word as word
        from said f join said l on l.user_id = f.user_id and f.kind = 'first' and l.kind = 'last'
      union all
      select user_id, word from said where kind in ('label', 'email')
    ), named as (
      select user_id, array_agg(word) as words from full_names group by user_id
    ), parts as (
      select user_id, array_agg(word) filter (where kind in ('first', 'last')) as words,
             coalesce(array_agg(lower(word)) filter (where kind = 'email' and word is not null), '{}') as emails
        from said group by user_id
    )
    select w.id, w.company_id, w.pseudonym, erasure_pattern(n.words) as names,
           erasure_pattern(n.words || p.words) as everything, coalesce(p.emails, '{}') as emails
      from who w left join named n on n.user_id = w.id left join parts p on p.user_id = w.id`.execute(tx);
  const companies = sql`${sql.val([...new Set(words.rows.map((w) => w.company_id))])}::int[]`;
  const who = sql`unnest(${sql.val(words.rows.map((w) => w.id))}::int[],
                         ${sql.val(words.rows.map((w) => w.company_id))}::int[],
                         ${sql.val(words.rows.map((w) => w.pseudonym))}::text[],
                         ${sql.val(words.rows.map((w) => w.names))}::text[],
                         ${sql.val(words.rows.map((w) => w.everything))}::text[])
                  as w(id, company_id, pseudonym, names, everything)`;

  // Proxy sessions and audit entries in one statement, so that which proxy
  // sessions concern them is decided once: into them, by them, or with a
  // reason that names them.
  await sql`
    with who as (select * from ${who}),
    proxies as (
      select ps.id, w.everything as pattern, false as acted from who w join proxy_sessions ps on ps.user_id = w.id
      union all
      select ps.id, w.names, true from who w join proxy_sessions ps on ps.admin_user_id = w.id
      union all
      select ps.id, w.names, false
        from who w join proxy_sessions ps on ps.company_id = w.company_id and ps.reason ~* w.names
    ), erased_proxies as (
      update proxy_sessions ps
         set reason = erase_words(ps.reason, p.pattern, ${DELETED_USER}),
             ip = case when p.acted then null else ps.ip end
        from (select id, string_agg(distinct pattern, '|') as pattern, bool_or(acted) as acted
                from proxies group by id) p
       where ps.id = p.id
    ), user_refs as (
      -- entries naming one of them by id under a key of the details (user_id, admin_user_id,
      -- last_holder_user_id…): the index on audit_user_refs finds them (db/migrations, audit_user_refs; its
      -- index holds only entries that name someone, hence the <> '{}')
      select a.id as audit_id, r.user_id
        from audit_log a cross join lateral unnest(audit_user_refs(a.before, a.after)) as r(user_id)
       where audit_user_refs(a.before, a.after) <> '{}'
         and audit_user_refs(a.before, a.after) && (select array_agg(id::text) from who)
         and a.company_id in (select company_id from who)
    ), mentions as (
      -- Each branch an equality, so a hash join however many users and entries, on the entries looked up
      -- by the people's own ids: the arrays are constants to the planner, whose statistics then know these
      -- people are not the few admins who made most of the log. Joined to who alone, it counted on an
      -- average actor's thousands of entries for each person and read the whole log.
      select a.id as audit_id, w.pseudonym as about, false as acted, w.everything as pattern
        from who w join audit_log a on a.target_type = 'user' and a.target_id = w.id::text
       where a.target_id = any(${sql.val(userIds.map(String))}::text[])
      union all
      -- an entry made by someone, or on their behalf, is in their company (an admin proxies only within
      -- theirs: mayProxy), which the indexes begin with
      select a.id, null, true, w.names
        from who w join audit_log a on a.company_id = w.company_id and a.actor_user_id = w.id
       where a.company_id = any(${companies}) and a.actor_user_id = any(${ids})
      union all
      select a.id, null, false, w.names
        from who w join audit_log a on a.company_id = w.company_id and a.on_behalf_of_user_id = w.id
       where a.company_id = any(${companies}) and a.on_behalf_of_user_id = any(${ids})
      union all
      select r.audit_id, null, false, w.names from who w join user_refs r on r.user_id = w.id::text
      union all
      select a.id, null, false, p.pattern
        from proxies p join audit_log a on a.target_type = 'proxy_session' and a.target_id = p.id::text
    ), touched as (
      select audit_id, max(about) as about, bool_or(acted) as acted, string_agg(distinct pattern, '|') as pattern
        from mentions group by audit_id
    ), erasing as (
      -- keys dropped: their details in an entry about them, their address in one they made
      select t.*, array_cat(case when t.about is not null then ${sql.val(PERSONAL_KEYS)}::text[] else '{}' end,
                            case when t.acted then '{ip}'::text[] else '{}' end) as keys
        from touched t
    )
    update audit_log a
       set target_label = case when t.about is not null then ${DELETED_USER} || ' ' || t.about
                               else erase_words(a.target_label, t.pattern, ${DELETED_USER}) end,
           before = erase_words(case when jsonb_typeof(a.before) = 'object' then a.before - t.keys else a.before end,
                                t.pattern, ${DELETED_USER}),
           after = erase_words(case when jsonb_typeof(a.after) = 'object' then a.after - t.keys else a.after end,
                               t.pattern, ${DELETED_USER}),
           ip = case when t.acted then null else a.ip end
      from erasing t
     where a.id = t.audit_id`.execute(tx);

  await sql`
    delete from login_attempts where email = any(${sql.val(words.rows.flatMap((w) => w.emails))}::text[])`.execute(
    tx,
  );

  await eraseHolders(tx, userIds, DELETED_USER);

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
    insert into audit_log (company_id, office_id, actor_user_id, actor_token_id, action, target_type, target_id,
                           target_label, after, created_at)
    select company_id, office_id, ${by && actingUserId(by)}::int, ${by?.provisioningToken?.id ?? null}::int,
           'user.anonymized', 'user', id::text, ${DELETED_USER} || ' ' || pseudonym,
           jsonb_build_object('reason', ${reason}::text), ${now}
      from users where id = any(${ids})`.execute(tx);

  // Last, inside the transaction: if the files cannot be erased, nothing is
  // anonymized and the purge tries again; if the commit fails after, only
  // copies of mail are lost.
  await eraseOutboxOf(userIds);
}

/** Every table anonymizeUsers changes or deletes rows of. */
const ERASED_TABLES = [
  "users",
  "audit_log",
  "proxy_sessions",
  "login_attempts",
  "phone_numbers",
  "sessions",
  "invites",
  "group_members",
  "office_admins",
] as const;

/**
 * After a transaction that anonymized someone has committed: an UPDATE or
 * DELETE leaves the old row versions (names, emails, addresses) in the
 * table's files and in its indexes until VACUUM removes them. PGlite never
 * vacuums by itself and autovacuum on a server comes when it likes, so the
 * erasure does it at once. VACUUM cannot run inside a transaction, hence
 * after the commit, on `db`.
 *
 * A plain VACUUM takes no lock that stops requests, and makes the old
 * versions unreachable and their space free for new rows, but it does not
 * overwrite their bytes: until new rows take that space, the files still hold
 * them. `full` (VACUUM FULL, `npm run purge -- --full`) rewrites the tables
 * and their indexes into new files, so no byte of the old versions stays in
 * them; it locks each table against every request while it runs, so it is
 * for a quiet hour, not for every purge. What the WAL and backups still hold
 * is in the README.
 */
export async function vacuumErased(db: Kysely<Database>, { full = false } = {}): Promise<void> {
  await sql`vacuum ${full ? sql`full` : sql``} ${sql.join(ERASED_TABLES.map((t) => sql.table(t)))}`.execute(
    db,
  );
}

/** How long a VACUUM is owed before a purge pays it: longer than a bulk job's batch. */
export const OWED_GRACE_MS = 10 * 60_000;

/**
 * Pays the VACUUMs owed (vacuumErased, after the commit of whatever
 * anonymized), or only those owed since `owedBefore`: answers whether it
 * vacuumed. Only what it saw owed before it began is cleared: an
 * anonymization committed meanwhile has given its company's row a new
 * version (never one used before), and one still under way holds the row,
 * which is skipped (it will have given it one too). Skipping, never waiting,
 * it holds up no anonymization of several companies that holds a row it
 * wants.
 */
export async function vacuumOwed(db: Kysely<Database>, owedBefore?: Date): Promise<boolean> {
  const owed = await db
    .selectFrom("erasure_vacuum_owed")
    .select(["company_id", "version"])
    .$if(owedBefore !== undefined, (q) => q.where("since", "<=", owedBefore!))
    .execute();
  if (owed.length === 0) return false;
  await vacuumErased(db);
  await sql`
    delete from erasure_vacuum_owed o
     using (select e.company_id
              from erasure_vacuum_owed e
              join unnest(${sql.val(owed.map((o) => o.company_id))}::int[],
                          ${sql.val(owed.map((o) => o.version))}::bigint[]) as seen(company_id, version)
                on seen.company_id = e.company_id and seen.version = e.version
               for update of e skip locked) paid
     where o.company_id = paid.company_id`.execute(db);
  return true;
}

/**
 * The purge job: anonymizes every user deleted 72 hours ago or more, in
 * batches. FOR NO KEY UPDATE SKIP LOCKED lets any number of app servers run it at
 * once: each batch takes rows no other run holds, so no user is done twice,
 * and a restore in progress (which holds its user's row) is left alone. The
 * tables are vacuumed once its batches have committed (a VACUUM after each
 * batch went through the whole audit log's indexes a hundred times for a
 * hundred thousand people), and so they are when an earlier anonymization
 * has owed its VACUUM for OWED_GRACE_MS.
 */
export async function purgeExpired(db: Kysely<Database>, now: Date, batchSize = 1000): Promise<number> {
  let total = 0;
  try {
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
          .forNoKeyUpdate()
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
      if (done < batchSize) break;
    }
  } catch (error) {
    // Those anonymized before the batch that failed are vacuumed all the same; its error is the one thrown.
    if (total > 0) await vacuumOwed(db).catch(() => undefined);
    throw error;
  }
  // Its own, and any owed a while (a bulk job that failed for good, a server stopped right after a commit).
  await vacuumOwed(db, total > 0 ? undefined : new Date(now.getTime() - OWED_GRACE_MS));
  return total;
}
