/**
 * How many processes serve, and the primary that keeps them. A page's render
 * is CPU work on one thread, so one process serves at most one CPU's worth. On
 * a PostgreSQL server Switchboard runs one process a CPU (node:cluster shares
 * the port among them), each with its own pool and its share of the
 * background work, which the job queue already splits between servers (FOR
 * UPDATE SKIP LOCKED). The embedded PGlite's files are one process's: one.
 */
import cluster from "node:cluster";
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";

/**
 * At most this many unless WEB_CONCURRENCY asks for more: each process holds
 * up to 10 of the database's connections, and PostgreSQL allows 100 unless
 * told otherwise, for two such servers and the tools beside them.
 */
const MOST_BY_DEFAULT = 4;

/** The primary's word to a process to stop as a signal would (sent, not signalled: see superviseProcesses). */
const STOP = "switchboard:stop";
/** A process's word that it now hears the primary (a word sent before that was lost). */
const LISTENING_TO_PRIMARY = "switchboard:heeding";

/**
 * The CPUs this process may use: the machine's, or fewer under a container's
 * CPU quota (cgroup v2's cpu.max), which Node 20's availableParallelism() does
 * not read.
 */
export function usableCpus(cpuMax = "/sys/fs/cgroup/cpu.max"): number {
  let quota = Infinity;
  try {
    const [limit, period] = readFileSync(cpuMax, "utf8").trim().split(" ").map(Number);
    // "max 100000" (no quota) and anything unreadable read as NaN: no quota.
    if (limit! > 0 && period! > 0) quota = Math.max(1, Math.ceil(limit! / period!));
  } catch {
    // no cgroup v2 here: the machine's CPUs
  }
  return Math.min(availableParallelism(), quota);
}

/**
 * WEB_CONCURRENCY (the name hosting platforms give it) when set; else, on a
 * PostgreSQL server, one a CPU up to MOST_BY_DEFAULT, and on the embedded
 * PGlite one.
 */
export function serverProcesses(env: NodeJS.ProcessEnv, cpus = usableCpus()): number {
  const asked = env.WEB_CONCURRENCY?.trim();
  if (!asked) return env.DATABASE_URL ? Math.min(cpus, MOST_BY_DEFAULT) : 1;
  if (!/^[1-9]\d{0,2}$/.test(asked))
    throw new Error(`WEB_CONCURRENCY=${asked}: give a number of processes, 1 or more.`);
  if (Number(asked) > 1 && !env.DATABASE_URL)
    throw new Error(`WEB_CONCURRENCY=${asked}: the embedded database (no DATABASE_URL) is one process's.`);
  return Number(asked);
}

/**
 * The primary: starts `count` processes and stops them all on SIGTERM or
 * SIGINT, exiting once they have; a second signal ends them at once. It tells
 * them by message, not by signal: a Ctrl-C in a terminal already signals every
 * process of the group, and a second signal would end a process mid-stop. One
 * process ending on its own (its port taken, a crash) stops the others and
 * exits 1, so that whatever supervises the server (systemd, a platform)
 * restarts it whole; so does one that fails to stop cleanly.
 */
export function superviseProcesses(count: number): void {
  let stopping = false;
  let running = count;
  const stopAll = () => {
    if (stopping) {
      console.error("Stopping at once.");
      process.exitCode = 1;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGKILL");
      return;
    }
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) if (worker?.isConnected()) worker.send(STOP);
  };
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, stopAll);
  // A process still starting when the word went out did not hear it: it is told again once it listens.
  cluster.on("message", (worker, message) => {
    if (message === LISTENING_TO_PRIMARY && stopping && worker.isConnected()) worker.send(STOP);
  });
  cluster.once("listening", (_worker, address) =>
    console.log(`Switchboard on http://localhost:${address.port} (${count} processes)`),
  );
  cluster.on("exit", (worker, code, signal) => {
    if (!stopping) {
      console.error(
        `Server process ${worker.process.pid} ended (${signal ?? `exit code ${code}`}): stopping the others.`,
      );
      stopAll();
    }
    if (signal || code !== 0) process.exitCode = 1;
    if (--running === 0) process.exit();
  });
  for (let i = 0; i < count; i++) cluster.fork();
}

let stopAsked = false;
let stopNow: (() => void) | undefined;

/**
 * In a process the primary started: heeds its word to stop from the start,
 * and says so, so that a word sent while the process was still starting is
 * sent again.
 */
export function heedPrimary(): void {
  process.on("message", (message) => {
    if (message !== STOP) return;
    stopAsked = true;
    stopNow?.();
  });
  process.send?.(LISTENING_TO_PRIMARY);
}

/**
 * Runs `stop` once: on SIGTERM, on SIGINT or on the primary's word. Then a
 * process of several lets go of its primary, so that nothing is left to keep
 * it alive.
 */
export function onStop(stop: () => Promise<void>): void {
  let stopping = false;
  stopNow = () => {
    if (stopping) return;
    stopping = true;
    void stop().finally(() => cluster.worker?.disconnect());
  };
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, stopNow);
  if (stopAsked) stopNow();
}
