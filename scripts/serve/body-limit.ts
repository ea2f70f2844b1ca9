/**
 * How many bytes a request's body may have, and the express middleware that
 * holds every request to it before the app, or any parser, reads a byte:
 * forms are small, so 1 MB is plenty; a route that takes uploads gets a row
 * in BODY_LIMITS, the one place that says so. A body over its limit is
 * refused with 413 by its Content-Length at once, and a body without one
 * (chunked) is counted as it streams in and cut off as soon as it passes the
 * limit: the app never holds more of it than the limit and one chunk.
 */
import type { Request, RequestHandler, Response } from "express";

const MB = 1024 * 1024;

export const FORM_LIMIT = 1 * MB;

/** Routes that take more than a form: a path pattern and its limit in bytes. First match wins. */
export const BODY_LIMITS: readonly { path: RegExp; bytes: number }[] = [
  // An upload route gets its own row here, e.g. { path: /^\/users\/import$/, bytes: 20 * MB }.
];

export function bodyLimitFor(path: string, limits = BODY_LIMITS): number {
  return limits.find((l) => l.path.test(path))?.bytes ?? FORM_LIMIT;
}

export const TOO_LARGE = "This request is too large. Nothing was changed.";

/** Answers 413 and then drops the connection, so that the rest of the body is never read. */
function refuse(req: Request, res: Response): void {
  if (res.headersSent) {
    req.socket.destroy();
    return;
  }
  res.once("finish", () => req.socket.destroy());
  res.status(413).set({ "Content-Type": "text/plain; charset=utf-8", Connection: "close" }).send(TOO_LARGE);
}

export function limitBodies(limits = BODY_LIMITS): RequestHandler {
  return (req, res, next) => {
    const limit = bodyLimitFor(req.path, limits);
    // Node's parser has already refused a Content-Length that is not a number.
    if (Number(req.headers["content-length"] ?? 0) > limit) return refuse(req, res);
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
