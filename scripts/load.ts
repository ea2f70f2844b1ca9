/**
 * `npm run load`: 50 signed-in admins at once on a PostgreSQL server, doing
 * what admins do (search and page the users list, bulk admin access and
 * deletes, single deletes and restores, Add User, reserved-number reassigns, license
 * changes and transfers, user transfers, proxy sessions) for a set time; then
 * every invariant is checked with SQL (scripts/load/invariants.ts).
 *
 *   DATABASE_URL=postgres://… npm run load                  60 s, 2,000 extra users
 *   DATABASE_URL=postgres://… npm run load -- --seconds 20 --users 500
 *
 * It runs the built server on a database of its own, `<dbname>_load`, made
 * afresh each run with the demo data plus the extra users in Acme. Refusals
 * (409, 404, 400: someone else got there first) are expected; any 5xx or
 * broken invariant makes it exit 1.
 */
import { parseArgs } from "node:util";
import pg from "pg";
import { DATABASE_OPTIONS, migrateToLatest, openDatabase } from "../db/connect.ts";
import { seedDemo, seedScale } from "../db/seed/index.ts";
import { admin } from "./bench/lifecycle.ts";
import { percentile } from "./bench/load.ts";
import { buildIfMissing, startServer, type RunningServer } from "../tests/support/app-server.ts";
import { HttpClient } from "../tests/support/http-client.ts";
import { checkInvariants } from "./load/invariants.ts";

const ADMINS = 50;
// Acme (five offices, thousands of users) gets most of them; Globex's one office the rest.
const ADMIN_EMAILS = ["ada@acme.test", "ada@acme.test", "ada@acme.test", "ada@acme.test", "gina@globex.test"];

const { values } = parseArgs({
  options: { seconds: { type: "string", default: "60" }, users: { type: "string", default: "2000" } },
});
const seconds = Number(values.seconds);
const extraUsers = Number(values.users);
if (!(seconds > 0) || !Number.isInteger(extraUsers) || extraUsers < 0) {
  console.error(
    `--seconds needs a positive number and --users a whole one, not "${values.seconds}" and "${values.users}".`,
  );
  process.exit(2);
}
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error(
    "The load test runs on a PostgreSQL server, where concurrent transactions really race; PGlite is one connection.\n" +
      "Set DATABASE_URL, e.g. DATABASE_URL=postgres://switchboard:switchboard@localhost/switchboard npm run load\n" +
      "It works in a database of its own beside that one (<dbname>_load), made afresh on every run.",
  );
  process.exit(1);
}

const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;

/** The hidden fields of a page's forms (the review keys and counts a confirmation posts back). */
function hiddenFields(html: string): URLSearchParams {
  const fields = new URLSearchParams();
  const unescape = (v: string) =>
    v
      .replace(/&quot;/g, '"')
      .replace(/&#x27;/g, "'")
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&amp;/g, "&");
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g))
    fields.set(m[1]!, unescape(m[2]!));
  return fields;
}

interface Stats {
  latencies: number[];
  byStatus: Map<number, number>;
  /** Per kind of request, its answers: shows each was exercised, not refused every time. */
  byAction: Map<string, Map<number, number>>;
  failures: string[];
  changes: number;
}

/** One admin's scenario: the candidates are read from the database, as an admin reads them off the page. */
class Admin {
  constructor(
    private http: HttpClient,
    private db: pg.Pool,
    private companyId: number,
    private stats: Stats,
  ) {}

  private async send(
    label: string,
    request: () => Promise<Response>,
    change = false,
  ): Promise<{ status: number; body: string }> {
    const started = performance.now();
    const res = await request();
    const body = await res.text();
    this.stats.latencies.push(performance.now() - started);
    this.stats.byStatus.set(res.status, (this.stats.byStatus.get(res.status) ?? 0) + 1);
    const tally = this.stats.byAction.get(label) ?? new Map<number, number>();
    this.stats.byAction.set(label, tally.set(res.status, (tally.get(res.status) ?? 0) + 1));
    if (res.status >= 500 && this.stats.failures.length < 10)
      this.stats.failures.push(`${label}: HTTP ${res.status}`);
    if (change && res.status >= 300 && res.status < 400) this.stats.changes++;
    return { status: res.status, body };
  }

