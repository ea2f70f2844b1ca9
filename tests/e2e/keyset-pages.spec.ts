/**
 * Reserved Numbers and Deleted Users past their first page of 50: Next,
 * Previous, Last and First, as a person follows them. The demo fills neither
 * tab's first page (reserved-numbers.spec.ts and lifecycle.spec.ts read each
 * as one page), so this spec runs on an app server of its own (one per
 * project), whose Acme also has 55 people Ada deleted a moment ago, each with
 * a number now on hold for them: two pages on each tab, at production's page
 * size.
 */
import type { Kysely } from "kysely";
import type { Locator, Page } from "@playwright/test";
import { test as base, expect } from "./fixtures";
import { startAppServer, type AppServer } from "../support/app-server.ts";
import { actorFor } from "../support/actors.ts";
import { seedScale } from "../../db/seed/scale.ts";
import { deleteUsers } from "../../app/users/delete.server.ts";
import type { Database } from "../../db/schema.ts";

/** People deleted beyond the demo's: with the demo's own, more than a page of 50 on each tab, and fewer than two. */
const MORE_DELETED = 55;

/**
 * Adds made-up people to Acme (the scale seed's) and deletes 55 of them who
 * have a number, as Ada's bulk delete does: each is then a Deleted User, and
 * their number is in the Reserved Pool, on hold for them.
 */
async function deleteMorePeople(db: Kysely<Database>) {
  const { lastDemoId } = await db
    .selectFrom("users")
    .select((eb) => eb.fn.max("id").as("lastDemoId"))
    .executeTakeFirstOrThrow();
  // Four in five of them are active Connect users, whose license includes a number: 100 are enough.
  await seedScale(db, 100, () => undefined);
  const people = await db
    .selectFrom("users as u")
    .innerJoin("phone_numbers as n", "n.assigned_user_id", "u.id")
    .select("u.id")
    .where("u.id", ">", lastDemoId)
    .where("u.status", "=", "active")
    .orderBy("u.id")
    .limit(MORE_DELETED)
    .execute();
  const ada = await actorFor(db, "ada@acme.test");
  const { outcomes } = await deleteUsers(
    db,
    ada,
    people.map((p) => p.id),
    "keep",
    new Date(),
  );
  const deleted = outcomes.filter((o) => o.outcome === "done").length;
  if (deleted !== MORE_DELETED) throw new Error(`Deleted ${deleted} people, not ${MORE_DELETED}.`);
}

const test = base.extend<object, { ownServer: AppServer }>({
  ownServer: [
    // Playwright reads a fixture's dependencies from its first parameter's pattern: this one has none.
    // eslint-disable-next-line no-empty-pattern
    async ({}, use, workerInfo) => {
      const offset = workerInfo.project.name === "js-off" ? 33 : 34;
      const port = Number(process.env.E2E_PORT_BASE ?? 3100) + offset;
      const server = await startAppServer(
        `e2e_pages_${workerInfo.project.name}_${port}`,
        port,
        deleteMorePeople,
      );
      await use(server);
      await server.stop();
    },
    { scope: "worker", timeout: 180_000 },
  ],
  baseURL: async ({ ownServer }, use) => use(ownServer.origin),
});

const pageLink = (page: Page, name: string) =>
  page.getByRole("navigation", { name: "Pagination" }).getByRole("link", { name, exact: true });

/**
 * Waits for the page whose count reads `count`, then reads its rows by `key`.
 * Every page of the walk has a count of its own: with JavaScript the URL
 * changes before React draws the new rows, and the count comes with them.
 */
async function rowsOnPage(page: Page, count: string, key: (table: Locator) => Locator) {
  await expect(page.getByText(count, { exact: true })).toBeVisible();
  // A snapshot, not a retrying assertion: the streamed document must be whole first.
  await page.waitForLoadState();
  return key(page.getByRole("table")).allTextContents();
}

/** The total in the first page's count ("Showing 1–50 of 70 numbers"). */
async function totalOnFirstPage(page: Page, nouns: string) {
  const count = page.getByText(new RegExp(`^Showing 1–50 of \\d+ ${nouns}$`));
  await expect(count).toBeVisible();
  const total = Number((await count.textContent())!.match(/of (\d+)/)![1]);
  // The walk below is of two pages: the first full, the second the last.
  expect(total).toBeGreaterThan(50);
  expect(total).toBeLessThanOrEqual(100);
  return total;
}

