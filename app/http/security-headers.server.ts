/**
 * The security headers of every response the app makes: pages, data
 * requests, redirects, resource routes and error pages alike, since they all
 * pass through the root middleware. Static files under /assets are served
 * by the HTTP server before the app and carry none of this.
 *
 * The Content-Security-Policy allows scripts from this origin and inline
 * scripts only with this request's nonce: React Router's inline scripts (the
 * hydration data, scroll restoration, the module loader) get it from
 * <ServerRouter nonce> in entry.server.tsx, React's own from
 * renderToPipeableStream's `nonce` option. A script injected into a page
 * cannot guess a nonce made fresh for every request.
 */
import { randomBytes } from "node:crypto";
import { createContext, type MiddlewareFunction } from "react-router";

export const nonceContext = createContext<string>("");

export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export const securityHeadersMiddleware: MiddlewareFunction<Response> = async ({ context }, next) => {
  const nonce = randomBytes(18).toString("base64");
  context.set(nonceContext, nonce);
  const response = await next();
  const headers = response.headers;
  headers.set("Content-Security-Policy", contentSecurityPolicy(nonce));
  headers.set("X-Content-Type-Options", "nosniff");
  // Other sites learn nothing of the URLs (user ids, searches) a link was followed from.
  headers.set("Referrer-Policy", "same-origin");
  // For browsers that predate frame-ancestors.
  headers.set("X-Frame-Options", "DENY");
  return response;
};
