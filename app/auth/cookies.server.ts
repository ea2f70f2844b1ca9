import { isIP } from "node:net";
import type { RouterContext } from "react-router";
import { socketAddressContext } from "../http/socket-address.server.ts";

/**
 * Cookies are HttpOnly and SameSite=Lax, and Secure whenever the request came
 * over HTTPS (directly, or through a proxy that says so): production runs
 * behind HTTPS, while `npm start` on localhost still works over plain HTTP.
 */
export function isHttps(request: Request): boolean {
  return (
    new URL(request.url).protocol === "https:" ||
    (process.env.TRUST_PROXY === "1" && request.headers.get("x-forwarded-proto") === "https")
  );
}

export function serializeCookie(
  request: Request,
  name: string,
  value: string,
  options: { maxAge?: number } = {},
): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, "Path=/", "HttpOnly", "SameSite=Lax"];
  if (options.maxAge !== undefined) parts.push(`Max-Age=${options.maxAge}`);
  if (isHttps(request)) parts.push("Secure");
  return parts.join("; ");
}

export function readCookie(request: Request, name: string): string | undefined {
  const header = request.headers.get("cookie");
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

interface ContextLike {
  get<T>(key: RouterContext<T>): T;
}

/**
 * The client's address, as the audit log, sessions and sign-in attempts keep
 * it: the TCP peer's, which the server hands over in the load context. Any
 * client can send X-Forwarded-For or X-Real-IP, so they count only with
 * TRUST_PROXY=1, set when one proxy stands in front: then the address that
 * proxy saw, the last entry it added to X-Forwarded-For (or its X-Real-IP).
 */
export function clientIp(request: Request, context: ContextLike): string | null {
  if (process.env.TRUST_PROXY === "1") {
    const forwarded =
      request.headers.get("x-forwarded-for")?.split(",").at(-1)?.trim() ||
      request.headers.get("x-real-ip")?.trim();
    if (forwarded && isIP(forwarded)) return forwarded;
  }
  return context.get(socketAddressContext);
}
