/**
 * Playwright helpers: sign in, and run axe on a page. Each project
 * (JavaScript off / on) has its own server and database; see
 * playwright.config.ts.
 *
 * Each worker keeps one browser context for its tests, each test on a page
 * of its own, with the cookies cleared after it: a context made per test cost
 * a renderer process started cold and every script fetched and compiled anew,
 * about two seconds a test. Nothing else of a test outlives it: the app keeps
 * no web storage, and a page's routes close with it.
 */
import {
  test as base,
  expect,
  type Browser,
  type BrowserContext,
  type Page,
  type TestInfo,
} from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { lastInviteLinkIn } from "../support/outbox.ts";

export const PASSWORD = "switchboard-demo";

export const test = base.extend<
  {
    /** Signs in, and opens `open` (the sign-in form's redirectTo) or else the page sign-in leads to. */
    signIn: (email: string, open?: string) => Promise<void>;
    expectNoAxeViolations: () => Promise<void>;
  },
  { workerContext: BrowserContext }
>({
  workerContext: [
    async ({ browser }, use, workerInfo) => {
      const { baseURL, javaScriptEnabled } = workerInfo.project.use;
      const context = await browser.newContext({ baseURL, javaScriptEnabled });
      await use(context);
      await context.close();
    },
    { scope: "worker" },
  ],
  context: async ({ workerContext, browser, baseURL, javaScriptEnabled }, use, testInfo) => {
    const project = testInfo.project.use;
    if (baseURL === project.baseURL && javaScriptEnabled === (project.javaScriptEnabled ?? true)) {
      await use(workerContext);
      await workerContext.clearCookies();
      return;
    }
    // A spec that points its tests elsewhere (a server of its own: proxy-security.spec.ts) gets a context
    // of its own, as Playwright makes by default.
    const own = await browser.newContext({ baseURL, javaScriptEnabled });
    await use(own);
    await own.close();
  },
  page: async ({ context, javaScriptEnabled }, use) => {
    const page = await context.newPage();
    if (javaScriptEnabled) waitForHydrationOnLoad(page);
    await use(page);
    await page.close();
  },
  expectNoAxeViolations: async ({ page, javaScriptEnabled }, use) => {
    await use(() => checkAxe(page, javaScriptEnabled));
  },
  signIn: async ({ page }, use) => {
    await use((email: string, open?: string) => signInOn(page, email, open));
  },
});

export { expect };

/**
 * Signs in with the sign-in form's own POST (its token included), sent from the page's context, then opens
 * the page it leads to: the one asked for (the form's redirectTo, as a sign-in from a bookmark), or else the
 * one every sign-in leads to. The form as a person fills it, by label and by keyboard, is sign-in.spec.ts's
 * and keyboard-a11y.spec.ts's; everywhere else drawing it first only cost time, as did drawing the users
 * list for a test that goes elsewhere first.
 *
 * The GET may be retried: Playwright's requests reuse kept-alive sockets, and one the server closed as
 * idle (after Node's 5 s) just as the GET went out on it answers ECONNRESET (seen once in CI). The POST that
 * follows at once, on a socket just used, and is not retried: a form post must not be sent twice.
 */
async function signInOn(page: Page, email: string, open = "") {
  const form = await (await page.request.get("/login", { maxRetries: 2 })).text();
  const csrf = form.match(/name="csrf" value="([^"]+)"/)![1]!;
  const signedIn = await page.request.post("/login", {
    form: { csrf, email, password: PASSWORD, redirectTo: open },
    maxRedirects: 0,
  });
  expect(signedIn.status(), `signing in as ${email}`).toBe(302);
  await page.goto(signedIn.headers()["location"]!);
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
}

/** Signs in through the form, by label, as a person does. */
export async function signInThroughForm(page: Page, email: string) {
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
 * a JavaScript-enabled page of the worker's own, with the app's scripts left
 * out, and checked there: the same document, styles and all.
 */

/** axe on any page of the test (a second browser context's too). */
export function checkAxe(page: Page, javaScriptEnabled: boolean) {
  return javaScriptEnabled ? runAxe(page) : expectNoAxeViolationsWithoutJs(page);
}

/**
 * One JavaScript-enabled page per browser (per worker) for the copies: a context made for each check
 * cost more than the check. Its scripts are blocked as well as left out, and its stylesheets are cached.
 */
const copyPages = new WeakMap<Browser, Promise<Page>>();
function copyPageFor(browser: Browser): Promise<Page> {
  let copy = copyPages.get(browser);
  if (!copy) {
    copy = (async () => {
      const context = await browser.newContext({ javaScriptEnabled: true });
      const page = await context.newPage();
      await page.route("**/*.js", (route) => route.abort());
      return page;
    })();
    copyPages.set(browser, copy);
  }
  return copy;
}

async function expectNoAxeViolationsWithoutJs(page: Page) {
  // The scripts and their preloads never ran on the page checked; left in, each would be a blocked request.
  const html = (await page.content())
    .replace(/<script\b[\s\S]*?<\/script>/g, "")
    .replace(/<link rel="modulepreload"[^>]*>/g, "");
  // Without the fragment, so that going to the same page again is a navigation, not a jump within it.
  const url = page.url().split("#")[0]!;
  const copy = await copyPageFor(page.context().browser()!);
  await copy.route(
    (u) => u.href === url,
    (route) => route.fulfill({ body: html, contentType: "text/html; charset=utf-8" }),
    { times: 1 },
  );
  await copy.goto(url);
  await runAxe(copy);
}

async function runAxe(page: Page) {
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"])
    // Only the violations are read: the details of every pass, serialized out of a 50-row page, cost seconds.
    .options({ resultTypes: ["violations"] })
    // axe.run in the page itself. The default runs each frame apart and joins the results in a blank page
    // it opens for the purpose, for pages with frames from other origins; Switchboard's pages have no
    // frames, and that page tripled each check's time.
    .setLegacyMode(true)
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

/**
 * Waits until the users list drawn is the one for a search the address holds. With JavaScript the router
 * changes the address before React draws the new list (in a transition): a box ticked in between is on
 * the old list, and the new list starts with nothing selected (CI's bulk-transfer flake). Export CSV's
 * link carries the search of the list it is drawn with.
 */
export async function expectUsersListFor(page: Page, holds: (search: URLSearchParams) => boolean) {
  await expect(page).toHaveURL((url) => holds(url.searchParams));
  await expect
    .poll(async () => {
      const href = await page.getByRole("link", { name: "Export CSV" }).getAttribute("href");
      return href !== null && holds(new URL(href, page.url()).searchParams);
    })
    .toBe(true);
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
