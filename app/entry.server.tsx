/**
 * Renders documents, with the request's CSP nonce on every inline script
 * (the headers themselves are set by the root middleware, see
 * http/security-headers.server.ts).
 */
import { Transform, type TransformCallback } from "node:stream";
import type { EntryContext, RouterContextProvider } from "react-router";
import { createReadableStreamFromReadable } from "@react-router/node";
import { ServerRouter } from "react-router";
import { isbot } from "isbot";
import { renderToPipeableStream, type RenderToPipeableStreamOptions } from "react-dom/server";
import { startBackgroundJobs, stopBackgroundJobs } from "./jobs/background.server";
import { closeDb } from "./db.server";
import { nonceContext } from "./http/security-headers.server";
import { isScimPath, notFound, scimErrorResponse } from "./scim/http.server";

export const streamTimeout = 5_000;

// The key under which the production server (scripts/serve/http-server.ts) hands each request's
// socket address to the app: it must be this very object, from this build.
export { socketAddressContext } from "./http/socket-address.server";

startBackgroundJobs();

/**
 * What the production server (scripts/serve/http-server.ts) calls as it stops taking requests: the background work
 * takes no new batch at once and finishes the one under way; once that and the requests under way
 * (`requestsDone`) are over, the database closes, and nothing is left to keep the process alive.
 */
export async function shutdown(requestsDone: Promise<unknown>): Promise<void> {
  await Promise.all([stopBackgroundJobs(), requestsDone]);
  await closeDb();
}

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  routerContext: EntryContext,
  loadContext: RouterContextProvider,
) {
  // A path under /scim/v2/ that no route takes (a line break defeats the splat) would get the
  // 404 page: an identity provider reads SCIM's error JSON instead.
  if (responseStatusCode === 404 && isScimPath(request)) {
    const answer = scimErrorResponse(notFound());
    responseHeaders.forEach((value, name) => {
      if (name !== "content-type") answer.headers.set(name, value);
    });
    return answer;
  }
  const nonce = loadContext.get(nonceContext);
  return new Promise((resolve, reject) => {
    let shellRendered = false;
    // Aborts a render still streaming after streamTimeout. Cleared once the document is written, so a
    // finished request leaves no timer behind: one per request kept a stopping server alive for seconds.
    const timeout = setTimeout(() => abort(), streamTimeout + 1000);
    const userAgent = request.headers.get("user-agent");
    // Bots and no-JS clients get the whole document at once.
    const readyOption: keyof RenderToPipeableStreamOptions =
      (userAgent && isbot(userAgent)) || routerContext.isSpaMode ? "onAllReady" : "onShellReady";

    const { pipe, abort } = renderToPipeableStream(
      <ServerRouter context={routerContext} url={request.url} nonce={nonce} />,
      {
        nonce,
        [readyOption]() {
          shellRendered = true;
          const body = new WholeFlushes(() => clearTimeout(timeout));
          const stream = createReadableStreamFromReadable(body);
          responseHeaders.set("Content-Type", "text/html; charset=utf-8");
          resolve(new Response(stream, { headers: responseHeaders, status: responseStatusCode }));
          pipe(body);
        },
        onShellError(error: unknown) {
          clearTimeout(timeout);
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          if (shellRendered) console.error(error);
        },
      },
    );
  });
}

/**
 * The document's bytes, passed on a whole flush at a time. React writes a page
 * as hundreds of views of at most 4 KB and calls `flush()` once a pass is
 * written; each view passed on alone went through the web stream, the
 * compressor and the socket on its own (a fifth of the users list's server
 * time at a million users). Gathered, a pass takes each of them once.
 */
class WholeFlushes extends Transform {
  #parts: Buffer[] = [];
  constructor(private readonly ended: () => void) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    this.#parts.push(chunk);
    callback();
  }
  /** What React calls at the end of each pass (react-dom/server's flushBuffered). */
  flush() {
    if (this.#parts.length === 0) return;
    this.push(this.#parts.length === 1 ? this.#parts[0] : Buffer.concat(this.#parts));
    this.#parts = [];
  }
  override _flush(callback: TransformCallback) {
    this.flush();
    this.ended();
    callback();
  }
}
