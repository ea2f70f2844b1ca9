/**
 * How every route reads what people send, in a URL (path ids, search
 * parameters) or a form: the one place for these rules, so that a value the
 * database cannot take (a NUL byte, an id past its integer range) or a word
 * that names something on every object (`__proto__`, `constructor`) is a
 * clear 4xx with a message, never a 500 and never a wider result.
 * Plain module: the browser checks the same rules before a round trip.
 */
import { z } from "zod";
import { parseWithZod } from "@conform-to/zod/v4";

/**
 * Text people type and others read (names, job titles, a reason, a search):
 * any script and punctuation, but no control characters (PostgreSQL refuses
 * a NUL in text outright), and no bidirectional embeddings, overrides or
 * isolates (U+202A–U+202E, U+2066–U+2069), which make text display as other
 * text ("abc\u202Egnp.exe" reads "abcexe.png") and would let one name pass
 * for another in lists, the audit log and the proxy banner.
 */
export const PLAIN_TEXT = /^[^\p{Cc}\u202A-\u202E\u2066-\u2069]*$/u;

/**
 * A text field: trimmed, at most `max` characters, plain text only.
 * Required by default (missing or blank: "Enter <label>."); chain
 * `.optional()` or `.default("")` for a field that may stay empty.
 */
export function plainText(label: string, max: number) {
  return z
    .string(`Enter ${label}.`)
    .trim()
    .max(max, `Keep ${label} under ${max} characters.`)
    .regex(PLAIN_TEXT, `Remove the control and text-direction characters from ${label}.`);
}

/** A non-blank text field. */
export const requiredText = (label: string, max: number) => plainText(label, max).min(1, `Enter ${label}.`);

/** The largest id a row can have: the key columns are PostgreSQL `integer`. */
export const MAX_ID = 2 ** 31 - 1;

/**
 * A row id as sent (a path segment, a field, the digits of "user:123"): a
 * whole number from 1 to 2³¹−1 written plainly, else null. Nothing else
 * ("1e3", "0x1f", " 7", "-1", 2147483648) may reach a query, where the
 * database would refuse it with an error rather than find nothing.
 */
export function parseId(raw: unknown): number | null {
  if (typeof raw !== "string" || !/^[1-9][0-9]{0,9}$/.test(raw)) return null;
  const id = Number(raw);
  return id <= MAX_ID ? id : null;
}

/** A composite value naming a row of a kind, "user:123", "pool:9": its kind and id, else null. */
export function parseTaggedId<T extends string>(
  raw: unknown,
  tags: readonly T[],
): { tag: T; id: number } | null {
  if (typeof raw !== "string") return null;
  const colon = raw.indexOf(":");
  const tag = raw.slice(0, colon) as T;
  if (colon < 0 || !tags.includes(tag)) return null;
  const id = parseId(raw.slice(colon + 1));
  return id === null ? null : { tag, id };
}

/** A form or query field holding an id; anything else is `message`, beside the field. */
export const idField = (message: string) =>
  z.string(message).transform((raw, ctx) => {
    const id = parseId(raw);
    if (id === null) {
      ctx.addIssue({ code: "custom", message });
      return z.NEVER;
    }
    return id;
  });

/**
 * Where a keyset page starts: "last", or the rows after ("next.") or before
 * ("prev.") a position the server wrote. What the position holds is read by
 * the server (paging.server.ts, readCursor): a stale or made-up one shows the
 * first page, never an error.
 */
export const cursorField = z
  .string()
  .regex(/^(last|(next|prev)\.[A-Za-z0-9_-]{1,4000})$/)
  .optional()
  .catch(undefined);

/** A repeated field (ticked checkboxes): one value, several or none, as a list. */
export const asArray = (v: unknown) => (Array.isArray(v) ? v : v === undefined || v === "" ? [] : [v]);

/** A repeated field of ids (ticked checkboxes), none ticked being an empty list; anything but ids is `message`. */
export const idListField = (message: string) => z.preprocess(asArray, z.array(idField(message)));

/** A field holding "<kind>:<id>" for one of `tags` (the string as sent, once checked). */
export const taggedIdField = (tags: readonly string[], message: string) =>
  z.string(message).refine((raw) => parseTaggedId(raw, tags) !== null, message);

/**
 * A choice from a fixed set of codes, looked up as an own key only: a code
 * typed into a URL (`__proto__`, `constructor`, `toString`) is not one of
 * them even though every object answers to it.
 */
export const isOneOf = <K extends string>(names: Readonly<Record<K, unknown>>, key: unknown): key is K =>
  typeof key === "string" && Object.hasOwn(names, key);

/** The name of a code in a table of names, or undefined (see isOneOf). */
export const nameIn = <V>(names: Readonly<Record<string, V>>, key: unknown): V | undefined =>
  isOneOf(names, key) ? names[key] : undefined;

/**
 * A GET page's parameters (a search form's fields in the URL). A bad field
 * comes back as a message for that field (`reply`, for Conform or the page,
 * answered with 400) and is left out, so the page still shows, with the
 * other parameters applied, and the field's message beside it.
 */
export function readQuery<S extends z.ZodType<Record<string, unknown>>>(search: URLSearchParams, schema: S) {
  const submission = parseWithZod(search, { schema });
  if (submission.status === "success") return { value: submission.value as z.output<S>, reply: null };
  const bad = new Set(Object.keys(submission.error ?? {}));
  const kept = new URLSearchParams([...search].filter(([k]) => !bad.has(k)));
  const again = parseWithZod(kept, { schema });
  // Every refusal names its field, so without the bad fields the rest parses; if not, nothing applies.
  const value = (again.status === "success" ? again.value : schema.parse({})) as z.output<S>;
  return { value, reply: submission.reply() };
}

/**
 * A searchable GET page's state (readQuery of a schema with a `q` field) and the
 * search's message if it was refused: the page answers 400 with it, showing the
 * search as typed (`typed`) beside it, while its list ignores it.
 */
export function readSearchQuery<S extends z.ZodType<{ q: string }>>(search: URLSearchParams, schema: S) {
  const { value, reply } = readQuery(search, schema);
  const error = reply?.error?.q ?? null;
  return { params: value, error, typed: error ? (search.get("q") ?? "") : value.q };
}

/** The messages of a query's reply, by field, for a page that shows them beside its own fields. */
export const queryErrors = (reply: ReturnType<typeof readQuery>["reply"]): Record<string, string[]> =>
  Object.fromEntries(Object.entries(reply?.error ?? {}).filter((e): e is [string, string[]] => !!e[1]));
