/**
 * How many processes serve, and the primary that keeps them. A page's render
 * is CPU work on one thread, so one process serves at most one CPU's worth. On
 * a PostgreSQL server Switchboard runs one process a CPU (node:cluster shares
 * the port among them), each with its own pool and its share of the
 * background work, which the job queue already splits between servers (FOR
 * UPDATE SKIP LOCKED). The embedded PGlite's files are one process's: one.
 */
import cluster from "node:cluster";
import { availableParallelism } from "node:os";

/** The primary's word to a process to stop as a signal would (sent, not signalled: see superviseProcesses). */
const STOP = "switchboard:stop";

/**
 * WEB_CONCURRENCY (the name hosting platforms give it) when set; else one a
 * CPU on a PostgreSQL server and one on the embedded PGlite.
 */
export function serverProcesses(env: NodeJS.ProcessEnv): number {
  const asked = env.WEB_CONCURRENCY?.trim();
  if (!asked) return env.DATABASE_URL ? availableParallelism() : 1;
  if (!/^[1-9]\d{0,2}$/.test(asked))
    throw new Error(`WEB_CONCURRENCY=${asked}: give a number of processes, 1 or more.`);
  if (Number(asked) > 1 && !env.DATABASE_URL)
    throw new Error(`WEB_CONCURRENCY=${asked}: the embedded database (no DATABASE_URL) is one process's.`);
  return Number(asked);
}

/**
 * The primary: starts `count` processes and stops them all on SIGTERM or
 * SIGINT, exiting once they have. It tells them by message, not by signal: a
 * Ctrl-C in a terminal already signals every process of the group, and a
 * second signal would end a process mid-stop. One process ending on its own
 * (its port taken, a crash) stops the others and exits 1, so that whatever
 * supervises the server (systemd, a platform) restarts it whole.
 */
export function superviseProcesses(count: number): void {
  let stopping = false;
  let running = count;
  const stopAll = () => {
    if (stopping) return;
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) if (worker?.isConnected()) worker.send(STOP);
  };
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, stopAll);
  cluster.once("listening", (_worker, address) =>
    console.log(`Switchboard on http://localhost:${address.port} (${count} processes)`),
  );
  cluster.on("exit", (worker, code, signal) => {
    if (!stopping) {
      console.error(
        `Server process ${worker.process.pid} ended (${signal ?? `exit code ${code}`}): stopping the others.`,
      );
      process.exitCode = 1;
      stopAll();
    }
    if (--running === 0) process.exit();
  });
  for (let i = 0; i < count; i++) cluster.fork();
}

let stopAsked = false;
let stopNow: (() => void) | undefined;

/**
 * In a process the primary started: heeds its word to stop from the start,
 * so that a word sent while the process was still starting is kept.
 */
export function heedPrimary(): void {
  process.on("message", (message) => {
    if (message !== STOP) return;
    stopAsked = true;
    stopNow?.();
  });
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
