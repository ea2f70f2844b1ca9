import { sql, type Kysely } from "kysely";

/**
 * Erasing a person's words from what others wrote (app/users/anonymize.server.ts):
 * `erasure_pattern(words)` is one case-insensitive regular expression that
 * matches any of the words whole (not inside a longer word), and
 * `erase_words(value, pattern, replacement)` replaces its matches in a text,
 * or in every string of a JSON value at any depth, leaving keys, numbers and
 * the JSON's shape alone. A null pattern (no words) changes nothing.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // String.raw: the regular expressions' backslashes reach SQL as written.
  await sql
    .raw(
      String.raw`
create function erasure_pattern(words text[]) returns text
language sql immutable as $$
  select '(?<![[:alnum:]_])(?:'
         -- the metacharacters of a word escaped; the longest words first
         || string_agg(regexp_replace(w, '([.^$|?*+()\[\]{}\\])', '\\\1', 'g'), '|' order by length(w) desc, w)
         || ')(?![[:alnum:]_])'
    from (select distinct btrim(w) as w from unnest(words) as u(w) where btrim(w) <> '') d
$$;

create function erase_words(value text, pattern text, replacement text) returns text
language sql immutable as $$
  select case when pattern is null then value else regexp_replace(value, pattern, replacement, 'gi') end
$$;

-- the walk, for values that hold a match somewhere
create function erase_words_walk(value jsonb, pattern text, replacement text) returns jsonb
language plpgsql immutable as $$
begin
  return case jsonb_typeof(value)
    when 'string' then to_jsonb(regexp_replace(value #>> '{}', pattern, replacement, 'gi'))
    when 'array' then (select coalesce(jsonb_agg(erase_words_walk(e, pattern, replacement) order by i), '[]'::jsonb)
                         from jsonb_array_elements(value) with ordinality as x(e, i))
    when 'object' then (select coalesce(jsonb_object_agg(k, erase_words_walk(v, pattern, replacement)), '{}'::jsonb)
                          from jsonb_each(value) as x(k, v))
    else value
  end;
end $$;

-- most values hold no match: one look at every string, at any depth, before walking
create function erase_words(value jsonb, pattern text, replacement text) returns jsonb
language sql immutable as $$
  select case when pattern is null or value is null then value
              when not exists (select 1 from jsonb_path_query(value, 'strict $.** ? (@.type() == "string")') as s
                                where s #>> '{}' ~* pattern) then value
              else erase_words_walk(value, pattern, replacement) end
$$;
`,
    )
    .execute(db);
}
