/**
 * Walks the authorization matrix (tests/http/matrix.ts) over HTTP against the
 * built server on fresh demo data, and checks that the matrix has a row for
 * every route the built server serves.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "../support/app-server.ts";
import { HttpClient } from "../support/http-client.ts";
import { lastInviteLinkIn } from "../support/outbox.ts";
import { demoIds, deleteThroughApp, resendInviteThroughApp, signedIn } from "./demo-ids.ts";
import {
  ACTORS,
  LOGIN,
  MATRIX,
  TARGETS,
  type ActorKind,
  type Answer,
  type Row,
  type SharedIds,
  type Target,
  type TargetIds,
} from "./matrix.ts";

const PORT = Number(process.env.E2E_PORT_BASE ?? 3100) + 10;

/** Active users of each target's office the walk may delete for {fresh} cells (none of them is a target). */
const FRESH: Record<Target, string[]> = {
  sf: ["priya@acme.test", "mei@acme.test", "ben@acme.test", "hannah@acme.test"],
  ny: ["chloe@acme.test", "isaac@acme.test", "ruth@acme.test", "gabriel@acme.test"],
  globex: ["homer@globex.test", "lenore@globex.test", "patrice@globex.test"],
};
/**
 * Users of each target's office made Company Admins before the server starts (the demo data has one per
 * company): the first is deleted before the walk ({deletedCompanyAdmin}), the others on demand for
 * {freshCompanyAdmin} cells.
 */
const MADE_COMPANY_ADMINS: Record<Target, string[]> = {
  sf: ["kwame@acme.test", "tom@acme.test", "fatima@acme.test"],
  ny: ["nadia@acme.test", "samuel@acme.test", "liam@acme.test"],
  globex: ["edna@globex.test", "denise@globex.test", "marco@globex.test"],
};
const COMPANY_ADMIN: Record<Target, string> = {
  sf: "ada@acme.test",
  ny: "ada@acme.test",
  globex: "gina@globex.test",
};

let app: AppServer<unknown>;
let targets: Record<Target, TargetIds>;
let shared: SharedIds;
let freshIds: Record<Target, number[]>;
let freshCompanyAdminIds: Record<Target, number[]>;
const sessions = new Map<ActorKind, HttpClient>();

/** A new session of this kind of actor. */
async function sessionOf(kind: ActorKind): Promise<HttpClient> {
  const email: Record<Exclude<ActorKind, "anonymous" | "proxying">, string> = {
    user: "uma@acme.test",
    officeAdminWithProxy: "oscar@acme.test",
    officeAdmin: "olive@acme.test",
    companyAdminAdvanced: "ada@acme.test",
    companyAdminStandard: "gina@globex.test",
  };
  if (kind === "anonymous") return new HttpClient(app.origin);
  if (kind !== "proxying") return signedIn(app, email[kind]);
  const ada = await signedIn(app, "ada@acme.test");
  const res = await ada.post(`/users/${shared.proxiedUser}/proxy`, { reason: "" });
  if (res.headers.get("location") !== "/settings")
    throw new Error(`Ada could not proxy as Uma: ${res.status}`);
  return ada;
}

beforeAll(async () => {
  const server = await startAppServer("http_matrix", PORT, async (db) => {
    // No page makes a Company Admin: the database does, before the server starts.
    await db
      .updateTable("users")
      .set({ is_company_admin: true })
      .where("email", "in", Object.values(MADE_COMPANY_ADMINS).flat())
      .execute();
    return demoIds(db, [
      ...Object.values(FRESH).flat(),
      ...Object.values(MADE_COMPANY_ADMINS).flat(),
      "carl@globex.test",
      "jasper@acme.test",
      "uma@acme.test",
      "kevin@acme.test",
    ]);
  });
  app = server;
  const ids = server.prepared;
  // What the walk needs that the demo data lacks, made through the app:
  // a deleted Globex user, a deleted Company Admin per target, an invite link, a bulk result.
  const ada = await signedIn(app, "ada@acme.test");
  const gina = await signedIn(app, "gina@globex.test");
  await deleteThroughApp(gina, ids.user["carl@globex.test"]!);
  targets = {} as Record<Target, TargetIds>;
  for (const t of Object.keys(TARGETS) as Target[]) {
    const deletedCompanyAdmin = ids.user[MADE_COMPANY_ADMINS[t][0]!]!;
    await deleteThroughApp(t === "globex" ? gina : ada, deletedCompanyAdmin);
    targets[t] = { ...ids.targets[t], deletedCompanyAdmin };
  }
  await resendInviteThroughApp(ada, ids.user["jasper@acme.test"]!);
  const bulk = await ada.post("/users/bulk", {
    action: "add_admin",
    id: String(ids.user["kevin@acme.test"]),
  });
  const bulkResult = Number(bulk.headers.get("location")?.match(/^\/users\/bulk\/(\d+)$/)?.[1]);
  if (!bulkResult) throw new Error(`No bulk result: ${bulk.status}`);
  shared = {
    bulkResult,
    inviteToken: lastInviteLinkIn(app.dataDir, "jasper@acme.test").replace("/invite/", ""),
    proxiedUser: ids.user["uma@acme.test"]!,
  };
  freshIds = Object.fromEntries(
    Object.entries(FRESH).map(([t, emails]) => [t, emails.map((e) => ids.user[e]!)]),
  ) as Record<Target, number[]>;
  freshCompanyAdminIds = Object.fromEntries(
    Object.entries(MADE_COMPANY_ADMINS).map(([t, emails]) => [t, emails.slice(1).map((e) => ids.user[e]!)]),
  ) as Record<Target, number[]>;
  for (const kind of Object.keys(ACTORS) as ActorKind[]) sessions.set(kind, await sessionOf(kind));
}, 240_000);

