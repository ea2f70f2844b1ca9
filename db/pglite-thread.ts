/**
 * The embedded PGlite in a thread of its own. PGlite is PostgreSQL compiled
 * to WebAssembly: its planning and execution are CPU work, and run on the
 * thread that calls it. On the server's own thread, every statement stopped
 * every render, and a page cost its queries plus its HTML end to end. In a
 * worker thread the two share the machine's cores: one request's queries run
 * while another's page renders.
 *
 * The server's thread keeps PGlite's own node-postgres adapter (createPgConfig),
 * given this thread's stand-in for a PGlite: the adapter hands it each batch of
 * protocol messages, the worker runs them (`execProtocolStream`) and posts back
 * the messages PGlite answered, as plain data; an error comes back as a plain
 * object and is made a `pg.DatabaseError` again, with its fields (code,
 * constraint, detail…), so callers see what they saw before.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import pg from "pg";

/** What PGlite's node-postgres adapter asks of a PGlite (createPgConfig takes any object with these). */
export interface PgliteStandIn {
  waitReady: Promise<void>;
  execProtocolStream(message: Uint8Array, options?: unknown): Promise<unknown[]>;
}

export interface PgliteThread {
  pglite: PgliteStandIn;
  dump(): Promise<Blob>;
  close(): Promise<void>;
}

type Call = { op: "ready" } | { op: "exec"; messages: Uint8Array[] } | { op: "dump" } | { op: "close" };
type Answer = { id: number; result?: unknown; error?: { message: string; name: string; code?: string } };

/**
 * The worker, as CommonJS source (a worker of its own file would need a path
 * that holds both under tsx and in the built server). It requires PGlite by the
 * absolute paths the server's thread resolved.
 */
const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const { PGlite } = require(workerData.modules.pglite);
const { pg_trgm } = require(workerData.modules.pgTrgm);
const plain = (m) => (m instanceof Error ? { ...m, message: m.message, isError: true } : m);
const failure = (err) =>
  err instanceof Error ? { message: err.message, name: err.name, code: err.code } : { message: String(err), name: "Error" };
const started = PGlite.create(workerData.dataDir, {
  extensions: { pg_trgm },
  loadDataDir: workerData.loadDataDir ? new Blob([workerData.loadDataDir]) : undefined,
});
started.catch(() => {}); // answered to the first call, which awaits it
// One call at a time, in the order sent: PGlite is one session.
let queue = Promise.resolve();
parentPort.on("message", (call) => {
  queue = queue.then(() => answer(call));
});
async function answer({ id, op, messages }) {
  try {
    const lite = await started;
    if (op === "ready") {
      parentPort.postMessage({ id });
    } else if (op === "exec") {
      // Every message of the batch runs, even after one throws: the Sync at its end is what lets
      // PGlite's session take the next statement.
      const answers = [];
      let thrown;
      for (const message of messages) {
        try {
          for (const reply of await lite.execProtocolStream(message, { throwOnError: false }))
            answers.push(plain(reply));
        } catch (err) {
          thrown ??= err;
        }
      }
      if (thrown) throw thrown;
      parentPort.postMessage({ id, result: answers });
    } else if (op === "dump") {
      const file = await lite.dumpDataDir("none");
      const bytes = await file.arrayBuffer();
      parentPort.postMessage({ id, result: bytes }, [bytes]);
    } else if (op === "close") {
      await lite.close();
      parentPort.postMessage({ id });
    }
  } catch (err) {
    parentPort.postMessage({ id, error: failure(err) });
  }
}
`;

const require = createRequire(import.meta.url);

/** The extended protocol's messages that PostgreSQL answers only once a Sync (or Flush) follows: Parse, Bind, Describe, Execute, Close. */
const UNTIL_SYNC = new Set([..."PBDEC"].map((c) => c.charCodeAt(0)));

/** A message of PGlite's, as the adapter emits it: an error made an Error again. */
function revived(m: unknown): unknown {
  if (typeof m !== "object" || m === null || !("isError" in m)) return m;
  const {
    isError: _isError,
    message,
    length,
    name,
    ...fields
  } = m as {
    isError: true;
    message: string;
    length: number;
    name: string;
  };
  return Object.assign(new pg.DatabaseError(message, length, name as never), fields);
}

export async function openPgliteThread(dataDir: string, loadDataDir?: Blob): Promise<PgliteThread> {
  const loaded = loadDataDir && (await loadDataDir.arrayBuffer());
  let nextId = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: {
      dataDir,
      modules: {
        pglite: require.resolve("@electric-sql/pglite"),
        pgTrgm: require.resolve("@electric-sql/pglite/contrib/pg_trgm"),
      },
      loadDataDir: loaded,
    },
    transferList: loaded ? [loaded] : [],
  });
  let gone: Error | null = null;
  const fail = (err: Error) => {
    gone = err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.on("error", fail);
  worker.on("exit", (code) => fail(new Error(`Connection terminated: the PGlite thread exited (${code}).`)));
  worker.on("message", ({ id, result, error }: Answer) => {
    const p = pending.get(id);
    pending.delete(id);
    if (error !== undefined) p?.reject(Object.assign(new Error(error.message), error));
    else p?.resolve(result);
  });
  const call = (c: Call) =>
    new Promise<unknown>((resolve, reject) => {
      if (gone) return reject(gone);
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, ...c });
    });

  // A statement is sent as Parse, Bind, Describe, Execute, then Sync: each its own call of
  // execProtocolStream, and a trip to the worker and back each. They go together, at the Sync.
  let batch: Uint8Array[] = [];
  const exec = async (message: Uint8Array) => {
    batch.push(message);
    if (UNTIL_SYNC.has(message[0]!)) return [];
    const messages = batch;
    batch = [];
    return ((await call({ op: "exec", messages })) as unknown[]).map(revived);
  };
  const ready = call({ op: "ready" }).then(() => undefined);
  try {
    await ready;
  } catch (err) {
    await worker.terminate(); // a database that did not open keeps no thread
    throw err;
  }
  return {
    pglite: {
      waitReady: ready,
      execProtocolStream: exec,
    },
    dump: async () => new Blob([(await call({ op: "dump" })) as ArrayBuffer]),
    close: async () => {
      try {
        if (!gone) await call({ op: "close" });
      } finally {
        await worker.terminate();
      }
    },
  };
}
