import { sql, type Kysely } from "kysely";

/**
 * The audit entries whose details name a person by id (any key ending in
 * `user_id`: a number's holder, a proxy session's admin), found through an
 * index. Anonymization erases a person's words from each of them
 * (app/users/anonymize.server.ts); read by scanning every entry of the company,
 * one batch of a bulk delete took a second at a million entries, ten at the
 * issue's ten million.
 *
 * `audit_user_refs` gives the ids an entry's details name, as text; the GIN
 * index on it answers "which entries name any of these people" (`&&`). It is
 * not inlined into the query (its body reads from a function), so the query's
 * call matches the index's expression. The index holds only the entries that
 * name someone so (a query must say `<> '{}'` too): every audit entry written
 * costs the function's call, about 6 µs, where a GIN entry for each, even an
 * empty one, cost 16.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
create function audit_user_refs(before jsonb, after jsonb) returns text[]
language sql immutable parallel safe as $$
  select coalesce(array_agg(distinct k.value) filter (where k.value is not null), '{}')
    from (values (before), (after)) as d(details),
         jsonb_each_text(case when jsonb_typeof(d.details) = 'object' then d.details end) as k
   where k.key like '%user_id'
$$;
create index audit_log_user_refs_idx on audit_log using gin (audit_user_refs(before, after))
  where audit_user_refs(before, after) <> '{}';
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
drop index audit_log_user_refs_idx;
drop function audit_user_refs(jsonb, jsonb);
`.execute(db);
}
