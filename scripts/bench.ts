/**
 * `npm run bench`: how Office > Users holds up with 100,000 users in Acme on
 * a PostgreSQL server, signed in as ada (Company Admin: she sees them all).
 *
 *   npm run bench                     100,000 users, 10 s per scenario
 *   npm run bench -- --users 20000 --seconds 5 --import 20000
 *   npm run bench -- --embedded       on the embedded PGlite instead, 10,000 users (benchEmbedded)
 *
 * It measures /users with no search, a name search and a number search at 10
 * concurrent connections, beside two pages that never touch the database
 * (a static file and the server-rendered sign-in page) measured in the same
 * run on the same server, then prints the searches' query plans. Then the
 * SCIM service's existence check (GET /scim/v2/Users?filter=userName eq "…",
 * what Okta and Entra ID send before every create) with a provisioning token
 * of Acme, one request at a time (as a provider sends them: the aim) and at
 * 10, and a deactivation then reactivation of each of many users by PATCH
 * (Okta's shape), and the lookup's plans. Then Export CSV of every user: its
 * time, its rate through each tenth of the file, and the server's memory
 * meanwhile (scripts/bench/export.ts). Then the user lifecycle at scale: a bulk delete of 1,000 users and a purge of 10,000
 * expired ones (scripts/bench/lifecycle.ts). Then Import users: the time to
 * review and to import a file of `--import` (100,000) new users, and the peak
 * memory (scripts/bench/import.ts). Beside the lists, the audit log page with
 * `--audit` entries (ten a user unless told: the issue's 10,000,000 at a
 * million users) and its plans (scripts/bench/audit-scenarios.ts). It prints
 * figures and checks them against the aims, but never fails on them.
 *
 *   npm run bench -- --users 1000000 --only audit       one part (or several: --only users,scim)
 */
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import pg from "pg";
import { benchUrl, prepareBenchDatabase, prepareEmbeddedBenchDatabase } from "./bench/database.ts";
import { buildIfMissing, startServer, type RunningServer } from "../tests/support/app-server.ts";
import { HttpClient } from "../tests/support/http-client.ts";
import { measure, type Result, type Scenario } from "./bench/load.ts";
import { loadAverage, num, pad, printTable } from "./bench/report.ts";
import { BIG_TABLES, explainLists } from "./bench/plans.ts";
import { listScenarios } from "./bench/list-scenarios.ts";
import { CpuMeter } from "./bench/cpu.ts";
import { benchLifecycle } from "./bench/lifecycle.ts";
import { explainScimList, prepareScim } from "./bench/scim.ts";
import { benchImport } from "./bench/import.ts";
import { measureExport } from "./bench/export.ts";
import { auditPositions, auditScenarios, OFFICE_ADMIN } from "./bench/audit-scenarios.ts";
import { ACME } from "../db/seed/demo.ts";
import { PAGE_SIZE } from "../app/users/list-params.ts";
import { serverProcesses } from "./serve/processes.ts";

const CONCURRENCY = 10;
const WARMUP_MS = 2_000;
const ADA = "ada@acme.test";
// A fragment of many first and last names (Mary, Mark, Margaret, María, Martin, Martinez):
// a search that matches thousands of rows, whose first page must not sort them all.
const NAME_SEARCH = "mar";
// The aims of the issue.
const MIN_THROUGHPUT_RATIO = 0.5;
const MAX_P99_MS = 100;
const MAX_SCIM_P99_MS = 20;
// A statement that takes its order from an index sorts nothing bigger than a page (PAGE_SIZE + 1).
const MAX_SORTED_ROWS = PAGE_SIZE + 1;
// The embedded PGlite: its own folder (kept between runs), and the issue's aim at 4 connections.
const EMBEDDED_DIR = ".tmp/bench-embedded";
const EMBEDDED_CONCURRENCY = 4;
// What the bench measures on the server, in this order; --only picks some.
const PARTS = ["users", "scim", "audit", "export", "lifecycle", "import"];
// Audit entries a user when --audit is not given: the issue's 10,000,000 at a million users.
const AUDIT_PER_USER = 10;