  private async ids(sql: string, n = 1): Promise<number[]> {
    const { rows } = await this.db.query<{ id: number }>(`${sql} order by random() limit ${n}`, [
      this.companyId,
    ]);
    return rows.map((r) => r.id);
  }

  // Users the admins may change: not the admins themselves, whose accounts the workers are signed in with.
  private liveUsers(n = 1) {
    return this.ids(
      `select id from users where company_id = $1 and status <> 'deleted' and email not in ('ada@acme.test', 'gina@globex.test')`,
      n,
    );
  }

  readonly actions: [weight: number, run: () => Promise<unknown>][] = [
    [30, () => this.browse()],
    [6, () => this.bulk(pick(["add_admin", "remove_admin"]))],
    [4, () => this.bulk("delete")],
    [8, () => this.deleteOne()],
    [8, () => this.restore()],
    [10, () => this.reassign()],
    [8, () => this.changeLicense()],
    [6, () => this.transferLicenses()],
    [6, () => this.transferUser()],
    [6, () => this.addUser()],
    [6, () => this.proxy()],
  ];

  private browse() {
    const q = new URLSearchParams({
      q: pick(["", "", "a", "ma", "son", "an", "415", "acme"]),
      page: String(1 + Math.floor(Math.random() * 3)),
    });
    if (Math.random() < 0.3) q.set("license", pick(["connect", "sell", "support"]));
    if (Math.random() < 0.2) q.set("sort", pick(["name", "email", "added"]));
    if (Math.random() < 0.2) q.set("status", pick(["active", "pending"]));
    return this.send("list", () => this.http.get(`/users?${q}`));
  }

  private async bulk(action: "add_admin" | "remove_admin" | "delete") {
    const ids = await this.liveUsers(2 + Math.floor(Math.random() * 4));
    if (ids.length === 0) return;
    const body = { action, id: ids.map(String), ...(action === "delete" ? { license: "keep" } : {}) };
    return this.send(`bulk ${action}`, () => this.http.post("/users/bulk", body), true);
  }

  private async deleteOne() {
    const [id] = await this.liveUsers();
    if (id)
      await this.send(
        "delete",
        () => this.http.post(`/users/${id}/delete`, { license: pick(["keep", "remove"]) }),
        true,
      );
  }

  private async restore() {
    const [id] = await this.ids(
      `select id from users where company_id = $1 and status = 'deleted' and anonymized_at is null and deleted_at > now() - interval '72 hours'`,
    );
    if (id) await this.send("restore", () => this.http.post(`/users/deleted/${id}/restore`, {}), true);
  }

  private async reassign() {
    const [number] = await this.ids(
      `select id from phone_numbers where company_id = $1 and state = 'reserved' and (held_until is null or held_until < now())`,
    );
    const [user] = await this.liveUsers();
    if (!number || !user) return;
    const fields = { target: `user:${user}`, as: pick(["primary", "additional"]) };
    return this.send(
      "reassign",
      () => this.http.post(`/users/reserved-numbers/${number}/reassign`, fields),
      true,
    );
  }

  private async changeLicense() {
    const [id] = await this.liveUsers();
    if (!id) return;
    const to = pick(["connect", "sell", "support"]);
    const review = await this.send("license change review", () =>
      this.http.get(`/users/${id}/license?step=confirm&to=${to}`),
    );
    const fields = hiddenFields(review.body);
    if (review.status !== 200 || !fields.has("seen")) return;
    if (Math.random() < 0.5) fields.set("keepNumber", "on");
    return this.send("license change", () => this.http.post(`/users/${id}/license`, fields), true);
  }

