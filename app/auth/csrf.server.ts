/**
 * Protection against cross-site forgery, for every POST, signed in or not:
 * 1. a browser that says where the request came from (Origin, or
 *    Sec-Fetch-Site) must say this site;
 * 2. the form must carry the token of the `sb_csrf` cookie (double submit).
 *    A form on another site can neither read the cookie nor set the field.
 * The check runs in the root middleware, before any action.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { readCookie, serializeCookie } from "./cookies.server.ts";

export const CSRF_COOKIE = "sb_csrf";
export const CSRF_FIELD = "csrf";

export function csrfTokenFor(request: Request): { token: string; setCookie?: string } {
  const existing = readCookie(request, CSRF_COOKIE);
  if (existing && /^[A-Za-z0-9_-]{32,64}$/.test(existing)) return { token: existing };
  const token = randomBytes(24).toString("base64url");
  return { token, setCookie: serializeCookie(request, CSRF_COOKIE, token) };
}

export async function isForgedPost(request: Request): Promise<boolean> {
  const origin = request.headers.get("origin");
  if (origin && origin !== new URL(request.url).origin) return true;
  const site = request.headers.get("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") return true;

  const cookie = readCookie(request, CSRF_COOKIE);
  if (!cookie) return true;
  let field: FormDataEntryValue | null;
  try {
    field = (await request.clone().formData()).get(CSRF_FIELD);
  } catch {
    return true; // not a form at all
  }
  if (typeof field !== "string" || field.length !== cookie.length) return true;
  return !timingSafeEqual(Buffer.from(field), Buffer.from(cookie));
}
