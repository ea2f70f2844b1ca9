/**
 * A closed-loop load generator: N workers, each sending its next request as
 * soon as the previous one is fully read, for a fixed time. Node's own fetch
 * (undici) keeps one connection per worker alive, so N workers are N
 * concurrent connections.
 */
import { cpuUsed, type CpuMeter } from "./cpu.ts";

export interface Scenario {
  name: string;
  path: string;
  headers?: Record<string, string>;
  /** Connections at once, when not the bench's default. */
  concurrency?: number;
  /** A request other than GET `path`: the i-th of worker w (each worker's requests run in order). */
  request?: (worker: number, i: number) => { path: string; method: string; body: string };
}

export interface Result {
  scenario: Scenario;
  requests: number;
  errors: number;
  /** The first failure, to say why errors is not zero. */
  firstError?: string;
  seconds: number;
  rps: number;
  medianMs: number;
  p99Ms: number;
  meanBytes: number;
  /** CPU milliseconds per request, in the server and in PostgreSQL, where measurable (PGlite's is the server's). */
  cpuMs?: { server: number; database?: number };
}

interface Sample {
  latencies: number[];
  errors: number;
  firstError?: string;
  bytes: number;
}

async function worker(
  origin: string,
  scenario: Scenario,
  w: number,
  until: number,
  sample: Sample,
): Promise<void> {
  const headers = scenario.headers ?? {};
  for (let i = 0; performance.now() < until; i++) {
    const own = scenario.request?.(w, i);
    const started = performance.now();
    try {
      // A redirect (to /login, say) is a failure: it would measure the wrong page.
      const res = await fetch(origin + (own?.path ?? scenario.path), {
        headers,
        redirect: "manual",
        ...(own && { method: own.method, body: own.body }),
      });
      const body = await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
      sample.latencies.push(performance.now() - started);
      sample.bytes += body.byteLength;
    } catch (err) {
      sample.errors++;
      sample.firstError ??= err instanceof Error ? err.message : String(err);
    }
  }
}

async function run(origin: string, scenario: Scenario, concurrency: number, ms: number): Promise<Sample> {
  const sample: Sample = { latencies: [], errors: 0, bytes: 0 };
  const until = performance.now() + ms;
  await Promise.all(
    Array.from({ length: concurrency }, (_, w) => worker(origin, scenario, w, until, sample)),
  );
  return sample;
}

/** The value below which `q` of the sorted values fall (nearest rank). */
export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

/** Warms the page up (JIT, connections, caches) unmeasured, then measures it. */
export async function measure(
  origin: string,
  scenario: Scenario,
  options: { concurrency: number; warmupMs: number; durationMs: number },
  meter?: CpuMeter,
): Promise<Result> {
  const concurrency = scenario.concurrency ?? options.concurrency;
  await run(origin, scenario, concurrency, options.warmupMs);
  const cpuBefore = await meter?.sample();
  const started = performance.now();
  const sample = await run(origin, scenario, concurrency, options.durationMs);
  // The last requests end after the deadline: divide by the time the run really took.
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = await meter?.sample();
  const sorted = sample.latencies.sort((a, b) => a - b);
  const cpu = cpuBefore && cpuAfter && sorted.length > 0 ? cpuUsed(cpuBefore, cpuAfter) : undefined;
  return {
    scenario,
    requests: sorted.length,
    errors: sample.errors,
    firstError: sample.firstError,
    seconds,
    rps: sorted.length / seconds,
    medianMs: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    meanBytes: sorted.length ? sample.bytes / sorted.length : 0,
    cpuMs: cpu && {
      server: (cpu.server * 1000) / sorted.length,
      database: cpu.database === undefined ? undefined : (cpu.database * 1000) / sorted.length,
    },
  };
}