const { values } = parseArgs({
  options: {
    users: { type: "string" },
    seconds: { type: "string", default: "10" },
    import: { type: "string", default: "100000" },
    audit: { type: "string" },
    only: { type: "string" },
    embedded: { type: "boolean", default: false },
  },
});
const users = Number(values.users ?? (values.embedded ? 10_000 : 100_000));
const seconds = Number(values.seconds);
const auditEntries = Number(values.audit ?? users * AUDIT_PER_USER);
if (
  !Number.isInteger(users) ||
  users < 0 ||
  !(seconds > 0) ||
  !Number.isInteger(auditEntries) ||
  auditEntries < 0
) {
  console.error(
    `--users and --audit need whole numbers and --seconds a positive one, not "${values.users}", "${values.audit}" and "${values.seconds}".`,
  );
  process.exit(2);
}
const parts = new Set(values.only?.split(",") ?? PARTS);
const unknownParts = [...parts].filter((p) => !PARTS.includes(p));
if (unknownParts.length > 0) {
  console.error(`--only takes some of ${PARTS.join(",")}, not "${unknownParts.join(",")}".`);
  process.exit(2);
}

let server: RunningServer | undefined;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    server?.stop();
    process.exit(130);
  });
}

const staticScenarios: Scenario[] = [
  { name: "static file /favicon.svg", path: "/favicon.svg" },
  { name: "static page /login (SSR, no DB)", path: "/login" },
];
const verdict = (ok: boolean) => (ok ? "ok  " : "MISS");

/** A demo admin signed in on the server: their session's token, and the headers that send it. */
async function signIn(origin: string, email: string) {
  const client = new HttpClient(origin);
  await client.signIn(email);
  const token = decodeURIComponent(client.cookie("sb_session")!);
  return { token, headers: { Cookie: `sb_session=${encodeURIComponent(token)}` } };
}

/**
 * --embedded: the app as `npm start` serves it without DATABASE_URL, on the
 * embedded PGlite, with --users (10,000) users in Acme: /users and the name
 * search beside the static pages. PGlite is one connection inside the
 * server's process, so requests take turns at it: the aim is at 4
 * connections, and the server's CPU per request includes the database's.
 */
async function benchEmbedded(): Promise<void> {
  await prepareEmbeddedBenchDatabase(EMBEDDED_DIR, users);
  buildIfMissing();
  server = await startServer(undefined, { DATA_DIR: EMBEDDED_DIR });
  try {
    const { headers: asAda } = await signIn(server.origin, ADA);
    const pages: Scenario[] = [
      { name: "/users", path: "/users", headers: asAda },
      {
        name: `/users?q=${NAME_SEARCH}`,
        path: `/users?q=${encodeURIComponent(NAME_SEARCH)}`,
        headers: asAda,
      },
    ];
    console.log(
      `\nEmbedded PGlite (${EMBEDDED_DIR}), ${EMBEDDED_CONCURRENCY} connections, ${WARMUP_MS / 1000} s warm-up + ` +
        `${seconds} s per scenario; server ${server.origin} (NODE_ENV=production), ${cpus().length} CPUs.`,
    );
    console.log(`Load average before: ${loadAverage()}\n`);
    const meter = await CpuMeter.open(undefined, server.process.pid!);
    const results: Result[] = [];
    for (const scenario of [...staticScenarios, ...pages]) {
      console.log(`Measuring ${scenario.name}…`);
      const options = { concurrency: EMBEDDED_CONCURRENCY, warmupMs: WARMUP_MS, durationMs: seconds * 1000 };
      results.push(await measure(server.origin, scenario, options, meter));
    }
    await meter?.close();
    console.log(`\nLoad average after: ${loadAverage()}\n`);
    printTable(results);
    console.log("\nAims:");
    for (const r of results.slice(staticScenarios.length)) {
      console.log(
        `  ${verdict(r.p99Ms < MAX_P99_MS)} ${pad(r.scenario.name, 28)} p99 ${num(r.p99Ms, 1)} ms at ${EMBEDDED_CONCURRENCY} connections (aim < ${MAX_P99_MS} ms)`,
      );
      if (r.errors > 0) console.log(`  MISS ${pad(r.scenario.name, 28)} ${r.errors} failed requests`);
    }
  } finally {
    server.stop();
  }
}

if (values.embedded) {
  await benchEmbedded();
  process.exit(0); // what follows measures the PostgreSQL server
}

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error(
    "The bench measures the app on a PostgreSQL server, as production runs it (--embedded: on the embedded PGlite).\n" +
      "Set DATABASE_URL, e.g. DATABASE_URL=postgres://switchboard:switchboard@localhost/switchboard npm run bench\n" +
      "It works in a database of its own beside that one (<dbname>_bench), created and seeded on the first run.",
  );
  process.exit(1);
}

/** A real primary number of a scale user, typed the way an American admin would: "(415) 201-2345". */
async function someUsersNumber(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ e164: string }>(
      `select n.e164 from phone_numbers n join companies c on c.id = n.company_id
        where c.name = $1 and n.is_primary and n.e164 like '+1%' order by n.id desc limit 1`,
      [ACME],
    );
    if (rows.length === 0) throw new Error(`${ACME} has no North American primary number to search for.`);
    const [, area, exchange, line] = rows[0].e164.match(/^\+1(\d{3})(\d{3})(\d{4})$/)!;
    return `(${area}) ${exchange}-${line}`;
  } finally {
    await client.end();
  }
}

