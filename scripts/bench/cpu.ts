/**
 * CPU time spent by the app server and by its PostgreSQL backends. On a
 * machine shared with other work, requests per second move with the load
 * around them; CPU milliseconds per request much less so, and they say where
 * a page's cost lies (rendering in Node, or the queries). Linux only (/proc):
 * elsewhere the figures are left out. On the embedded PGlite the database runs
 * inside the server's process, so its CPU is the server's. On a server the app
 * runs as several processes (scripts/serve/processes.ts): the server's figures
 * are those of the process started and all it started.
 */
import { execSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import pg from "pg";

export interface CpuSample {
  server: number;
  /**
   * Per backend pid: a connection opened mid-run counts from zero, one closed mid-run is lost.
   * Undefined on the embedded PGlite.
   */
  database?: Map<number, number>;
}

/** Seconds of CPU the server and its backends used between two samples. */
export function cpuUsed(before: CpuSample, after: CpuSample): { server: number; database?: number } {
  if (!after.database) return { server: after.server - before.server };
  let database = 0;
  for (const [pid, seconds] of after.database) database += seconds - (before.database?.get(pid) ?? 0);
  return { server: after.server - before.server, database };
}

/** Seconds of CPU (user + system) a process has used, or undefined without /proc. */
function cpuSeconds(pid: number, ticksPerSecond: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which may hold spaces: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

/** The process `pid` and its descendants (scripts/serve.ts's primary, its processes, tsx's compiler). */
export function processTree(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // ended while we looked
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(parents.get(tree[i]!) ?? []));
  return tree;
}

export class CpuMeter {
  private constructor(
    private client: pg.Client | undefined,
    private serverPid: number,
    private ticksPerSecond: number,
  ) {}

  /** Undefined where /proc is missing. `url` is the database the server uses: none for the embedded PGlite. */
  static async open(url: string | undefined, serverPid: number): Promise<CpuMeter | undefined> {
    if (cpuSeconds(process.pid, 100) === undefined) return undefined;
    const ticks = Number(execSync("getconf CLK_TCK").toString().trim()) || 100;
    const client = url ? new pg.Client({ connectionString: url }) : undefined;
    await client?.connect();
    return new CpuMeter(client, serverPid, ticks);
  }

  /**
   * CPU used so far by the server and by the backends now connected to its
   * database (but not this meter's own). Under steady load the server's pool
   * keeps its connections open, so the same backends are seen at both ends.
   */
  async sample(): Promise<CpuSample> {
    let server = 0;
    for (const pid of processTree(this.serverPid)) server += cpuSeconds(pid, this.ticksPerSecond) ?? 0;
    if (!this.client) return { server };
    const { rows } = await this.client.query<{ pid: number }>(
      "select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()",
    );
    const database = new Map(rows.map((r) => [r.pid, cpuSeconds(r.pid, this.ticksPerSecond) ?? 0]));
    return { server, database };
  }

  async close(): Promise<void> {
    await this.client?.end();
  }
}
