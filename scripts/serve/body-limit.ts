/**
 * How many bytes a request's body may have, and the express middleware that
 * holds every request to it before the app, or any parser, reads a byte:
 * forms are small, so 1 MB is plenty; a route that takes uploads gets a row
 * in BODY_LIMITS, the one place that says so. A body over its limit is
 * refused with 413 by its Content-Length at once, and a body without one
 * (chunked) is counted as it streams in and cut off as soon as it passes the
 * limit: the app never holds more of it than the limit and one chunk. A
 * declared body up to twice the limit is read out and thrown away before the
 * 413, so that the client sees the answer (see refuseDeclared).
 */
import type { Request, RequestHandler, Response } from "express";

const MB = 1024 * 1024;

export const FORM_LIMIT = 1 * MB;

/** Routes that take more than a form: a path pattern and its limit in bytes. First match wins. */
export const BODY_LIMITS: readonly { path: RegExp; bytes: number }[] = [
  // Import users: a CSV of at most 20 MB (app/users/import-schema.ts), and the multipart form around it.
  { path: /^\/users\/import$/, bytes: 20 * MB + 64 * 1024 },
];

export function bodyLimitFor(path: string, limits = BODY_LIMITS): number {
  return limits.find((l) => l.path.test(path))?.bytes ?? FORM_LIMIT;
}

export const TOO_LARGE = "This request is too large. Nothing was changed.";

/**
 * Answers 413 and then drops the connection, so that the rest of the body is
 * never read: for a chunked body, and for a declared one far over the limit.
 */
function refuse(req: Request, res: Response): void {
  if (res.headersSent) {
    req.socket.destroy();
    return;
  }
  res.once("finish", () => req.socket.destroy());
  res.status(413).set({ "Content-Type": "text/plain; charset=utf-8", Connection: "close" }).send(TOO_LARGE);
}

/** How long the rest of a declared body may take to arrive once it has been refused. */
const LINGER_MS = 10_000;

/**
 * Reads the declared body into nothing and then answers 413, as a web
 * server's "lingering close" does: a client still sending (a browser's form,
 * a CSV a few MB too large) then reads the answer. Answering first and
 * closing (Node closes after an answer to "Connection: close") resets the
 * connection under a client still sending, and the reset throws away the
 * answer unread in its buffers. The timer cuts a client that sends too slowly.
 */
function refuseDeclared(req: Request, res: Response): void {
  const timer = setTimeout(() => req.socket.destroy(), LINGER_MS);
  req.on("data", () => {});
  req.once("end", () => {
    clearTimeout(timer);
    res.status(413).set({ "Content-Type": "text/plain; charset=utf-8" }).send(TOO_LARGE);
  });
  req.once("close", () => clearTimeout(timer));
}

export function limitBodies(limits = BODY_LIMITS): RequestHandler {
  return (req, res, next) => {
    const limit = bodyLimitFor(req.path, limits);
    // Node's parser has already refused a Content-Length that is not a number.
    const declared = Number(req.headers["content-length"] ?? 0);
    // Up to twice the limit it is a mistake, read out in the time it takes; more is cut off.
    if (declared > 2 * limit) return refuse(req, res);
    if (declared > limit) return refuseDeclared(req, res);
    let received = 0;
    const count = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) {
        req.off("data", count);
        refuse(req, res);
      }
    };
    // Listening to "data" would set the body flowing before the app reads it
    // (and drop what nobody reads yet): pause first, so it flows only when the
    // app pulls, and this listener sees each chunk the app gets, just before it.
    req.on("data", count);
    req.pause();
    next();
  };
}
