/**
 * A FUZZER FOR EVERY ROUTE: property-based tests (fast-check) that send
 * generated values to every route of the authorization matrix (matrix.ts,
 * itself checked against app/routes.ts by authz-matrix.test.ts), as every kind
 * of actor, over HTTP against the built server on fresh demo data.
 *
 * Nobody writes a case here. What is fuzzed is discovered:
 * - the routes and methods, and a path per target, from the matrix's rows;
 * - the query parameters and form fields, by fetching every GET row as every
 *   actor the matrix lets see it and reading each page's forms (method,
 *   action, and the names and values of their <input>, <select>, <textarea>
 *   and named <button>) and links, then following the links and the GET forms
 *   (with their default values, and each radio in turn) a few steps deep to
 *   the pages behind them (review and confirmation steps), reading those too;
 * - the path ids, from the route pattern's :params.
 * Each run takes one route and method, an actor (the ones the matrix lets in
 * more often) and a base path (a real page's URL), and sends, for one focused
 * place (a path id, a field, or an extra field) and now and then the others
 * (one run in five: all of them), a generated value: control characters and NUL, lone surrogates (as the
 * bytes a hostile client sends), bidirectional overrides, huge and negative
 * integers and the edges of 32-bit and 53-bit integers, prototype words, a
 * field repeated, empty, missing, 10,000 characters, bytes that are not UTF-8,
 * a value seen on a page with its digits or words swapped for those, or the
 * value seen itself.
 *
 * Every answer must be below 500, carry no stack trace, and come whole. A GET,
 * a 4xx, or a POST sent back to sign-in must leave the database unchanged
 * (tests/support/snapshot.ts); other answers to a POST may be a valid change,
 * and become the new baseline. On the PostgreSQL server the database is
 * compared after every request. PGlite is one connection, owned by the server
 * process: a look at it restarts the server (seconds), so there it is
 * compared around all GETs and around all POSTs, the latter only if none of
 * them may have been a valid change (the server run checks each).
 *
 * Valid requests change the world as they go (a user deleted, a session
 * signed out or proxying): after any POST that may have changed something,
 * each actor's session is checked (who /settings says they are) and made
 * anew if it is not what it was, and values naming the actors themselves are
 * never sent, so every actor keeps a session to be fuzzed as.
 *
 * Runs: FUZZ_RUNS per place of each route and method (default 4: about a
 * minute and a half per database in CI, most of it on PGlite), seeded by FUZZ_SEED
 * (default 13; each route's seed is derived from it and the route, so a new
 * route does not reshuffle the others). A failure prints fast-check's seed
 * and path and the request that failed, shrunk; FUZZ_KEEP_GOING=1 lists every
 * distinct failure instead of stopping at the first of a route; FUZZ_DEBUG=1
 * prints each page discovery reads.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { matchRoutes } from "react-router";
import type { HttpClient } from "../support/http-client.ts";
import { changes, snapshot, type Snapshot } from "../support/snapshot.ts";
import { provisioningToken } from "../support/scim-client.ts";
import { isPerTarget, startMatrixWorld, type MatrixWorld } from "./matrix-world.ts";
import { ACTORS, LOGIN, MATRIX, TARGETS, type ActorKind, type Target } from "./matrix.ts";

const PORT = Number(process.env.E2E_PORT_BASE ?? 3100) + 12;
/** Runs per place of a route and method (path ids, fields, and one extra field). */
const RUNS = Number(process.env.FUZZ_RUNS ?? 4);
const SEED = Number(process.env.FUZZ_SEED ?? 13);
const KEEP_GOING = process.env.FUZZ_KEEP_GOING === "1";
const PER_REQUEST_DB_CHECK = Boolean(process.env.DATABASE_URL);

const ACTOR_KINDS = Object.keys(ACTORS) as ActorKind[];
/** The people behind the actors: values naming them are not sent (see above). */
const ACTOR_EMAILS = [
  "uma@acme.test",
  "oscar@acme.test",
  "olive@acme.test",
  "ada@acme.test",
  "gina@globex.test",
];
/** Routes whose GET ends or leaves nothing but must not be followed while discovering. */
const NOT_FOLLOWED = new Set(["/logout", "/proxy/end", "/users/export"]);

// ---------------------------------------------------------------------------
// Values

/** What a field or path segment carries: text (UTF-8 percent-encoded as a browser does) or bytes already encoded. */
type Value = string | { raw: string };

const CONTROL = [
  "\u0000",
  "\u0001",
  "\u0007",
  "\b",
  "\u001b",
  "\u007f",
  "\u0085",
  "\r",
  "\n",
  "\t",
  "\u2028",
];
const BIDI = ["\u202e", "\u202d", "\u2066", "\u2067", "\u2069", "\u200f", "\u061c"];
const LONE_SURROGATES = ["\ud800", "\udbff", "\udc00", "\udfff"];
const PROTOTYPE_WORDS = [
  "__proto__",
  "constructor",
  "toString",
  "prototype",
  "hasOwnProperty",
  "valueOf",
  "__defineGetter__",
  "isPrototypeOf",
];
const INTEGER_EDGES = [
  "0",
  "-0",
  "-1",
  "2147483647",
  "2147483648",
  "-2147483648",
  "-2147483649",
  "4294967296",
  "9007199254740991",
  "9007199254740992",
  "9007199254740993",
  "-9007199254740993",
  "18446744073709551616",
  "99999999999999999999999999999999",
  "1e21",
  "1e309",
  "1.5",
  "0x1f",
  "1_000",
  " 7",
  "007",
  "NaN",
  "Infinity",
  "-Infinity",
];
/** Percent-encoded bytes that are not UTF-8 text, or not percent-encoding at all. */
const RAW_BYTES = ["%", "%zz", "%FF", "%C0%80", "%ED%A0%80", "%E2%80", "%00", "a%00b"];
const TEN_THOUSAND = ["x".repeat(10_000), "9".repeat(10_000), "é".repeat(10_000), "\u202e".repeat(10_000)];