afterAll(async () => {
  await app?.stop();
});

function fill(
  template: string,
  target: Target | undefined,
  extra: Record<string, string | number> = {},
): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value =
      extra[name] ??
      (target ? targets[target][name as keyof TargetIds] : undefined) ??
      shared[name as keyof SharedIds];
    if (value === undefined)
      throw new Error(`No value for ${whole} in ${template}${target ? ` (target ${target})` : ""}`);
    return String(value);
  });
}

const TARGET_FIELDS = new Set([
  "user",
  "userNumber",
  "mainLineNumber",
  "office",
  "deletedUser",
  "heldNumber",
  "deletedCompanyAdmin",
  "fresh",
  "freshCompanyAdmin",
]);
const isPerTarget = (row: Row) =>
  [row.path ?? "", ...Object.values(row.body ?? {})].some((s) =>
    [...s.matchAll(/\{(\w+)\}/g)].some((m) => TARGET_FIELDS.has(m[1]!)),
  );

async function answerOf(res: Response): Promise<string> {
  const location = res.headers.get("location");
  await res.body?.cancel();
  return location ? `${res.status} ${location}` : String(res.status);
}

describe("the authorization matrix", () => {
  it("has a row for every route and method the built server answers", async () => {
    const { routes } = (await import(/* @vite-ignore */ `${process.cwd()}/build/server/index.js`)) as {
      routes: Record<
        string,
        { parentId?: string; path?: string; module: { loader?: unknown; action?: unknown } }
      >;
    };
    const patternOf = (id: string): string => {
      const r = routes[id]!;
      if (!r.parentId) return "";
      const parent = patternOf(r.parentId);
      return r.path ? `${parent}/${r.path}` : parent || "/";
    };
    const missing: string[] = [];
    const served = new Set<string>();
    for (const [id, r] of Object.entries(routes)) {
      if (id === "root") continue;
      const pattern = patternOf(id);
      for (const [method, has] of [
        ["GET", r.module.loader],
        ["POST", r.module.action],
      ] as const) {
        if (!has) continue;
        served.add(`${method} ${pattern}`);
        if (!MATRIX.some((row) => row.route === pattern && row.method === method)) {
          missing.push(
            `${method} ${pattern} (app/${id}.tsx) has no row in tests/http/matrix.ts: add one with the answer for each of the ${Object.keys(ACTORS).length} actors.`,
          );
        }
      }
    }
    for (const row of MATRIX) {
      if (!served.has(`${row.method} ${row.route}`))
        missing.push(
          `${row.method} ${row.route} is in tests/http/matrix.ts but the app has no such route or method.`,
        );
    }
    expect(missing).toEqual([]);
  });

  it("answers every actor on every route as the matrix says", async () => {
    const wrong: string[] = [];
    for (const row of MATRIX) {
      for (const target of isPerTarget(row) ? (Object.keys(TARGETS) as Target[]) : [undefined]) {
        for (const kind of Object.keys(ACTORS) as ActorKind[]) {
          const cell = row.expect[kind];
          const expected: Answer = typeof cell === "string" ? cell : cell[target!];
          // {fresh} or {freshCompanyAdmin}: deleted now for a cell that changes it, else the standing one.
          const ofCompanyAdmin = (row.path ?? "").includes("{freshCompanyAdmin}");
          let fresh: number | undefined;
          if (row.fresh && expected === row.fresh) {
            fresh = (ofCompanyAdmin ? freshCompanyAdminIds : freshIds)[target!].shift();
            if (!fresh)
              throw new Error(
                `${ofCompanyAdmin ? "MADE_COMPANY_ADMINS" : "FRESH"} has no user left for ${target}: add one`,
              );
            await deleteThroughApp(await signedIn(app, COMPANY_ADMIN[target!]), fresh);
          }
          const extra = {
            fresh: fresh ?? targets[target!]?.deletedUser ?? "",
            freshCompanyAdmin: fresh ?? targets[target!]?.deletedCompanyAdmin ?? "",
          };
          const path = fill(row.path ?? row.route, target, extra);
          const client = row.ownSession ? await sessionOf(kind) : sessions.get(kind)!;
          const res = await (
            row.method === "GET"
              ? client.get(path)
              : client.post(
                  path,
                  Object.fromEntries(
                    Object.entries(row.body ?? {}).map(([k, v]) => [k, fill(v, target, extra)]),
                  ),
                )
          ).catch((err: Error) => {
            throw new Error(
              `${row.method} ${path} as ${kind}: no answer (${err.message}; ${(err.cause as Error)?.message})`,
            );
          });
          const want = fill(
            expected === LOGIN ? `302 /login?redirectTo=${encodeURIComponent(path)}` : expected,
            target,
            extra,
          );
          const got = await answerOf(res);
          if (got !== want) {
            wrong.push(
              `${row.method} ${row.route}${target ? ` [${target}]` : ""} as ${kind}: expected ${want}, got ${got} (${path})`,
            );
          }
        }
      }
    }
    expect(wrong).toEqual([]);
  }, 600_000);
});