try {
  const url = await prepareBenchDatabase(databaseUrl, users, auditEntries);
  const numberSearch = parts.has("users") ? await someUsersNumber(url) : undefined;
  const scim = parts.has("scim") ? await prepareScim(url, ADA) : undefined;
  const positions = parts.has("audit") ? await auditPositions(url) : undefined;
  buildIfMissing();
  // The bench's 10 connections share one token: its rate limit (50 a second by default) would answer
  // most of them 429. The limit's own write (one upsert per request) is still made, and measured.
  server = await startServer(url, { SCIM_RATE_LIMIT: "1000000" });
  const { token, headers: asAda } = await signIn(server.origin, ADA);
  const officeAdmin = await signIn(server.origin, OFFICE_ADMIN);

  const userScenarios: Scenario[] =
    numberSearch === undefined
      ? []
      : [
          { name: "/users", path: "/users", headers: asAda },
          {
            name: `/users?q=${NAME_SEARCH}`,
            path: `/users?q=${encodeURIComponent(NAME_SEARCH)}`,
            headers: asAda,
          },
          {
            name: `/users?q=${numberSearch}`,
            path: `/users?q=${encodeURIComponent(numberSearch)}`,
            headers: asAda,
          },
          ...listScenarios(asAda),
        ];
  const audit =
    positions === undefined
      ? { companyAdmin: [], officeAdmin: [] }
      : auditScenarios(asAda, officeAdmin.headers, positions);
  const auditPages = [...audit.companyAdmin, ...audit.officeAdmin];
  const scimHeaders: Record<string, string> = scim
    ? { Authorization: `Bearer ${scim.token}`, Accept: "application/scim+json" }
    : {};
  // An identity provider checks userName before each create, one user after another: the aim (p99 under
  // 20 ms) is for those lookups one at a time. At 10 connections on this machine's 2 CPUs a request waits
  // behind the others' CPU, so that row shows throughput; its latency is mostly the queue.
  const scimScenarios: Scenario[] = scim
    ? [1, CONCURRENCY].flatMap((concurrency) =>
        [
          ["provisioned", scim.provisioned],
          ["added by hand", scim.added],
        ].map(([who, userName]) => ({
          name: `SCIM userName eq, ${who}, ${concurrency} conn.`,
          path: `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`,
          headers: scimHeaders,
          concurrency,
        })),
      )
    : [];
  // Each worker suspends a user of its own and reactivates them, then takes the next: no two requests race.
  const patchScenarios: Scenario[] = scim
    ? [
        {
          name: "SCIM PATCH active false/true",
          path: "/scim/v2/Users",
          headers: { ...scimHeaders, "Content-Type": "application/scim+json" },
          request: (w, i) => ({
            path: `/scim/v2/Users/${scim.patchable[(w + CONCURRENCY * Math.floor(i / 2)) % scim.patchable.length]}`,
            method: "PATCH",
            body: JSON.stringify({
              schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
              Operations: [{ op: "replace", value: { active: i % 2 === 1 } }],
            }),
          }),
        },
      ]
    : [];

  console.log(
    `\n${CONCURRENCY} connections, ${WARMUP_MS / 1000} s warm-up + ${seconds} s per scenario; ` +
      `server ${server.origin} (NODE_ENV=production, ${serverProcesses(process.env)} processes), ` +
      `${cpus().length} CPUs shared by server, PostgreSQL and this load generator.`,
  );
  // Everything runs on this machine: other work on it (a test run) slows every scenario, the users page most,
  // and req/s and latencies with it. CPU per request moves much less: compare those on a busy machine.
  console.log(`Load average before: ${loadAverage()}\n`);
  const meter = await CpuMeter.open(url, server.process.pid!);
  const measured = new Map<Scenario, Result>();
  try {
    for (const scenario of [
      ...staticScenarios,
      ...userScenarios,
      ...auditPages,
      ...scimScenarios,
      ...patchScenarios,
    ]) {
      console.log(`Measuring ${scenario.name}…`);
      const options = { concurrency: CONCURRENCY, warmupMs: WARMUP_MS, durationMs: seconds * 1000 };
      measured.set(scenario, await measure(server.origin, scenario, options, meter));
    }
  } finally {
    await meter?.close();
  }
  console.log(`\nLoad average after: ${loadAverage()}\n`);
  printTable([...measured.values()]);
  const resultsOf = (scenarios: Scenario[]) => scenarios.map((s) => measured.get(s)!);

  if (parts.has("export")) {
    console.log("\nMeasuring Export CSV of every user…");
    const exported = await measureExport(server.origin, asAda, server.process.pid!, users);
    console.log(
      `Export CSV: ${exported.rows.toLocaleString("en-US")} users, ${num(exported.megabytes)} MB in ${num(exported.seconds)} s ` +
        `(${Math.round(exported.rows / exported.seconds).toLocaleString("en-US")} rows/s); rows/s in each tenth of the file: ` +
        `${exported.tenths.map((r) => Math.round(r).toLocaleString("en-US")).join(", ")}` +
        (exported.extraMemoryMb === undefined
          ? ""
          : `; the server's memory grew by at most ${num(exported.extraMemoryMb)} MB while it streamed`),
    );
  }

  const statics = resultsOf(staticScenarios);
  const plans = [
    ...(await explainLists(
      url,
      token,
      [...userScenarios, ...audit.companyAdmin].map((s) => s.path),
    )),
    // The Office Admin's page reads through another index (their offices'): its plans too, named apart.
    ...(
      await explainLists(
        url,
        officeAdmin.token,
        audit.officeAdmin.map((s) => s.path),
      )
    ).map((p) => ({ ...p, path: `${p.path} as an Office Admin` })),
    ...(scim ? await explainScimList(url, scim.token, [...new Set(scimScenarios.map((s) => s.path))]) : []),
  ];
  for (const p of plans) {
    console.log(
      `\n=== Plan of ${decodeURIComponent(p.path)}\n${p.sql}\nparameters: ${JSON.stringify(p.parameters)}\n\n${p.plan}`,
    );
  }

  console.log("\nAims:");
  for (const r of resultsOf([...userScenarios, ...auditPages])) {
    // The issue asks the lists for half the sign-in page's rate; of the audit log, only p99.
    for (const s of userScenarios.includes(r.scenario) ? statics : []) {
      const ratio = r.rps / s.rps;
      console.log(
        `  ${verdict(ratio >= MIN_THROUGHPUT_RATIO)} ${pad(r.scenario.name, 28)} req/s ${num(ratio, 2)} of ${s.scenario.path}'s (aim >= ${MIN_THROUGHPUT_RATIO})`,
      );
    }
    console.log(
      `  ${verdict(r.p99Ms < MAX_P99_MS)} ${pad(r.scenario.name, 28)} p99 ${num(r.p99Ms, 1)} ms (aim < ${MAX_P99_MS} ms)`,
    );
    if (r.errors > 0) console.log(`  MISS ${pad(r.scenario.name, 28)} ${r.errors} failed requests`);
  }
  for (const r of resultsOf(scimScenarios)) {
    if (r.scenario.concurrency === 1)
      console.log(
        `  ${verdict(r.p99Ms < MAX_SCIM_P99_MS)} ${pad(r.scenario.name, 28)} p99 ${num(r.p99Ms, 1)} ms (aim < ${MAX_SCIM_P99_MS} ms)`,
      );
    if (r.errors > 0) console.log(`  MISS ${pad(r.scenario.name, 28)} ${r.errors} failed requests`);
  }
  for (const r of resultsOf(patchScenarios))
    if (r.errors > 0) console.log(`  MISS ${pad(r.scenario.name, 28)} ${r.errors} failed requests`);
  for (const p of plans) {
    console.log(
      `  ${verdict(!p.seqScan)} ${pad(decodeURIComponent(p.path), 28)} ${p.seqScan ? `SEQ SCAN ON ${BIG_TABLES}` : `no Seq Scan on ${BIG_TABLES}`}`,
    );
    console.log(
      `  ${verdict(p.largestSort <= MAX_SORTED_ROWS)} ${pad(decodeURIComponent(p.path), 28)} sorts at most ${p.largestSort.toLocaleString("en-US")} rows at once (aim <= ${MAX_SORTED_ROWS}: an index gives the order)`,
    );
  }
} finally {
  server?.stop();
}
// The lifecycle's jobs run in a copy of the bench database, which no connection may hold: the server goes first.
const child = server?.process;
if (child && child.exitCode === null && child.signalCode === null)
  await new Promise((exited) => child.once("exit", exited));
if (parts.has("lifecycle")) await benchLifecycle(databaseUrl, benchUrl(databaseUrl).name);
// --import 0 leaves the import out (a file of no rows is refused, as it should be).
if (parts.has("import") && Number(values.import) > 0) await benchImport(databaseUrl, Number(values.import));