const oddUnit = fc.constantFrom(
  ...CONTROL,
  ...BIDI,
  ...LONE_SURROGATES,
  "a",
  "Z",
  "1",
  ":",
  " ",
  "é",
  "'",
  "<",
);

/** A hostile value, each class as likely as the others. */
const hostile: fc.Arbitrary<Value> = fc.oneof(
  fc.constantFrom<Value>("", " "),
  fc.constantFrom(...CONTROL).chain((c) => fc.constantFrom<Value>(c, `a${c}b`, `${c}1`, "\u0000")),
  fc.constantFrom<Value>(...BIDI, "abc\u202egnp.exe"),
  fc.constantFrom<Value>(...LONE_SURROGATES, "a\ud800b"),
  fc.constantFrom<Value>(...PROTOTYPE_WORDS),
  fc.constantFrom<Value>(...INTEGER_EDGES),
  fc
    .oneof(
      fc.integer({ min: -(2 ** 31) - 3, max: 2 ** 31 + 3 }),
      fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }),
    )
    .map(String),
  fc.constantFrom<Value>(...TEN_THOUSAND),
  fc.constantFrom(...RAW_BYTES).map((raw): Value => ({ raw })),
  fc.oneof(
    fc.string({ unit: oddUnit, minLength: 1, maxLength: 12 }),
    fc.string({ unit: "binary", maxLength: 16 }),
  ),
);

/**
 * A hostile value for a place whose values look like these: more of the
 * integer edges where they are numbers (or none were seen: a path id), more
 * prototype words where they are words, and NUL everywhere.
 */
function hostileFor(seen: string[]): fc.Arbitrary<Value> {
  const numeric = !seen.length || seen.some((v) => /^\d+$/.test(v));
  const words = seen.some((v) => /^[a-z_]{2,}$/i.test(v));
  return fc.oneof(
    { weight: 4, arbitrary: hostile },
    { weight: 2, arbitrary: fc.constantFrom<Value>("\u0000", "a\u0000", { raw: "%00" }) },
    { weight: numeric ? 3 : 0, arbitrary: fc.constantFrom<Value>(...INTEGER_EDGES) },
    { weight: words ? 2 : 0, arbitrary: fc.constantFrom<Value>(...PROTOTYPE_WORDS) },
  );
}

/** A value seen on a page, bent: a digit run or a word swapped, a hostile character put in. */
function bent(seen: string): fc.Arbitrary<Value> {
  const options: fc.Arbitrary<Value>[] = [
    fc.tuple(fc.nat({ max: seen.length }), oddUnit).map(([i, c]) => seen.slice(0, i) + c + seen.slice(i)),
    fc.constant(`${seen}${"x".repeat(10_000)}`),
  ];
  if (/\d/.test(seen))
    options.push(fc.constantFrom(...INTEGER_EDGES).map((n) => seen.replace(/\d+/, n.trim())));
  if (/[a-z]{2,}/i.test(seen))
    options.push(fc.constantFrom(...PROTOTYPE_WORDS).map((w) => seen.replace(/[a-z_]{2,}/i, w)));
  return fc.oneof(...options);
}

/** UTF-8 percent-encoding, with a lone surrogate sent as the three bytes a hostile client would send (WTF-8). */
function encode(value: Value): string {
  if (typeof value !== "string") return value.raw;
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const pair = c >= 0xd800 && c <= 0xdbff && /[\udc00-\udfff]/.test(value[i + 1] ?? "");
    if (pair) {
      out += encodeURIComponent(value.slice(i, i + 2));
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      out += [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)]
        .map((b) => `%${b.toString(16).toUpperCase()}`)
        .join("");
    } else out += encodeURIComponent(value[i]!);
  }
  return out;
}

const describeValue = (v: Value): string => {
  const s = typeof v === "string" ? JSON.stringify(v) : `raw ${v.raw}`;
  return s.length > 80 ? `${s.slice(0, 40)}…(${s.length} characters)` : s;
};

// ---------------------------------------------------------------------------
// Discovery

interface FoundForm {
  method: "GET" | "POST";
  action: string;
  fields: Map<string, Set<string>>;
  /** One submission with the form's defaults: each field's first value. */
  defaults: [string, string][];
  /** Each radio group's enabled values: a submission per value reaches each branch of a step. */
  radios: Map<string, string[]>;
}

/**
 * The forms and links of a page. React renders every attribute in double
 * quotes with `"`, `<` and `>` escaped, so a tag ends at the first `>`.
 */
