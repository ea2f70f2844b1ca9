/**
 * Export CSV of every user, as one admin downloads it: how long the whole
 * file takes, whether it streams at a steady rate (rows a second in each
 * tenth of the download: a rate that sinks as the file grows would mean each
 * batch costs more than the last), and how much memory the server takes on
 * for it (its resident size sampled during the download, above what it held
 * before). Linux only for the memory (/proc); elsewhere it is left out.
 */
import { readFileSync } from "node:fs";
import { processTree } from "./cpu.ts";

export interface ExportFigures {
  rows: number;
  megabytes: number;
  seconds: number;
  /** Rows a second in each tenth of the rows. */
  tenths: number[];
  /** The server's resident memory above its size before the download, at its highest; undefined without /proc. */
  extraMemoryMb?: number;
}

/** The resident memory of the server's processes together. */
function residentMb(serverPid: number): number | undefined {
  try {
    let kb = 0;
    for (const pid of processTree(serverPid)) {
      const line = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      kb += Number(line?.[1] ?? 0);
    }
    return kb / 1024;
  } catch {
    return undefined;
  }
}

export async function measureExport(
  origin: string,
  headers: Record<string, string>,
  serverPid: number,
  expectedRows: number,
): Promise<ExportFigures> {
  const before = residentMb(serverPid);
  let highest = before;
  const sampler = setInterval(() => {
    const now = residentMb(serverPid);
    if (now !== undefined && (highest === undefined || now > highest)) highest = now;
  }, 100);
  try {
    const started = performance.now();
    const res = await fetch(`${origin}/users/export`, { headers });
    if (res.status !== 200 || !res.body) throw new Error(`Export CSV answered HTTP ${res.status}`);
    let bytes = 0;
    let lines = 0;
    // The time at which each tenth of the expected rows had arrived.
    const marks: number[] = [];
    const reader = res.body.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      const chunk = read.value;
      bytes += chunk.byteLength;
      for (const byte of chunk) if (byte === 0x0a) lines++;
      while (marks.length < 10 && lines - 1 >= ((marks.length + 1) * expectedRows) / 10)
        marks.push(performance.now());
    }
    const ended = performance.now();
    const rows = lines - 1; // the header line
    const tenthRows = expectedRows / 10;
    const tenths = marks.map((t, i) => tenthRows / ((t - (i === 0 ? started : marks[i - 1]!)) / 1000));
    return {
      rows,
      megabytes: bytes / 1024 / 1024,
      seconds: (ended - started) / 1000,
      tenths,
      extraMemoryMb: before !== undefined && highest !== undefined ? highest - before : undefined,
    };
  } finally {
    clearInterval(sampler);
  }
}
