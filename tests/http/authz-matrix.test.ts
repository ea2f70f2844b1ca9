/**
 * Walks the authorization matrix (tests/http/matrix.ts) over HTTP against the
 * built server on fresh demo data, and checks that the matrix has a row for
 * every route the built server serves.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HttpClient } from "../support/http-client.ts";
import { deleteThroughApp, signedIn } from "./demo-ids.ts";
import { isPerTarget, MADE_COMPANY_ADMINS, startMatrixWorld, type MatrixWorld } from "./matrix-world.ts";
import { ACTORS, LOGIN, MATRIX, TARGETS, type ActorKind, type Answer, type Target } from "./matrix.ts";

const PORT = Number(process.env.E2E_PORT_BASE ?? 3100) + 10;

/** Active users of each target's office the walk may delete for {fresh} cells (none of them is a target). */
const FRESH: Record<Target, string[]> = {
  sf: ["priya@acme.test", "mei@acme.test", "ben@acme.test", "hannah@acme.test"],
  ny: ["chloe@acme.test", "isaac@acme.test", "ruth@acme.test", "gabriel@acme.test"],
  globex: ["homer@globex.test", "lenore@globex.test", "patrice@globex.test"],
};
const COMPANY_ADMIN: Record<Target, string> = {
  sf: "ada@acme.test",
  ny: "ada@acme.test",
  globex: "gina@globex.test",
};

let world: MatrixWorld;
let freshIds: Record<Target, number[]>;
let freshCompanyAdminIds: Record<Target, number[]>;
const sessions = new Map<ActorKind, HttpClient>();

beforeAll(async () => {
  world = await startMatrixWorld("http_matrix", PORT, Object.values(FRESH).flat());
  const idsOf = (emails: Record<Target, string[]>) =>
    Object.fromEntries(
      Object.entries(emails).map(([t, list]) => [t, list.map((e) => world.user[e]!)]),
    ) as Record<Target, number[]>;
  freshIds = idsOf(FRESH);
  // The first of each target's made Company Admins is the standing deleted one ({deletedCompanyAdmin}).
  freshCompanyAdminIds = idsOf(
    Object.fromEntries(
      (Object.entries(MADE_COMPANY_ADMINS) as [Target, string[]][]).map(([t, list]) => [t, list.slice(1)]),
    ) as Record<Target, string[]>,
  );
  for (const kind of Object.keys(ACTORS) as ActorKind[]) sessions.set(kind, await world.sessionOf(kind));
}, 240_000);

afterAll(async () => {
  await world?.app.stop();
});

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
            await deleteThroughApp(await signedIn(world.app, COMPANY_ADMIN[target!]), fresh);
          }
          const extra = {
            fresh: fresh ?? (target ? world.targets[target].deletedUser : ""),
            freshCompanyAdmin: fresh ?? (target ? world.targets[target].deletedCompanyAdmin : ""),
          };
          const path = world.fill(row.path ?? row.route, target, extra);
          const client = row.ownSession ? await world.sessionOf(kind) : sessions.get(kind)!;
          const res = await (
            row.method === "GET"
              ? client.get(path)
              : client.post(
                  path,
                  Object.fromEntries(
                    Object.entries(row.body ?? {}).map(([k, v]) => [k, world.fill(v, target, extra)]),
                  ),
                )
          ).catch((err: Error) => {
            throw new Error(
              `${row.method} ${path} as ${kind}: no answer (${err.message}; ${(err.cause as Error)?.message})`,
            );
          });
          const want = world.fill(
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
