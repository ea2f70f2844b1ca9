/**
 * Starts one app server for one Playwright project, on a database of its
 * own made fresh with the demo data: a PGlite folder under .tmp/, or, when
 * DATABASE_URL is set, a database beside it on the same server.
 */
import { rmSync } from "node:fs";
import { migrateToLatest, openDatabase } from "../../db/connect.ts";
import { seedDemo } from "../../db/seed/demo.ts";
import { appServerEnv, recreateServerDatabase, requireBuild, spawnAppServer } from "./app-server.ts";

const name = process.env.E2E_NAME ?? "e2e";
const dataDir = `.tmp/${name}`;
rmSync(dataDir, { recursive: true, force: true });

try {
  requireBuild();
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}

let databaseUrl: string | undefined;
if (process.env.DATABASE_URL) {
  databaseUrl = await recreateServerDatabase(name);
  const h = await openDatabase({ url: databaseUrl });
  await migrateToLatest(h.db);
  await seedDemo(h.db, new Date());
  await h.close();
}
// Without DATABASE_URL the app seeds its new embedded database itself on first start.

const server = spawnAppServer(appServerEnv(dataDir, Number(process.env.PORT ?? 3000), databaseUrl));
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => server.kill(signal));
server.on("exit", (code) => process.exit(code ?? 0));