function readPage(html: string, pageUrl: string): { forms: FoundForm[]; links: string[] } {
  const attrs = (tag: string) => {
    const out: Record<string, string> = {};
    for (const m of tag.matchAll(/\s([\w:-]+)(?:="([^"]*)")?/g))
      out[m[1]!.toLowerCase()] = unescape(m[2] ?? "");
    return out;
  };
  const forms: FoundForm[] = [];
  const byId = new Map<string, FoundForm>();
  let current: FoundForm | undefined;
  let select: { form: FoundForm | undefined; name: string; first?: string } | undefined;
  const add = (
    form: FoundForm | undefined,
    name: string | undefined,
    value: string,
    isDefault: boolean,
    submitted = value,
  ) => {
    if (!form || !name || name === "csrf") return;
    if (!form.fields.has(name)) form.fields.set(name, new Set());
    form.fields.get(name)!.add(value);
    if (isDefault && !form.defaults.some(([k]) => k === name)) form.defaults.push([name, submitted]);
  };

  const links: string[] = [];
  // Buttons that submit a shared form elsewhere on the page to their own action (the Options menus'):
  // each is a form of its own, the shared form's fields and the button's name and value.
  const submitters: Record<string, string>[] = [];
  for (const m of html.matchAll(/<(\/?)(form|input|select|option|textarea|button|a)\b([^>]*)>/gi)) {
    const [, closing, rawName, rest] = m;
    const name = rawName!.toLowerCase();
    if (closing) {
      if (name === "form") current = undefined;
      // A select with no option marked selected submits its first.
      if (name === "select" && select?.first !== undefined) add(select.form, select.name, select.first, true);
      if (name === "select") select = undefined;
      continue;
    }
    const a = attrs(rest!);
    const owner = a.form ? byId.get(a.form) : current;
    if (name === "form") {
      const action = new URL(a.action ?? pageUrl, `http://x${pageUrl}`);
      current = {
        method: (a.method ?? "get").toUpperCase() === "POST" ? "POST" : "GET",
        action: action.pathname + action.search,
        fields: new Map(),
        defaults: [],
        radios: new Map(),
      };
      forms.push(current);
      if (a.id) byId.set(a.id, current);
    } else if (name === "input") {
      const type = (a.type ?? "text").toLowerCase();
      const choosable = type === "checkbox" || type === "radio";
      // Checkboxes count as ticked, so that a selection's confirmation page is reached; a search
      // box is submitted with a word, so that the links and forms that carry a search show it.
      const value = a.value ?? (choosable ? "on" : "");
      add(
        owner,
        a.name,
        value,
        type !== "radio" || "checked" in a,
        type === "search" && !value ? "a" : value,
      );
      if (type === "radio" && owner && a.name && !("disabled" in a)) {
        if (!owner.radios.has(a.name)) owner.radios.set(a.name, []);
        owner.radios.get(a.name)!.push(a.value ?? "on");
      }
    } else if (name === "textarea") add(owner, a.name, "", true);
    else if (name === "button" && a.formaction && a.form) submitters.push(a);
    else if (name === "button") add(owner, a.name, a.value ?? "", false);
    else if (name === "select") select = { form: owner, name: a.name ?? "" };
    else if (name === "option" && select) {
      add(select.form, select.name, a.value ?? "", "selected" in a);
      select.first ??= a.value ?? "";
    } else if (name === "a" && a.href?.startsWith("/") && !a.href.startsWith("//")) links.push(a.href);
  }
  for (const b of submitters) {
    const shared = byId.get(b.form!);
    if (!shared) continue;
    const action = new URL(b.formaction!, `http://x${pageUrl}`);
    const own: FoundForm = {
      method: shared.method,
      action: action.pathname + action.search,
      fields: new Map(shared.fields),
      defaults: [...shared.defaults],
      radios: new Map(),
    };
    add(own, b.name, b.value ?? "", true);
    forms.push(own);
  }
  // A radio group with none checked: its first enabled radio, so that the next step is reached.
  for (const form of forms) for (const [name, values] of form.radios) add(form, name, values[0]!, true);
  return { forms, links };
}

const unescape = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

/** What is fuzzed of one route and method. */
interface Endpoint {
  route: string;
  method: "GET" | "POST";
  /** Paths (with a query) to start from: the matrix's, per target, and the forms' actions. */
  bases: Set<string>;
  /** Query parameters and (for POSTs) form fields, with the values seen for each. */
  query: Map<string, Set<string>>;
  body: Map<string, Set<string>>;
}

const ROUTES = [...new Set(MATRIX.map((r) => r.route))].map((path) => ({ path }));
const routeOf = (pathname: string) => matchRoutes(ROUTES, pathname)?.at(-1)?.route.path;

function merge(into: Map<string, Set<string>>, name: string, values: Iterable<string>) {
  if (!into.has(name)) into.set(name, new Set());
  for (const v of values) into.get(name)!.add(v);
}

// ---------------------------------------------------------------------------
// The world, the sessions and the database

let world: MatrixWorld;
const sessions = new Map<ActorKind, HttpClient>();
const identity = new Map<ActorKind, string>();
let actorIds: Set<string>;
const endpoints = new Map<string, Endpoint>();
let db: DbWatch;
/** FUZZ_KEEP_GOING: the first failure of each kind (route, method, what failed, where), by kind. */
const failures = new Map<string, string>();

/** Who /settings says the session is (and whether proxying): "" for nobody. */
async function whoIs(client: HttpClient): Promise<string> {
  const res = await client.get("/settings");
  const html = await res.text();
  if (res.status !== 200) return `${res.status}`;
  return `${html.match(/Account settings for ([^<]*)/)?.[1]} ${/action="\/proxy\/end"/.test(html)}`;
}

async function newSession(kind: ActorKind): Promise<void> {
  try {
    const client = await world.sessionOf(kind);
    sessions.set(kind, client);
    identity.set(kind, await whoIs(client));
  } catch (err) {
    // A valid request took this person away (deleted, say): go on with the session as it is.
    if (!sessions.has(kind)) throw err;
    console.warn(
      `The ${kind} actor has no new session (${(err as Error).message}): fuzzing on with the old one`,
    );
    identity.set(kind, await whoIs(sessions.get(kind)!));
  }
}

/** After a request that may have changed things: every session still who it was, or made anew. */
async function keepSessions(): Promise<void> {
  for (const kind of ACTOR_KINDS) {
    if ((await whoIs(sessions.get(kind)!)) === identity.get(kind)) continue;
    await newSession(kind);
    await db.outsideChange(); // a new proxy session is a change of the fuzzer's own
  }
}

/** The database compared with the baseline (see the top of the file for when). */
class DbWatch {
  private baseline: Snapshot | undefined;
  private unchecked: string[] = [];
  private mayHaveChanged: string[] = [];
  async reset() {
    this.baseline = await snapshot(world.app);
    this.unchecked = [];
    this.mayHaveChanged = [];
  }
  /** After a request: a problem, or null. */
  async after(request: string, mustNotChange: boolean): Promise<string | null> {
    if (!PER_REQUEST_DB_CHECK) {
      (mustNotChange ? this.unchecked : this.mayHaveChanged).push(request);
      return null;
    }
    const now = await snapshot(world.app);
    const diff = mustNotChange ? changes(this.baseline!, now) : {};
    this.baseline = now;
    return Object.keys(diff).length ? `changed the database: ${JSON.stringify(diff)}` : null;
  }
  async outsideChange() {
    if (PER_REQUEST_DB_CHECK) await this.reset();
    else this.mayHaveChanged.push("a session made anew");
  }
  /** PGlite: compares, if nothing since the baseline may have changed the database; then a new baseline. */
  async settle(): Promise<{ checked: number; skipped: string[]; diff: ReturnType<typeof changes> }> {
    const result = { checked: this.unchecked.length, skipped: this.mayHaveChanged, diff: {} };
    if (!PER_REQUEST_DB_CHECK) {
      const now = await snapshot(world.app);
      if (!this.mayHaveChanged.length) result.diff = changes(this.baseline!, now);
      else result.checked = 0;
      this.baseline = now;
      this.unchecked = [];
      this.mayHaveChanged = [];
    }
    return result;
  }
}

async function discover(): Promise<void> {
  const endpointOf = (method: "GET" | "POST", route: string): Endpoint => {
    const key = `${method} ${route}`;
    if (!endpoints.has(key))
      endpoints.set(key, { route, method, bases: new Set(), query: new Map(), body: new Map() });
    return endpoints.get(key)!;
  };
  // Every row's path, per target, with its body: the routes no page links to are fuzzed too.
  for (const row of MATRIX) {
    for (const target of isPerTarget(row) ? (Object.keys(TARGETS) as Target[]) : [undefined]) {
      // {fresh…} cells are the matrix walk's: here, the standing deleted users.
      const extra = {
        fresh: target ? world.targets[target].deletedUser : "",
        freshCompanyAdmin: target ? world.targets[target].deletedCompanyAdmin : "",
      };
      const url = new URL(world.fill(row.path ?? row.route, target, extra), "http://x");
      const e = endpointOf(row.method, row.route);
      e.bases.add(url.pathname + url.search);
      for (const [k, v] of url.searchParams) merge(e.query, k, [v]);
      for (const [k, v] of Object.entries(row.body ?? {})) merge(e.body, k, [world.fill(v, target, extra)]);
    }
  }
  // Every GET row as every actor; then, as the same actor, the links of those pages and their GET
  // forms with their default values, once per actor, route and set of query names (review steps lie
  // a few forms deep: Transfer Licenses' category, then offices, then type and quantity).
  const fetched = new Map<string, number>();
  let frontier: { kind: ActorKind; url: string; row?: true }[] = [];
  // (Only the pages the matrix says the actor sees: the others have nothing to read.)
  for (const row of MATRIX.filter((r) => r.method === "GET" && !NOT_FOLLOWED.has(r.route)))
    for (const target of isPerTarget(row) ? (Object.keys(TARGETS) as Target[]) : [undefined])
      for (const kind of ACTOR_KINDS) {
        const cell = row.expect[kind];
        if ((typeof cell === "string" ? cell : cell[target!]) === "200")
          frontier.push({ kind, url: world.fill(row.path ?? row.route, target), row: true });
      }
  for (let depth = 0; depth < 5 && frontier.length; depth++) {
    const next: typeof frontier = [];
    for (const { kind, url, row } of frontier) {
      const parsed = new URL(url, "http://x");
      const route = routeOf(parsed.pathname);
      // A few pages of each shape: the first of a list may be one without the form (a number on hold).
      const key = row ? `${kind} ${url}` : `${kind} ${route} ${[...parsed.searchParams.keys()].sort()}`;
      if (!route || (fetched.get(key) ?? 0) >= (row ? 1 : 3) || fetched.has(`${kind} ${url}`)) continue;
      fetched.set(key, (fetched.get(key) ?? 0) + 1);
      fetched.set(`${kind} ${url}`, 1);
      const res = await sessions.get(kind)!.get(url);
      if (process.env.FUZZ_DEBUG) console.log(`discover ${depth} ${kind} ${url} ${res.status}`);
      const html = await res.text();
      if (res.status !== 200 || !res.headers.get("content-type")?.includes("html")) continue;
      endpointOf("GET", route).bases.add(url);
      const { forms, links } = readPage(html, url);
      for (const form of forms) {
        const action = new URL(form.action, "http://x");
        const route = routeOf(action.pathname);
        if (!route) continue;
        const e = endpointOf(form.method, route);
        e.bases.add(action.pathname + (form.method === "POST" ? action.search : ""));
        for (const [k, v] of action.searchParams) merge(e.query, k, [v]);
        for (const [k, values] of form.fields) merge(form.method === "GET" ? e.query : e.body, k, values);
        if (form.method === "GET" && !NOT_FOLLOWED.has(route)) {
          const submit = (fields: [string, string][]) =>
            next.push({ kind, url: `${action.pathname}?${new URLSearchParams(fields)}` });
          submit(form.defaults);
          for (const [name, values] of form.radios)
            for (const value of values.slice(1))
              submit(form.defaults.map(([k, v]) => [k, k === name ? value : v]));
        }
      }
      for (const link of links) {
        const target = new URL(link, "http://x");
        const route = routeOf(target.pathname);
        if (!route) continue;
        for (const [k, v] of target.searchParams) merge(endpointOf("GET", route).query, k, [v]);
        if (!NOT_FOLLOWED.has(route)) next.push({ kind, url: link });
      }
    }
    frontier = next;
  }
  // Values naming the actors themselves are not sent (they would sign the fuzzer's own sessions out).
  for (const e of endpoints.values()) {
    for (const fields of [e.query, e.body])
      for (const values of fields.values())
        for (const v of values)
          if ([...actorIds].some((id) => v === id || v.endsWith(`:${id}`))) values.delete(v);
    // A user's id in a path follows "users" (or "deleted", "Users"); other ids (an import's) may share its digits.
    for (const base of e.bases) {
      const segments = new URL(base, "http://x").pathname.split("/");
      if (segments.some((s, i) => actorIds.has(s) && /^(users|deleted|Users)$/.test(segments[i - 1] ?? "")))
        e.bases.delete(base);
    }
  }
}

// ---------------------------------------------------------------------------
// Requests

interface Request {
  actor: ActorKind;
  method: "GET" | "POST";
  path: string;
  body: string;
  /** What was generated, in words, for the failure message. */
  what: string[];
}

type FieldChoice = { omit: true } | { values: Value[] };

/** A field's generated value: hostile, a seen value bent, missing, repeated, or a seen value. */
function fieldChoice(seen: Set<string>): fc.Arbitrary<FieldChoice> {
  const values = [...seen];
  const valid: fc.Arbitrary<Value> = values.length ? fc.constantFrom(...values) : fc.constant("");
  const bentValue = values.length ? fc.constantFrom(...values).chain(bent) : hostileFor(values);
  return fc.oneof(
    { weight: 3, arbitrary: hostileFor(values).map((v) => ({ values: [v] })) },
    { weight: 2, arbitrary: bentValue.map((v) => ({ values: [v] })) },
    { weight: 1, arbitrary: fc.constant({ omit: true as const }) },
    {
      weight: 1,
      arbitrary: fc
        .array(fc.oneof(valid, hostile), { minLength: 2, maxLength: 3 })
        .map((vs) => ({ values: vs })),
    },
    { weight: 1, arbitrary: valid.map((v) => ({ values: [v] })) },
  );
}

/** Whether the matrix lets this actor past authorization on this route (for a target, at least). */
function authorized(e: Endpoint, kind: ActorKind): boolean {
  const refusals = new Set(["403", "404", "302 /settings", "302 /login", LOGIN]);
  return MATRIX.filter((r) => r.route === e.route && r.method === e.method).some((row) => {
    const cell = row.expect[kind];
    return (typeof cell === "string" ? [cell] : Object.values(cell)).some((a) => !refusals.has(a));
  });
}

const recordOf = <T>(names: string[], arb: (name: string) => fc.Arbitrary<T>) =>
  fc.record(Object.fromEntries(names.map((n) => [n, arb(n)])) as Record<string, fc.Arbitrary<T>>);

/** The indexes of the path's segments that are :params (or the splat). */
const paramsOf = (e: Endpoint) =>
  e.route
    .split("/")
    .map((segment, i) => (segment.startsWith(":") || segment === "*" ? i : -1))
    .filter((i) => i >= 0);

const fieldsOf = (e: Endpoint) => ({
  query: e.query,
  body: e.method === "POST" ? e.body : new Map<string, Set<string>>(),
});

/** Where a request can carry a generated value: "path 2", "query q", "body id", "extra -". */
function placesOf(e: Endpoint): string[] {
  const { query, body } = fieldsOf(e);
  return [
    ...paramsOf(e).map((i) => `path ${i}`),
    ...[...query.keys()].map((n) => `query ${n}`),
    ...[...body.keys()].map((n) => `body ${n}`),
    "extra -",
  ];
}

/**
 * Requests to one endpoint, as an actor (those the matrix lets in four times
 * as often): mostly one focused place (a path id, a field, or an extra field
 * with a prototype word for a name) gets a generated value and each other
 * place a seen value (now and then a generated one too); sometimes every
 * place gets a generated value at once (a list's filters each reach the query).
 */
function requests(e: Endpoint): fc.Arbitrary<Request> {
  const params = paramsOf(e);
  const fields = fieldsOf(e);
  const places = placesOf(e);
  const perField = (m: Map<string, Set<string>>) => ({
    generated: recordOf([...m.keys()], (n) => fieldChoice(m.get(n)!)),
    seen: recordOf([...m.keys()], (n) => (m.get(n)!.size ? fc.constantFrom(...m.get(n)!) : fc.constant(""))),
  });
  const query = perField(fields.query);
  const body = perField(fields.body);
  return fc
    .record({
      actor: fc.oneof(
        ...ACTOR_KINDS.map((k) => ({ weight: authorized(e, k) ? 4 : 1, arbitrary: fc.constant(k) })),
      ),
      base: fc.constantFrom(...e.bases),
      // one run in five: every place generated (shrinking goes towards 0: one place)
      storm: fc.nat({ max: 4 }).map((n) => n === 4),
      focus: fc.constantFrom(...places),
      pathValues: fc.array(hostileFor([]), { minLength: params.length, maxLength: params.length }),
      queryGenerated: query.generated,
      querySeen: query.seen,
      // each other place: generated one time in seven
      queryAlso: recordOf([...fields.query.keys()], () => fc.nat({ max: 6 }).map((n) => n === 6)),
      bodyGenerated: body.generated,
      bodySeen: body.seen,
      bodyAlso: recordOf([...fields.body.keys()], () => fc.nat({ max: 6 }).map((n) => n === 6)),
      extraName: fc.constantFrom(...PROTOTYPE_WORDS, "q", "id", "page"),
      extraValue: hostile,
    })
    .map((r): Request => {
      const what: string[] = [];
      const [focusKind, focusName] = r.focus.split(" ") as [string, string];
      const generatedHere = (kind: string, name: string, also: boolean) =>
        r.storm || (focusKind === kind && focusName === name) || also;
      const url = new URL(r.base, "http://x");
      const segments = url.pathname.split("/");
      params.forEach((index, i) => {
        if (!generatedHere("path", String(index), false)) return;
        segments[index] = encode(r.pathValues[i]!);
        what.push(`path segment ${index} = ${describeValue(r.pathValues[i]!)}`);
      });
      const pairs = (
        kind: "query" | "body",
        generated: Record<string, FieldChoice>,
        seen: Record<string, string>,
        also: Record<string, boolean>,
        start: [string, string][],
      ) => {
        // Names as they are, values encoded.
        const out = new Map<string, string[]>(start.map(([k, v]) => [k, [encode(v)]]));
        for (const name of fields[kind].keys()) {
          if (!generatedHere(kind, name, also[name]!)) {
            // A base is a real page's URL: its query stays as it is (a review step's parameters
            // belong together); a body gets a value seen for the field.
            if (kind === "body") out.set(name, [encode(seen[name]!)]);
            continue;
          }
          const choice = generated[name]!;
          if ("omit" in choice) {
            out.delete(name);
            what.push(`${kind} ${name} left out`);
          } else {
            out.set(name, choice.values.map(encode));
            what.push(`${kind} ${name} = ${choice.values.map(describeValue).join(" & ")}`);
          }
        }
        return out;
      };
      const query = pairs("query", r.queryGenerated, r.querySeen, r.queryAlso, [...url.searchParams]);
      const body = pairs("body", r.bodyGenerated, r.bodySeen, r.bodyAlso, []);
      if (generatedHere("extra", "-", false)) {
        (e.method === "POST" ? body : query).set(r.extraName, [encode(r.extraValue)]);
        what.push(`extra field ${r.extraName} = ${describeValue(r.extraValue)}`);
      }
      const join = (m: Map<string, string[]>) =>
        [...m].flatMap(([k, vs]) => vs.map((v) => `${encode(k)}=${v}`)).join("&");
      const q = join(query);
      return {
        actor: r.actor,
        method: e.method,
        path: segments.join("/") + (q ? `?${q}` : ""),
        body: e.method === "POST" ? join(body) : "",
        what,
      };
    });
}

/** Leftovers of a failure a page must never show: a stack frame, the server's own files, SQL's words. */
const LEAKS =
  /\n\s+at [\w$.<>[\] ]+ \(|\bat (?:file|node):|node_modules\/|build\/server\/|\.server\.ts|SQLSTATE|syntax error at or near|invalid input syntax for|violates [\w ]+ constraint|out of range for type/;

async function send(req: Request): Promise<string | null> {
  const client = sessions.get(req.actor)!;
  const described = `${req.method} ${req.path.slice(0, 300)}${req.body ? ` body ${req.body.slice(0, 300)}` : ""} as ${req.actor} (${req.what.join("; ") || "values as seen"})`;
  let status: number;
  let location: string | null;
  try {
    const res =
      req.method === "GET" ? await client.get(req.path) : await client.post(req.path, {}, { raw: req.body });
    status = res.status;
    location = res.headers.get("location");
    const text = await res.text();
    if (status >= 500) return `${described}: ${status}`;
    const leak = text.match(LEAKS);
    if (leak)
      return `${described}: ${status} shows ${JSON.stringify(text.slice(Math.max(0, leak.index! - 80), leak.index! + 120))}`;
  } catch (err) {
    return `${described}: no whole answer (${(err as Error).message}; ${((err as Error).cause as Error)?.message ?? ""})`;
  }
  const mustNotChange =
    req.method === "GET" ||
    (status >= 400 && status < 500) ||
    Boolean(location?.startsWith("/login?redirectTo="));
  const changed = await db.after(described, mustNotChange);
  if (!mustNotChange) await keepSessions();
  return changed && `${described}: ${status}, ${changed}`;
}

function seedOf(key: string): number {
  let h = SEED;
  for (const c of key) h = (Math.imul(h, 31) + c.charCodeAt(0)) | 0;
  return h;
}

// ---------------------------------------------------------------------------

beforeAll(async () => {
  world = await startMatrixWorld("http_fuzz", PORT, ACTOR_EMAILS);
  actorIds = new Set(ACTOR_EMAILS.map((e) => String(world.user[e])));
  for (const kind of ACTOR_KINDS) await newSession(kind);
  const started = Date.now();
  await discover();
  console.log(`Discovered in ${Date.now() - started} ms`);
  db = new DbWatch();
  await db.reset();
  console.log(
    `Fuzzing ${endpoints.size} routes and methods, ${RUNS} runs each, FUZZ_SEED=${SEED}: ${[
      ...endpoints.values(),
    ]
      .map((e) => `${e.method} ${e.route} [${[...e.query.keys(), ...e.body.keys()].join(" ")}]`)
      .join(", ")}`,
  );
}, 600_000);

afterAll(async () => {
  if (failures.size) console.log(`Distinct failures:\n${[...failures.values()].join("\n")}`);
  await world?.app.stop();
});

describe("every route, fuzzed", () => {
  const keys = [...new Set(MATRIX.map((r) => `${r.method} ${r.route}`))].sort((a, b) =>
    a.startsWith("GET") === b.startsWith("GET") ? a.localeCompare(b) : a.startsWith("GET") ? -1 : 1,
  );
  let method = "GET";
  for (const key of keys) {
    if (!key.startsWith(method)) {
      it("GETs left the database unchanged", () => settled());
      method = "POST";
    }
    it(`${key}: no 5xx, no stack trace, nothing changed by a refusal`, async () => {
      const e = endpoints.get(key)!;
      expect(e, `${key}: not discovered`).toBeDefined();
      await fc.assert(
        fc.asyncProperty(requests(e), async (req) => {
          const problem = await send(req);
          if (problem && KEEP_GOING) {
            const where = req.what.map((w) => w.replace(/ = .*| left out/, "")).join(", ");
            const kind = `${key} ${req.actor === "anonymous" ? "anonymous" : "signed in"} [${where}] ${problem.split(/\): /).at(-1)!.slice(0, 40)}`;
            if (!failures.has(kind)) failures.set(kind, problem.slice(0, 600));
          } else if (problem) throw new Error(problem);
        }),
        { seed: seedOf(key), numRuns: RUNS * placesOf(e).length, endOnFailure: KEEP_GOING },
      );
    }, 600_000);
  }
  it("POSTs refused left the database unchanged", () => settled());
  it("found nothing (FUZZ_KEEP_GOING)", () => expect([...failures.keys()]).toEqual([]));
});

async function settled() {
  const { checked, skipped, diff } = await db.settle();
  if (!PER_REQUEST_DB_CHECK)
    console.log(
      checked
        ? `The database compared after ${checked} requests.`
        : `Not compared: ${skipped.length} requests may have been valid changes (the server run compares each).`,
    );
  expect(diff).toEqual({});
}

// ---------------------------------------------------------------------------
// The SCIM service, which no session reaches (the matrix's rows are all 401):
// fuzzed here with a company's bearer token, as an identity provider calls it.

const SCIM_EXTENSION = "urn:switchboard:params:scim:schemas:extension:2.0:User";
const SCIM_PATHS = [
  "userName",
  "name.givenName",
  "name.familyName",
  "title",
  "externalId",
  "active",
  'emails[type eq "work"].value',
  "displayName",
  `${SCIM_EXTENSION}:office`,
  "phoneNumbers",
];
const SCIM_QUERY = [
  "filter",
  "startIndex",
  "count",
  "attributes",
  "excludedAttributes",
  "sortBy",
  "sortOrder",
];

interface ScimFuzz {
  method: string;
  path: string;
  body?: string;
  token: "valid" | "revoked" | "garbage";
}

/** JSON's text of a hostile value (raw bytes as their characters). */
const asText = (v: Value) => (typeof v === "string" ? v : v.raw);
/** A leaf of a SCIM document: hostile text, a plausible value, or JSON of another type. */
const scimLeaf: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostile.map(asText) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "fuzz.one@acme.test",
      "Ada",
      "Lovelace",
      "San Francisco",
      "Sell",
      "True",
      "work",
    ),
  },
  {
    weight: 1,
    arbitrary: fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 2 })),
  },
);
const scimUser = fc.record(
  {
    schemas: fc.constant(["urn:ietf:params:scim:schemas:core:2.0:User"]),
    userName: scimLeaf,
    name: fc.oneof(fc.record({ givenName: scimLeaf, familyName: scimLeaf }, { requiredKeys: [] }), scimLeaf),
    emails: fc.oneof(
      fc.array(fc.record({ value: scimLeaf, primary: scimLeaf, type: scimLeaf }), { maxLength: 3 }),
      scimLeaf,
    ),
    active: scimLeaf,
    externalId: scimLeaf,
    title: scimLeaf,
    displayName: scimLeaf,
    id: scimLeaf,
    [SCIM_EXTENSION]: fc.oneof(
      fc.record({ office: scimLeaf, license: scimLeaf }, { requiredKeys: [] }),
      scimLeaf,
    ),
  },
  { requiredKeys: [] },
);
const scimPatch = fc.record(
  {
    schemas: fc.constant(["urn:ietf:params:scim:api:messages:2.0:PatchOp"]),
    Operations: fc.oneof(
      fc.array(
        fc.record(
          {
            op: fc.oneof(fc.constantFrom("add", "replace", "remove", "Replace", "Add"), scimLeaf),
            path: fc.oneof(fc.constantFrom(...SCIM_PATHS), scimLeaf),
            value: fc.oneof(scimLeaf, scimUser),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 4 },
      ),
      scimLeaf,
    ),
  },
  { requiredKeys: [] },
);

function scimRequests(ids: string[]): fc.Arbitrary<ScimFuzz> {
  const id = fc.oneof(fc.constantFrom(...ids), hostileFor([]).map(encode));
  const query = fc
    .dictionary(
      fc.constantFrom(...SCIM_QUERY),
      fc.oneof(hostile.map(asText), fc.constantFrom("userName", "1", "10")),
      {
        maxKeys: 3,
      },
    )
    .map((q) => (Object.keys(q).length ? `?${new URLSearchParams(q)}` : ""));
  const body = fc.oneof(
    fc.oneof(scimUser, scimPatch, fc.jsonValue({ maxDepth: 3 })).map((b) => JSON.stringify(b)),
    hostile.map(asText),
  );
  return fc.record({
    method: fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE"),
    path: fc.oneof(
      query.map((q) => `/Users${q}`),
      fc.tuple(id, query).map(([i, q]) => `/Users/${i}${q}`),
      query.map((q) => `/Groups${q}`),
      id.map((i) => `/Groups/${i}`),
      fc.constantFrom("/ServiceProviderConfig", "/ResourceTypes", "/Schemas", "/Nope"),
      id.map((i) => `/Schemas/${i}`),
    ),
    body: fc.option(body, { nil: undefined }),
    token: fc.constantFrom<ScimFuzz["token"]>("valid", "valid", "valid", "valid", "revoked", "garbage"),
  });
}

describe("the SCIM service, fuzzed with a token", () => {
  let tokens: Record<ScimFuzz["token"], string>;
  let ids: string[];

  beforeAll(async () => {
    ({ tokens, ids } = await world.app.withDb(async (db) => {
      const made = await provisioningToken(db, "ada@acme.test", "Fuzz");
      const revoked = await provisioningToken(db, "ada@acme.test", "Revoked");
      // A last use in the future is never brought forward: requests leave the token's row as it is.
      await db
        .updateTable("provisioning_tokens")
        .set({ last_used_at: new Date("2100-01-01T00:00:00Z") })
        .where("id", "in", [made.id, revoked.id])
        .execute();
      await db
        .updateTable("provisioning_tokens")
        .set({ revoked_at: new Date() })
        .where("id", "=", revoked.id)
        .execute();
      // Targets that are no actor of the fuzzer above: one user of each company.
      const targets = await db
        .selectFrom("users")
        .select("id")
        .where("email", "in", ["marcus@acme.test", "walter@globex.test"])
        .execute();
      return {
        tokens: { valid: made.token, revoked: revoked.token, garbage: `sbp_${"A".repeat(43)}` },
        ids: targets.map((t) => String(t.id)),
      };
    }));
    await db.reset();
  }, 120_000);

  it("no 5xx, no stack trace, SCIM's error JSON for every refusal, nothing changed by one", async () => {
    await fc.assert(
      fc.asyncProperty(scimRequests(ids), async (req) => {
        const described = `${req.method} ${req.path.slice(0, 300)}${req.body ? ` body ${req.body.slice(0, 300)}` : ""} (${req.token} token)`;
        let status: number;
        try {
          const res = await fetch(`${world.app.origin}/scim/v2${req.path}`, {
            method: req.method,
            headers: {
              Authorization: `Bearer ${tokens[req.token]}`,
              "Content-Type": "application/scim+json",
            },
            body: req.method === "GET" || req.method === "DELETE" ? undefined : req.body,
          });
          status = res.status;
          const text = await res.text();
          const leak = text.match(LEAKS);
          if (status >= 500 && status !== 501)
            throw new Error(`${described}: ${status} ${text.slice(0, 300)}`);
          if (leak) throw new Error(`${described}: ${status} shows ${text.slice(0, 300)}`);
          // 431: a URL past Node's header limit, answered before the app sees it.
          if (status === 431) return;
          if (status !== 204 && !res.headers.get("content-type")?.startsWith("application/scim+json"))
            throw new Error(`${described}: ${status} as ${res.headers.get("content-type")}`);
          if (status >= 400) {
            const error = JSON.parse(text) as { schemas?: string[]; status?: string; detail?: string };
            if (
              !error.schemas?.includes("urn:ietf:params:scim:api:messages:2.0:Error") ||
              error.status !== String(status)
            )
              throw new Error(`${described}: ${status} without SCIM's error JSON: ${text.slice(0, 300)}`);
          }
        } catch (err) {
          if ((err as Error).message.startsWith(described)) throw err;
          throw new Error(`${described}: no whole answer (${(err as Error).message})`, { cause: err });
        }
        const mustNotChange = req.method === "GET" || status >= 400;
        const changed = await db.after(described, mustNotChange);
        if (changed) throw new Error(`${described}: ${status}, ${changed}`);
      }),
      { seed: seedOf("SCIM"), numRuns: RUNS * 50 },
    );
  }, 600_000);
  it("refusals left the database unchanged", () => settled());
});
