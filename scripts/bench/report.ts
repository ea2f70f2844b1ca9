/**
 * How the bench prints what it measured: the table of scenarios (the same
 * columns on the server and on the embedded PGlite) and the load average
 * around it.
 */
import { loadavg } from "node:os";
import type { Result } from "./load.ts";

export const loadAverage = () =>
  `${loadavg()
    .map((x) => x.toFixed(2))
    .join(", ")} (1, 5, 15 min)`;
export const pad = (s: string, n: number) => s.padEnd(n);
export const num = (x: number, digits = 1) =>
  x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

export function printTable(results: Result[]): void {
  const header = [
    "scenario",
    "requests",
    "req/s",
    "median ms",
    "p99 ms",
    "errors",
    "KB/resp",
    "CPU ms/req: server",
    "db",
  ];
  const rows = results.map((r) => [
    r.scenario.name,
    r.requests.toLocaleString("en-US"),
    num(r.rps),
    num(r.medianMs, 2),
    num(r.p99Ms, 2),
    String(r.errors),
    num(r.meanBytes / 1024),
    r.cpuMs ? num(r.cpuMs.server, 2) : "-",
    r.cpuMs ? (r.cpuMs.database === undefined ? "in server" : num(r.cpuMs.database, 2)) : "-",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? pad(c, widths[i]) : c.padStart(widths[i]))).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows) console.log(line(row));
  for (const r of results)
    if (r.firstError) console.log(`  ${r.scenario.name}: first error: ${r.firstError}`);
}