  private async transferLicenses() {
    const offices = await this.ids("select id from offices where company_id = $1", 2);
    if (offices.length < 2) return;
    const q = new URLSearchParams({
      step: "review",
      category: "dialpad",
      from: String(offices[0]),
      to: String(offices[1]),
    });
    q.set("type", pick(["connect", "sell", "support"]));
    q.set("quantity", String(1 + Math.floor(Math.random() * 3)));
    const review = await this.send("license transfer review", () =>
      this.http.get(`/company/licenses/transfer?${q}`),
    );
    const fields = hiddenFields(review.body);
    if (review.status !== 200 || !fields.has("seen")) return;
    return this.send("license transfer", () => this.http.post("/company/licenses/transfer", fields), true);
  }

  private async transferUser() {
    const [id] = await this.liveUsers();
    const [office] = await this.ids("select id from offices where company_id = $1");
    if (!id || !office) return;
    // Next holds the new number (another country), then the review; some admins leave it instead of confirming.
    // Holding and leaving change no user and write no audit entry, so they are not counted as changes.
    const next = await this.send("user transfer next", () =>
      this.http.post(`/users/${id}/transfer`, { intent: "next", office: String(office) }),
    );
    if (next.status !== 302) return;
    const review = await this.send("user transfer review", () =>
      this.http.get(`/users/${id}/transfer?step=review&office=${office}`),
    );
    const fields = hiddenFields(review.body);
    if (review.status !== 200 || !fields.has("seen")) return;
    if (Math.random() < 0.2) {
      return this.send("user transfer leave", () =>
        this.http.post(`/users/${id}/transfer`, { intent: pick(["back", "cancel"]), office: String(office) }),
      );
    }
    return this.send("user transfer", () => this.http.post(`/users/${id}/transfer`, fields), true);
  }

  private async addUser() {
    const [office] = await this.ids("select id from offices where company_id = $1");
    if (!office) return;
    const form = await this.send("add user form", () => this.http.get(`/users/new?office=${office}`));
    // As a person does: one of the numbers the form offers (the pool's, or a new one), now and then none.
    const offered = [...form.body.matchAll(/name="number" value="((?:pool|new):[^"]+)"/g)].map((m) => m[1]!);
    const fields = {
      officeId: String(office),
      firstName: "Load",
      lastName: "Tester",
      email: `load.${crypto.randomUUID()}@acme.test`,
      licenseType: pick(["connect", "sell", "support"]),
      number: offered.length > 0 && Math.random() < 0.9 ? pick(offered) : "none",
    };
    return this.send("add user", () => this.http.post("/users/new", fields), true);
  }

  private async proxy() {
    const [id] = await this.ids(
      `select id from users where company_id = $1 and status = 'active' and not is_company_admin and email not in ('ada@acme.test', 'gina@globex.test')`,
    );
    if (!id) return;
    const start = await this.send(
      "proxy start",
      () => this.http.post(`/users/${id}/proxy`, { reason: "load test" }),
      true,
    );
    if (start.status !== 302) return;
    await this.send("proxied settings", () => this.http.get("/settings"));
    // Ended here, or already by the server if the user was deleted meanwhile: then /proxy/end finds nothing to end.
    await this.send("proxy end", () => this.http.post("/proxy/end", {}));
  }

  async run(until: number): Promise<void> {
    const total = this.actions.reduce((sum, [w]) => sum + w, 0);
    while (performance.now() < until) {
      let r = Math.random() * total;
      const [, action] = this.actions.find(([w]) => (r -= w) < 0)!;
      try {
        await action();
      } catch (err) {
        this.stats.byStatus.set(0, (this.stats.byStatus.get(0) ?? 0) + 1);
        if (this.stats.failures.length < 10) this.stats.failures.push(`no answer: ${(err as Error).message}`);
      }
    }
  }
}

