/**
 * The production HTTP server, which `npm start`, the test servers, the load
 * test and the bench all run (scripts/serve/http-server.ts): one process, or
 * on a PostgreSQL server one a CPU (scripts/serve/processes.ts).
 *
 *   node --import tsx scripts/serve.ts [build/server/index.js]
 *   (PORT, default 3000; HOST; WEB_CONCURRENCY, the number of processes)
 */
import cluster from "node:cluster";
import { heedPrimary, serverProcesses, superviseProcesses } from "./serve/processes.ts";

const processes = serverProcesses(process.env);
if (cluster.isPrimary && processes > 1) superviseProcesses(processes);
else {
  if (cluster.isWorker) heedPrimary();
  await import("./serve/http-server.ts");
}
