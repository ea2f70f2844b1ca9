/**
 * `npm start`: builds the app when the build is missing or older than the
 * sources, then serves it on PORT (default 3000). On first start with no
 * DATABASE_URL the embedded database is created with the demo data.
 */
import { execSync, spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { BUILD, SERVE_ARGS } from "./serve/command.ts";

function newestMtime(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(path).map((f) => newestMtime(join(path, f))));
}

const sources = ["app", "db", "public", "package.json", "react-router.config.ts", "vite.config.ts"];
const stale = !existsSync(BUILD) || Math.max(...sources.map(newestMtime)) > statSync(BUILD).mtimeMs;
if (stale) {
  console.log("Building Switchboard…");
  execSync("npx react-router build", { stdio: "inherit" });
}

const server = spawn(process.execPath, SERVE_ARGS, {
  stdio: "inherit",
  env: { NODE_ENV: "production", PORT: "3000", ...process.env },
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => server.kill(signal));
server.on("exit", (code) => process.exit(code ?? 0));