async function prepareDatabase(): Promise<string> {
  const url = new URL(databaseUrl!);
  const name = `${url.pathname.slice(1) || "postgres"}_load`;
  await admin(databaseUrl!, `drop database if exists "${name}" with (force)`);
  await admin(databaseUrl!, `create database "${name}" ${DATABASE_OPTIONS}`);
  url.pathname = `/${name}`;
  const h = await openDatabase({ url: url.toString() });
  try {
    await migrateToLatest(h.db);
    await seedDemo(h.db, new Date());
    await seedScale(h.db, extraUsers, () => undefined);
  } finally {
    await h.close();
  }
  console.log(`Made ${name}: the demo data and ${extraUsers.toLocaleString("en-US")} more users in Acme.`);
  return url.toString();
}

let server: RunningServer | undefined;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    server?.stop();
    process.exit(130);
  });
}

let failed: boolean;
try {
  const url = await prepareDatabase();
  buildIfMissing();
  server = await startServer(url);
  const origin = server.origin;
  const db = new pg.Pool({ connectionString: url, max: 5 });
  const companyOf = new Map(
    (
      await db.query<{ email: string; company_id: number }>(
        "select email, company_id from users where email = any($1)",
        [ADMIN_EMAILS],
      )
    ).rows.map((r) => [r.email, r.company_id]),
  );
  const stats: Stats = { latencies: [], byStatus: new Map(), byAction: new Map(), failures: [], changes: 0 };
  // Each admin signs in over HTTP with a session of their own (a proxy session belongs to one).
  const admins: Admin[] = [];
  for (let i = 0; i < ADMINS; i++) {
    const email = ADMIN_EMAILS[i % ADMIN_EMAILS.length]!;
    const http = new HttpClient(origin);
    await http.signIn(email);
    admins.push(new Admin(http, db, companyOf.get(email)!, stats));
  }

  console.log(`${ADMINS} admins for ${seconds} s against ${origin}…`);
  const since = new Date();
  const started = performance.now();
  await Promise.all(admins.map((a) => a.run(started + seconds * 1000)));
  const elapsed = (performance.now() - started) / 1000;

  const checker = new pg.Client({ connectionString: url });
  await checker.connect();
  const invariants = await checkInvariants(checker, since, stats.changes);
  await checker.end();
  await db.end();

  const sorted = stats.latencies.sort((a, b) => a - b);
  const ms = (q: number) => percentile(sorted, q).toFixed(1);
  console.log(
    `\nRequests: ${sorted.length.toLocaleString("en-US")} in ${elapsed.toFixed(1)} s (${(sorted.length / elapsed).toFixed(1)}/s); changes accepted: ${stats.changes}`,
  );
  console.log(`Latency ms: p50 ${ms(0.5)}, p90 ${ms(0.9)}, p99 ${ms(0.99)}, max ${ms(1)}`);
  console.log("By status:");
  for (const [status, n] of [...stats.byStatus].sort(([a], [b]) => a - b)) {
    console.log(`  ${status === 0 ? "no answer" : status}  ${n}`);
  }
  console.log("By request:");
  for (const [label, tally] of [...stats.byAction].sort(([a], [b]) => a.localeCompare(b))) {
    console.log(
      `  ${label.padEnd(24)} ${[...tally]
        .sort(([a], [b]) => a - b)
        .map(([s, n]) => `${s}×${n}`)
        .join("  ")}`,
    );
  }
  for (const f of stats.failures) console.log(`  FAILURE ${f}`);
  console.log("Invariants:");
  for (const inv of invariants) {
    console.log(`  ${inv.broken.length === 0 ? "ok    " : "BROKEN"} ${inv.name}`);
    for (const row of inv.broken.slice(0, 5)) console.log(`         ${JSON.stringify(row)}`);
  }
  const serverErrors = [...stats.byStatus]
    .filter(([s]) => s >= 500 || s === 0)
    .reduce((sum, [, n]) => sum + n, 0);
  failed = serverErrors > 0 || invariants.some((i) => i.broken.length > 0);
  console.log(
    failed
      ? `\nFAILED: ${serverErrors} server errors or unanswered requests, or a broken invariant.`
      : "\nPassed: no 5xx, every invariant holds.",
  );
} finally {
  server?.stop();
}
process.exit(failed ? 1 : 0);
