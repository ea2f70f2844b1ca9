/**
 * The server as several processes (scripts/serve/processes.ts): how many it
 * runs; and, on the PostgreSQL server, two of them serving one signed-in admin
 * in turn, stopping together on SIGTERM, and one that ends on its own taking
 * the other down with it, the server exiting 1 for its supervisor to restart.
 */
import http from "node:http";
import { once } from "node:events";
import { existsSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { serverProcesses } from "../../scripts/serve/processes.ts";
import { processTree } from "../../scripts/bench/cpu.ts";
import { SESSION_COOKIE } from "../../app/auth/session.server.ts";
import { seedDemo } from "../../db/seed/demo.ts";
import { requireBuild, startServer, type RunningServer } from "../support/app-server.ts";
import { freshDatabase, type TestDatabase } from "../support/db.ts";
import { HttpClient } from "../support/http-client.ts";

const SERVER = "postgres://localhost/switchboard";

describe("how many processes serve", () => {
  test("one a CPU on a PostgreSQL server, one on the embedded PGlite, or as many as WEB_CONCURRENCY says", () => {
    expect(serverProcesses({ DATABASE_URL: SERVER })).toBe(availableParallelism());
    expect(serverProcesses({})).toBe(1);
    expect(serverProcesses({ DATABASE_URL: SERVER, WEB_CONCURRENCY: " 3 " })).toBe(3);
    expect(serverProcesses({ WEB_CONCURRENCY: "1" })).toBe(1);
  });

  test("a WEB_CONCURRENCY that is no count, or more than one on the embedded PGlite, stops the start", () => {
    for (const bad of ["0", "two", "-1", "1.5", "1e3"])
      expect(() => serverProcesses({ DATABASE_URL: SERVER, WEB_CONCURRENCY: bad })).toThrow(
        `WEB_CONCURRENCY=${bad}: give a number of processes, 1 or more.`,
      );
    expect(() => serverProcesses({ WEB_CONCURRENCY: "2" })).toThrow(
      "WEB_CONCURRENCY=2: the embedded database (no DATABASE_URL) is one process's.",
    );
  });
});

/** The processes serving under the primary `pid` (not tsx's compiler, also its child). */
const servingProcesses = (pid: number) =>
  processTree(pid)
    .slice(1)
    .filter(
      (p) => existsSync(`/proc/${p}`) && readFileSync(`/proc/${p}/cmdline`, "utf8").includes("serve.ts"),
    );

const alive = (pid: number) => existsSync(`/proc/${pid}`);

/** A GET on a connection of its own: the primary deals new connections to its processes in turn. */
function getAlone(origin: string, path: string, cookie: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(`${origin}${path}`, { agent: false, headers: { cookie } }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode!, body }));
      })
      .on("error", reject);
  });
}

describe.runIf(!!process.env.DATABASE_URL)("two processes on the PostgreSQL server", () => {
  let database: TestDatabase;
  let url: string;

  beforeAll(async () => {
    requireBuild();
    database = await freshDatabase();
    await seedDemo(database.db, new Date());
    const u = new URL(process.env.DATABASE_URL!);
    u.pathname = `/${database.name}`;
    url = u.toString();
  });
  afterAll(async () => {
    await database?.close();
  });

  const start = () => startServer(url, { WEB_CONCURRENCY: "2", SWITCHBOARD_JOBS: "off" });

  test("both serve a session signed in on either, and SIGTERM stops them all, exit code 0", async () => {
    const server: RunningServer = await start();
    const primary = server.process.pid!;
    const workers = servingProcesses(primary);
    expect(workers).toHaveLength(2);

    const ada = new HttpClient(server.origin);
    await ada.signIn("ada@acme.test");
    const cookie = `${SESSION_COOKIE}=${ada.cookie(SESSION_COOKIE)}`;
    const pages = await Promise.all(
      Array.from({ length: 6 }, () => getAlone(server.origin, "/users", cookie)),
    );
    for (const page of pages) {
      expect(page.status).toBe(200);
      expect(page.body).toContain("Ada Lovelace");
    }

    const exited = once(server.process, "exit");
    server.stop();
    expect(await exited).toEqual([0, null]);
    expect(workers.filter(alive)).toEqual([]);
  });

  test("one process ending on its own stops the other, and the server exits 1", async () => {
    const server = await start();
    const [first, second] = servingProcesses(server.process.pid!);
    const exited = once(server.process, "exit");
    process.kill(first!, "SIGKILL");
    expect(await exited).toEqual([1, null]);
    expect([first!, second!].filter(alive)).toEqual([]);
  });
});