/**
 * Next, then Previous, Last and First, from the first page: each page's rows,
 * read by `key`, in the list's order. `onSecondPage` looks at the second page
 * while it is shown.
 */
async function walkTwoPages(
  page: Page,
  nouns: string,
  key: (table: Locator) => Locator,
  onSecondPage: () => Promise<void>,
) {
  const total = await totalOnFirstPage(page, nouns);
  const firstCount = `Showing 1–50 of ${total} ${nouns}`;
  const first = await rowsOnPage(page, firstCount, key);
  expect(new Set(first).size).toBe(50);
  // On the first page there is no First or Previous to follow.
  await expect(pageLink(page, "First page")).toHaveCount(0);
  await expect(pageLink(page, "Previous page")).toHaveCount(0);

  await pageLink(page, "Next page").click();
  await expect(page).toHaveURL(/cursor=next\./);
  const second = await rowsOnPage(page, `Showing 51–${total} of ${total} ${nouns}`, key);
  // The rest of the list, none of it on the first page.
  expect(new Set(second).size).toBe(total - 50);
  expect(second.filter((row) => first.includes(row))).toEqual([]);
  // The last page has no Next or Last to follow.
  await expect(pageLink(page, "Next page")).toHaveCount(0);
  await expect(pageLink(page, "Last page")).toHaveCount(0);
  await onSecondPage();

  await pageLink(page, "Previous page").click();
  await expect(page.getByText(firstCount, { exact: true })).toBeVisible();
  await expect(key(page.getByRole("table"))).toHaveText(first);

  // Last is the end of the list, shown full: the first page's last rows, then the second page's.
  await pageLink(page, "Last page").click();
  await expect(page).toHaveURL(/cursor=last/);
  await expect(page.getByText(`Showing ${total - 49}–${total} of ${total} ${nouns}`)).toBeVisible();
  await expect(key(page.getByRole("table"))).toHaveText([...first, ...second].slice(-50));

  await pageLink(page, "First page").click();
  await expect(page).not.toHaveURL(/cursor=/);
  await expect(page.getByText(firstCount, { exact: true })).toBeVisible();
  await expect(key(page.getByRole("table"))).toHaveText(first);
}

test("Reserved Numbers: Next, Previous, Last and First walk its pages, which do not overlap", async ({
  page,
  signIn,
  expectNoAxeViolations,
}) => {
  await signIn("ada@acme.test", "/users/reserved-numbers");
  const table = page.getByRole("table");
  // Newest first: the first page is numbers of the people just deleted, each on hold for its user.
  await expect(table.getByRole("cell", { name: "On hold", exact: true })).toHaveCount(50);
  await walkTwoPages(
    page,
    "numbers",
    (t) => t.getByRole("rowheader"),
    async () => {
      // The demo's numbers come after them, unassigned longer ago: the oldest, Stuart Bell's (210 days), last.
      await expect(table.getByRole("row").filter({ hasText: "Helen Park" })).toContainText("Reserved");
      await expect(table.getByRole("row").last()).toContainText("Stuart Bell");
      await expectNoAxeViolations();
    },
  );
});

test("Deleted Users: Next, Previous, Last and First walk its pages, which do not overlap", async ({
  page,
  signIn,
  expectNoAxeViolations,
}) => {
  await signIn("ada@acme.test", "/users/deleted");
  const table = page.getByRole("table");
  // Rows by their email (two made-up people may share a name).
  await walkTwoPages(
    page,
    "deleted users",
    (t) => t.getByRole("cell", { name: /@acme\.test$/ }),
    async () => {
      // Most recent first: the demo's deleted users, 2, 5 and 70 hours ago, end the list.
      expect((await table.getByRole("rowheader").allTextContents()).slice(-3)).toEqual([
        "Sienna Walsh",
        "Hedy Lamarr",
        "Daniel Kim",
      ]);
      await expect(table.getByRole("button", { name: "Restore Sienna Walsh" })).toBeVisible();
      await expectNoAxeViolations();
    },
  );
});
