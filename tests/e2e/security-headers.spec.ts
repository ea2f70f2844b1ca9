import type { APIResponse, Page } from "@playwright/test";
import { test, expect } from "./fixtures";

/** The CSP's script sources, and the nonce it names. */
function scriptPolicy(response: APIResponse): { csp: string; nonce: string } {
  const csp = response.headers()["content-security-policy"] ?? "";
  const nonce = csp.match(/script-src 'self' 'nonce-([A-Za-z0-9+/=]+)'(;|$)/)?.[1];
  expect(nonce, `script-src with a nonce in: ${csp}`).toBeTruthy();
  return { csp, nonce: nonce! };
}

function expectStrictHeaders(response: APIResponse) {
  const headers = response.headers();
  const { csp } = scriptPolicy(response);
  expect(csp).not.toContain("unsafe-inline");
  expect(csp).not.toContain("unsafe-eval");
  for (const directive of [
    "frame-ancestors 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ]) {
    expect(csp).toContain(directive);
  }
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("same-origin");
  expect(headers["x-frame-options"]).toBe("DENY");
}

test("every inline script of a page carries the nonce of its own response, new on every request", async ({
  request,
}) => {
  const first = await request.get("/login");
  const second = await request.get("/login");
  expectStrictHeaders(first);
  const { nonce } = scriptPolicy(first);
  expect(scriptPolicy(second).nonce).not.toBe(nonce);

  const html = await first.text();
  const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
  expect(scripts.length).toBeGreaterThan(0);
  for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
});

test("redirects, refusals, resource routes and unknown pages carry the same headers", async ({ request }) => {
  const redirect = await request.get("/users", { maxRedirects: 0 });
  expect(redirect.status()).toBe(302);
  expectStrictHeaders(redirect);

  const forged = await request.post("/login", { form: { email: "ada@acme.test" }, maxRedirects: 0 });
  expect(forged.status()).toBe(403);
  expectStrictHeaders(forged);

  const health = await request.get("/healthz");
  expect(health.status()).toBe(200);
  expectStrictHeaders(health);

  const missing = await request.get("/no-such-page");
  expect(missing.status()).toBe(404);
  expectStrictHeaders(missing);
});

/** Every CSP violation the page reports, from the console and from the DOM's own event. */
async function collectViolations(page: Page): Promise<string[]> {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(
        `Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber} ${e.sample}`,
      );
    });
  });
  return violations;
}

test("with JavaScript on, the pages hydrate and navigate with no CSP violation", async ({
  page,
  signIn,
  javaScriptEnabled,
}) => {
  test.skip(!javaScriptEnabled, "violations are reported by scripts");
  const violations = await collectViolations(page);
  await signIn("ada@acme.test");
  // A mark on the window survives only client-side navigation: the app hydrated and runs.
  await page.evaluate(() => ((window as { hydratedMark?: boolean }).hydratedMark = true));
  await page.getByRole("link", { name: "Company Settings › Licenses" }).click();
  await expect(page.getByRole("heading", { name: "Licenses", level: 1 })).toBeVisible();
  await page.getByRole("link", { name: "Office › Users" }).click();
  await expect(page.getByRole("rowheader", { name: "Priya Raman" })).toBeVisible();
  expect(await page.evaluate(() => (window as { hydratedMark?: boolean }).hydratedMark)).toBe(true);
  await page.goto("/users/reserved-numbers");
  await expect(page.getByRole("link", { name: "Reserved Numbers" })).toHaveAttribute("aria-current", "page");
  expect(violations).toEqual([]);
});
