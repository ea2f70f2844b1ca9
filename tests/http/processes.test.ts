/**
 * The server as several processes (scripts/serve/processes.ts): how many it
 * runs; and, on the PostgreSQL server, two of them serving one signed-in admin
 * in turn, stopping together on SIGTERM, and one that ends on its own taking
 * the other down with it, the server exiting 1 for its supervisor to restart.
 */
import http from "node:http";
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { serverProcesses, usableCpus } from "../../scripts/serve/processes.ts";
import { processTree } from "../../scripts/bench/cpu.ts";
import { SESSION_COOKIE } from "../../app/auth/session.server.ts";
import { seedDemo } from "../../db/seed/demo.ts";
import { requireBuild, spawnAppServer, startServer, type RunningServer } from "../support/app-server.ts";
import { freshDatabase, serverUrl, type TestDatabase } from "../support/db.ts";
import { HttpClient } from "../support/http-client.ts";

const SERVER = "postgres://localhost/switchboard";

describe("how many processes serve", () => {
  test("one a CPU on a PostgreSQL server, one on the embedded PGlite, or as many as WEB_CONCURRENCY says", () => {
    expect(serverProcesses({ DATABASE_URL: SERVER }, 2)).toBe(2);
    expect(serverProcesses({}, 2)).toBe(1);
    expect(serverProcesses({ DATABASE_URL: SERVER, WEB_CONCURRENCY: " 3 " }, 2)).toBe(3);
    expect(serverProcesses({ WEB_CONCURRENCY: "1" })).toBe(1);
  });

  test("four at most unless WEB_CONCURRENCY asks for more: each holds up to 10 database connections", () => {
    expect(serverProcesses({ DATABASE_URL: SERVER }, 64)).toBe(4);
    expect(serverProcesses({ DATABASE_URL: SERVER, WEB_CONCURRENCY: "16" }, 64)).toBe(16);
  });

  test("the CPUs are the machine's, or fewer under a container's quota", () => {
    const dir = mkdtempSync(join(tmpdir(), "cpu-max-"));
    const cpuMax = (text: string) => (writeFileSync(join(dir, "cpu.max"), text), join(dir, "cpu.max"));
    expect(usableCpus(cpuMax("max 100000\n"))).toBe(availableParallelism());
    expect(usableCpus(cpuMax("100000 100000\n"))).toBe(1);
    expect(usableCpus(cpuMax("150000 100000\n"))).toBe(Math.min(2, availableParallelism()));
    expect(usableCpus(join(dir, "none"))).toBe(availableParallelism());
    expect(usableCpus(cpuMax("garbled\n"))).toBe(availableParallelism());
    rmSync(dir, { recursive: true });
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
    url = serverUrl(database.name);
  });
  // A primary a failed test left running: killed, its processes end with it (they exit when it is gone).
  const primaries: ChildProcess[] = [];
  afterAll(async () => {
    for (const p of primaries) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
    await database?.close();
  });

  const start = async () => {
    const server = await startServer(url, { WEB_CONCURRENCY: "2", SWITCHBOARD_JOBS: "off" });
    primaries.push(server.process);
    return server;
  };

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

  test("a SIGTERM while the processes are still starting stops them once they have, exit code 0", async () => {
    const { DATABASE_URL: _ignored, ...env } = process.env;
    const primary = spawnAppServer(
      {
        ...env,
        DATABASE_URL: url,
        PORT: "0",
        NODE_ENV: "production",
        WEB_CONCURRENCY: "2",
        SWITCHBOARD_JOBS: "off",
      },
      "ignore",
    );
    primaries.push(primary);
    const exited = once(primary, "exit");
    // As soon as both exist: loading the build takes them a while yet (a word sent before they listen for
    // it would be lost, and they would serve on after the primary had been told to stop).
    let workers = servingProcesses(primary.pid!);
    while (workers.length < 2) {
      await new Promise((r) => setTimeout(r, 5)); // a process appearing: nothing to await instead
      workers = servingProcesses(primary.pid!);
    }
    primary.kill("SIGTERM");
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
