/**
 * One process of the production HTTP server (scripts/serve.ts starts one or
 * several): express, serving build/client's files as
 * @react-router/serve does (hashed /assets cached for a year as immutable,
 * responses compressed) and handing every other request to the app, plus two
 * things the app cannot do for itself:
 * - it tells the app each request's socket address (the load context's
 *   socketAddressContext), which clientIp trusts over any header unless
 *   TRUST_PROXY=1 says a proxy in front knows better;
 * - it refuses a body over its limit with 413 before the app, or any parser,
 *   reads it (serve/body-limit.ts).
 * The request log names neither query strings (searches name people) nor
 * invite tokens.
 */
import { readdirSync } from "node:fs";
import { resolve, join, posix, relative, sep } from "node:path";
import { pathToFileURL } from "node:url";
import cluster from "node:cluster";
import compression from "compression";
import express from "express";
import morgan from "morgan";
import type { RouterContext, ServerBuild } from "react-router";
import { limitBodies } from "./body-limit.ts";
import { onStop } from "./processes.ts";

// Before React is loaded (by the imports below), which picks its build by it.
process.env.NODE_ENV ??= "production";
const { RouterContextProvider } = await import("react-router");
const { createRequestHandler } = await import("@react-router/express");
const buildPath = resolve(process.argv[2] ?? "build/server/index.js");
const build = (await import(pathToFileURL(buildPath).href)) as ServerBuild;
const { socketAddressContext, shutdown } = build.entry.module as {
  socketAddressContext?: RouterContext<string | null>;
  shutdown?: (requestsDone: Promise<unknown>) => Promise<void>;
};
if (!socketAddressContext || !shutdown)
  throw new Error(`${buildPath}: its entry.server exports no socketAddressContext or shutdown.`);
const assets = resolve(build.assetsBuildDirectory);

/** The peer's address, an IPv4 one without the IPv6 prefix a dual-stack socket gives it. */
const socketAddress = (req: express.Request) =>
  req.socket.remoteAddress?.replace(/^::ffff:(?=[\d.]+$)/, "") ?? null;

/** A request's path as the files are named ("" when its escapes are malformed: no file's). */
function decodedPath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return "";
  }
}

morgan.token("path", (req: express.Request) =>
  req.originalUrl.split("?")[0]!.replace(/^\/invite\/[^/]+/, "/invite/…"),
);

const app = express();
app.disable("x-powered-by");
app.use(compression());
app.use(
  posix.join(build.publicPath, "assets"),
  express.static(join(assets, "assets"), { immutable: true, maxAge: "1y" }),
);
// public/'s files, as the build copied them: any other path is a page, whose request would otherwise
// cost a look on disk first (a failed stat, 0.3 ms of a page's few milliseconds).
const publicFiles = new Set(
  readdirSync(assets, { recursive: true, withFileTypes: true })
    .filter((f) => f.isFile())
    .map((f) => "/" + relative(assets, join(f.parentPath, f.name)).split(sep).join("/"))
    .filter((path) => !path.startsWith("/assets/")),
);
const servePublic = express.static(assets);
app.use(build.publicPath, (req, res, next) => {
  if (publicFiles.has(decodedPath(req.path))) return servePublic(req, res, next);
  next();
});
app.use(morgan(":method :path :status :res[content-length] - :response-time ms"));
app.use(limitBodies());
app.use(
  createRequestHandler({
    build,
    mode: process.env.NODE_ENV,
    getLoadContext: (req) => new RouterContextProvider(new Map([[socketAddressContext, socketAddress(req)]])),
  }),
);

const port = Number(process.env.PORT ?? 3000);
const onListen = (err?: Error) => {
  if (err) throw err; // the port is taken, say: fail loudly, not exit 0
  // Several processes: the first to listen says it for all (scripts/serve/processes.ts).
  if (cluster.isPrimary) console.log(`Switchboard on http://localhost:${port}`);
};
const server = process.env.HOST ? app.listen(port, process.env.HOST, onListen) : app.listen(port, onListen);
// Stopping: no new connections, idle keep-alive ones closed, requests under way answered, and no new
// background batch; then the database closes, so the process exits at once, not when the last timer fires.
onStop(async () => {
  const requestsDone = new Promise<void>((done) => {
    const close = () =>
      server.close((err) => {
        if (err) console.error(err);
        done();
      });
    // Told to stop while its port is still being opened (one of several processes, told by the primary):
    // closed once open, or it would open after the database had closed.
    if (server.listening) close();
    else server.once("listening", close);
  });
  await shutdown(requestsDone).catch((e: unknown) => console.error("shutdown:", e));
});
