/**
 * Playwright helpers: sign in as a person does (the form, by label), and
 * run axe on a page. Each project (JavaScript off / on) has its own server
 * and database; see playwright.config.ts.
 */
import { test as base, expect, type Page, type TestInfo } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { lastInviteLinkIn } from "../support/outbox.ts";

export const PASSWORD = "switchboard-demo";

export const test = base.extend<{
  signIn: (email: string) => Promise<void>;
  expectNoAxeViolations: () => Promise<void>;
}>({
  page: async ({ page, javaScriptEnabled }, use) => {
    if (javaScriptEnabled) waitForHydrationOnLoad(page);
    await use(page);
  },
  expectNoAxeViolations: async ({ page, javaScriptEnabled }, use) => {
    await use(() => checkAxe(page, javaScriptEnabled));
  },
  signIn: async ({ page }, use) => {
    await use((email: string) => signInOn(page, email));
  },
});

export { expect };

async function signInOn(page: Page, email: string) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
}

/**
 * Another person signed in on the same server as `page`, in a browser
 * context of their own (close it when done): a second admin at the same
 * moment, or a way to read what the test's own actor may not see.
 */
export async function signInElsewhere(
  page: Page,
  email: string,
  javaScriptEnabled = false,
  /** Sent with every request, from the sign-in on: an `x-test-now` moves this person's clock. */
  extraHTTPHeaders?: Record<string, string>,
) {
  const context = await page
    .context()
    .browser()!
    .newContext({ baseURL: new URL(page.url()).origin, javaScriptEnabled, extraHTTPHeaders });
  const other = await context.newPage();
  if (javaScriptEnabled) waitForHydrationOnLoad(other);
  await signInOn(other, email);
  return { context, page: other };
}

/**
 * With JavaScript on, `goto` and `reload` resolve once React has hydrated the
 * new document (app/root.tsx marks <html data-hydrated>): a click or a key
 * sent earlier would land on server HTML that React is about to take over,
 * and a test would pass or fail by the race (CI's admin-access flake).
 */
function waitForHydrationOnLoad(page: Page) {
  const goto = page.goto.bind(page);
  const reload = page.reload.bind(page);
  const hydrated = async <T>(response: T) => {
    await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
    return response;
  };
  page.goto = async (url, options) => hydrated(await goto(url, options));
  page.reload = async (options) => hydrated(await reload(options));
}

/** A user's id, read from the link in ada's users list (in a context of her own). */
export async function userIdOf(page: Page, email: string): Promise<string> {
  const ada = await signInElsewhere(page, "ada@acme.test");
  await ada.page.goto(`/users?q=${encodeURIComponent(email)}`);
  const href = await ada.page.getByRole("rowheader").getByRole("link").getAttribute("href");
  await ada.context.close();
  return href!.split("/").pop()!;
}

/**
 * axe runs inside the page, so it needs JavaScript. With JavaScript off, the
 * page as the server rendered it (its HTML as it stands now) is loaded into
 * a JavaScript-enabled page with the app's own scripts blocked, and checked
 * there: the same document, styles and all.
 */

/** axe on any page of the test (a second browser context's too). */
export function checkAxe(page: Page, javaScriptEnabled: boolean) {
  return javaScriptEnabled ? runAxe(page) : expectNoAxeViolationsWithoutJs(page);
}

async function expectNoAxeViolationsWithoutJs(page: Page) {
  const html = await page.content();
  const url = page.url();
  const context = await page.context().browser()!.newContext({ javaScriptEnabled: true });
  const copy = await context.newPage();
  await copy.route("**/*.js", (route) => route.abort());
  await copy.route(url, (route) => route.fulfill({ body: html, contentType: "text/html; charset=utf-8" }));
  await copy.goto(url);
  try {
    await runAxe(copy);
  } finally {
    await context.close();
  }
}

async function runAxe(page: Page) {
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"])
    .analyze();
  const summary = results.violations.map(
    (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`,
  );
  expect(summary).toEqual([]);
}

/** The rows of the users table, as the names in their row headers. */
export async function listedNames(page: Page): Promise<string[]> {
  // A snapshot, not a retrying assertion: the streamed document must be whole first.
  await page.waitForLoadState();
  await expect(page.getByRole("table")).toBeVisible();
  return page.getByRole("table").getByRole("rowheader").allTextContents();
}

/** Waits until the users table lists exactly these names, in this order. */
export async function expectListed(page: Page, names: string[]) {
  await expect(page.getByRole("table").getByRole("rowheader")).toHaveText(names);
}

/** The newest invite link mailed to this address by this project's server (see tests/support/e2e-server.ts). */
export function lastInviteLink(testInfo: TestInfo, email: string): string {
  const port = new URL(testInfo.project.use.baseURL!).port;
  return lastInviteLinkIn(`.tmp/${testInfo.project.name}_${port}`, email);
}
