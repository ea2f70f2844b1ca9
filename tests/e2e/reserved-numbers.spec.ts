import { test, expect, signInElsewhere } from "./fixtures";
import type { Page } from "@playwright/test";

/*
 * The Reserved Numbers tab, Reassign, Delete, and Remove number. The numbers
 * and people here are this file's own (other spec files leave them alone):
 * the former holders Helen Park, Raj Malhotra, Megan Ellis, Patrick Doyle,
 * Wendy Li, Frank Ortiz, Joel Martin, Claire Fontaine and the deleted Sienna
 * Walsh, Daniel Kim and Victor Huang; Ruth Abebe, Mei Tanaka, Ryan Murphy,
 * Emily Wong, Mathieu Gagnon and Dmitri Volkov.
 */

const TAB = "/users/reserved-numbers";

/** The table row of the reserved number last held by this person. */
const rowOf = (page: Page, holder: string) => page.getByRole("row").filter({ hasText: holder });

async function search(page: Page, text: string) {
  await page.getByRole("searchbox", { name: "Search reserved numbers" }).fill(text);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL((url) => url.searchParams.get("q") === text);
}

/** Opens the Reassign page of the number last held by this person. */
async function openReassign(page: Page, holder: string) {
  await page.goto(`${TAB}?q=${encodeURIComponent(holder)}`);
  await rowOf(page, holder)
    .getByRole("link", { name: /^Reassign/ })
    .click();
  await expect(page.getByRole("heading", { level: 1, name: /^Reassign \+/ })).toBeVisible();
}

async function reassign(
  page: Page,
  holder: string,
  target: string,
  as?: "Their primary number" | "An additional number",
) {
  await openReassign(page, holder);
  await page.getByRole("radio", { name: new RegExp(`^${target}`) }).check();
  if (as) await page.getByRole("radio", { name: as }).check();
  await page.getByRole("button", { name: "Reassign number" }).click();
}

test.describe("Company Admin", () => {
  test.beforeEach(async ({ signIn }) => {
    await signIn("ada@acme.test", TAB);
  });

  test("the tab lists each number with its E.164 form, kind, office, last holder, date and state", async ({
    page,
  }) => {
    await page.goto(TAB);
    await expect(page.getByText(/Showing 1–\d+ of \d+ numbers/)).toBeVisible();
    const helen = rowOf(page, "Helen Park");
    await expect(helen.getByRole("rowheader")).toContainText(/\+1 212 555 0\d{3}/);
    await expect(helen.getByRole("code")).toHaveText(/^\+1212555\d{4}$/);
    await expect(helen.getByRole("cell")).toContainText([
      "Local",
      "US",
      "New York",
      "Helen Park",
      /\w{3} \d+, \d{4}/,
      "Reserved",
    ]);
    // Deleted 2 h and 70 h ago: on hold; 80 h ago: the hold is over.
    await expect(rowOf(page, "Sienna Walsh")).toContainText(/On hold.*Sienna Walsh can be restored until/);
    await expect(rowOf(page, "Daniel Kim")).toContainText(/On hold.*Daniel Kim can be restored until/);
    await expect(rowOf(page, "Victor Huang")).toContainText("Reserved");
    await expect(rowOf(page, "Victor Huang")).not.toContainText("On hold");
  });

  test("search by digits in any format or by name, filters and sorting live in the URL", async ({ page }) => {
    test.slow(); // many round trips
    await page.goto(TAB);
    const e164 = (await rowOf(page, "Helen Park").getByRole("code").textContent())!;
    const national = e164.slice(2);
    await search(page, `(${national.slice(0, 3)}) ${national.slice(3, 6)}-${national.slice(6)}`);
    await expect(page.getByRole("table").getByRole("row")).toHaveCount(2);
    await expect(rowOf(page, "Helen Park")).toBeVisible();
    await search(page, "frank ortiz");
    await expect(page.getByRole("table").getByRole("row")).toHaveCount(2);
    await expect(rowOf(page, "Frank Ortiz")).toBeVisible();
    await search(page, "nobody-by-this-name");
    await expect(page.getByText("No reserved numbers match.")).toBeVisible();

    await page.getByRole("link", { name: "Clear", exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`${TAB}$`));
    await expect(page.getByRole("searchbox", { name: "Search reserved numbers" })).toHaveValue("");
    await page.getByLabel("State").selectOption({ label: "On hold" });
    await page.getByRole("button", { name: "Search" }).click();
    await expect(page).toHaveURL(/state=on_hold/);
    await expect(page.getByRole("table").getByRole("row")).toHaveCount(3);
    await expect(rowOf(page, "Sienna Walsh")).toBeVisible();
    await expect(rowOf(page, "Daniel Kim")).toBeVisible();

    await page.goto(TAB);
    await page.getByLabel("Office").selectOption({ label: "Toronto" });
    await page.getByLabel("Kind").selectOption({ label: "Local" });
    await page.getByRole("button", { name: "Search" }).click();
    await expect(page).toHaveURL(/kind=local/);
    await expect(page.getByRole("table").getByRole("cell", { name: "Toronto" })).not.toHaveCount(0);
    await expect(page.getByRole("table").getByRole("cell", { name: "New York" })).toHaveCount(0);

    await page.goto(TAB);
    const header = page.getByRole("columnheader", { name: /Date unassigned/ });
    await expect(header).toHaveAttribute("aria-sort", "descending");
    await header.getByRole("link").click();
    await expect(page).toHaveURL(/dir=asc/);
    await expect(page.getByRole("columnheader", { name: /Date unassigned/ })).toHaveAttribute(
      "aria-sort",
      "ascending",
    );
  });

  test("keyset pages: one page has no page links, and a forged or stale cursor shows the first page", async ({
    page,
  }) => {
    await page.goto(TAB);
    const count = page.getByText(/^Showing 1–\d+ of \d+ numbers$/);
    await expect(count).toBeVisible();
    const shown = await count.textContent();
    const rows = await page.getByRole("table").getByRole("row").allTextContents();
    await expect(page.getByRole("navigation", { name: "Pagination" })).toHaveCount(0);
    for (const cursor of ["last", "next.bm90LWEtY3Vyc29y", "prev.WyIxIiwxXQ", "next.%00", "first"]) {
      const response = await page.goto(`${TAB}?cursor=${cursor}`);
      expect(response!.status()).toBe(200);
      await expect(page.getByText(shown!)).toBeVisible();
      expect(await page.getByRole("table").getByRole("row").allTextContents()).toEqual(rows);
    }
  });

  test("the hold ends by the clock, whether or not a job ran", async ({ page }) => {
    await page.setExtraHTTPHeaders({ "x-test-now": new Date(Date.now() + 3 * 3600_000).toISOString() });
    await page.goto(TAB);
    await expect(rowOf(page, "Daniel Kim")).toContainText("Reserved");
    await expect(rowOf(page, "Daniel Kim")).not.toContainText("On hold");
    await expect(rowOf(page, "Sienna Walsh")).toContainText("Sienna Walsh can be restored until");
  });

  test("a number on hold offers no Reassign or Delete: it says who can be restored until when, and links to their row", async ({
    page,
    expectNoAxeViolations,
  }) => {
    await page.goto(`${TAB}?q=sienna`);
    const row = rowOf(page, "Sienna Walsh");
    await expect(row.getByRole("cell", { name: "On hold", exact: true })).toBeVisible();
    await expect(row.getByRole("link", { name: /^Reassign/ })).toHaveCount(0);
    await expect(row.getByRole("link", { name: /^Delete/ })).toHaveCount(0);
    const restorable = row.getByRole("link", {
      name: /^Sienna Walsh can be restored until \w{3} \d+, \d{4}, \d+:\d{2} [AP]M UTC$/,
    });
    await expect(restorable).toBeVisible();
    await expectNoAxeViolations();

    await restorable.click();
    await expect(page).toHaveURL(/\/users\/deleted\?user=\d+#deleted-user-\d+$/);
    const deleted = page.getByRole("row", { name: /^Sienna Walsh/ });
    await expect(deleted).toHaveAttribute("id", new URL(page.url()).hash.slice(1));
    await expect(deleted.getByRole("button", { name: "Restore Sienna Walsh" })).toBeVisible();
    // The page starts at her row (a keyset page, its cursor in the URL): First leads back to the tab's start.
    const pages = page.getByRole("navigation", { name: "Pagination" });
    await pages.getByRole("link", { name: "First page", exact: true }).click();
    await expect(page).toHaveURL(/\/users\/deleted$/);
    await expect(page.getByRole("row", { name: /^Sienna Walsh/ })).toBeVisible();
    await expect(page.getByText(/^Showing 1–\d+ of \d+ deleted users$/)).toBeVisible();
    await page.goBack();

    // The pages behind those links, asked for by address, still refuse and say why.
    const id = await numberIdOf(page, "Sienna Walsh", { hoursFromNow: 71 });
    await page.goto(`${TAB}/${id}/reassign`);
    await expect(
      page.getByText(/This number is on hold until .*: Sienna Walsh can still be restored/),
    ).toBeVisible();
    await expect(page.getByRole("button", { name: "Reassign number" })).toHaveCount(0);
    await expectNoAxeViolations();
    await page.goto(`${TAB}/${id}/delete`);
    await expect(page.getByText(/This number is on hold until/)).toBeVisible();
    await expect(page.getByRole("button", { name: "Delete number" })).toHaveCount(0);
  });

  test("reassign to a department of the office", async ({ page }) => {
    await reassign(page, "Helen Park", "Sales");
    await expect(page.getByText(/is now assigned to Sales\./)).toBeVisible();
    await expect(page).toHaveURL(new RegExp(`${TAB}$`));
    await expect(rowOf(page, "Helen Park")).toHaveCount(0);
  });

  test("reassign as a user's primary number: their old one goes to the pool", async ({ page }) => {
    await reassign(page, "Raj Malhotra", "Ruth Abebe", "Their primary number");
    await expect(page.getByText(/is now assigned to Ruth Abebe as their primary number\./)).toBeVisible();
    await expect(rowOf(page, "Raj Malhotra")).toHaveCount(0);
    await expect(rowOf(page, "Ruth Abebe")).toContainText("Reserved");
  });

  test("the user list of the form narrows by search; the office's users only", async ({ page }) => {
    await openReassign(page, "Joel Martin");
    await expect(page.getByRole("radio", { name: /^Ryan Murphy/ })).toBeVisible();
    await expect(page.getByRole("radio", { name: /^Uma Patel/ })).toHaveCount(0); // San Francisco
    await page.getByRole("searchbox", { name: "Find a user in Toronto" }).fill("emily");
    await page.getByRole("button", { name: "Find" }).click();
    await expect(page).toHaveURL(/q=emily/);
    await expect(page.getByRole("radio", { name: /^Emily Wong/ })).toBeVisible();
    await expect(page.getByRole("radio", { name: /^Ryan Murphy/ })).toHaveCount(0);
    // Sending the form without a choice says what is missing, next to it.
    await page.getByRole("button", { name: "Reassign number" }).click();
    await expect(page.getByText("Choose who gets this number.")).toBeVisible();
  });

  test("a stale form, whose number someone just took, gets a clear message", async ({ page }) => {
    await openReassign(page, "Joel Martin");
    const other = await page.context().newPage();
    await other.goto(page.url());
    await other.getByRole("radio", { name: /^Emily Wong/ }).check();
    await other.getByRole("radio", { name: "An additional number" }).check();
    await other.getByRole("button", { name: "Reassign number" }).click();
    await expect(other.getByText(/is now assigned to Emily Wong as an additional number/)).toBeVisible();
    await other.close();

    await page.getByRole("radio", { name: /^Ryan Murphy/ }).check();
    await page.getByRole("button", { name: "Reassign number" }).click();
    await expect(page.getByRole("alert").filter({ hasText: /\w/ })).toContainText(
      "This number is no longer in the Reserved Pool: someone assigned or deleted it meanwhile.",
    );
  });

  test("additional numbers use Local number add-ons; with none free, a clear refusal", async ({ page }) => {
    test.slow(); // four reassignments
    // San Francisco has 3 Local number add-ons free and 4 reassignable numbers.
    for (const holder of ["Patrick Doyle", "Wendy Li", "Frank Ortiz"]) {
      await reassign(page, holder, "Mei Tanaka", "An additional number");
      await expect(page.getByText(/is now assigned to Mei Tanaka as an additional number/)).toBeVisible();
    }
    await openReassign(page, "Victor Huang");
    await expect(page.getByText(/Add-ons free in San Francisco: Local number 0/)).toBeVisible();
    await page.getByRole("radio", { name: /^Mei Tanaka/ }).check();
    await page.getByRole("radio", { name: "An additional number" }).check();
    await page.getByRole("button", { name: "Reassign number" }).click();
    await expect(page.getByRole("alert")).toContainText("No Local number add-on is free in San Francisco");
    await page.goto(`${TAB}?q=victor`);
    await expect(rowOf(page, "Victor Huang")).toContainText("Reserved");
  });

  test("delete a reserved number: a confirmation, then it is gone for good", async ({ page }) => {
    await page.goto(`${TAB}?q=megan`);
    await rowOf(page, "Megan Ellis")
      .getByRole("link", { name: /^Delete/ })
      .click();
    await expect(page.getByRole("heading", { level: 1, name: /^Delete \+1 212/ })).toBeVisible();
    await expect(page.getByText(/will be released for good/)).toBeVisible();
    await page.getByRole("button", { name: "Delete number" }).click();
    await expect(
      page.getByText(/was deleted: it is released and no longer belongs to your company/),
    ).toBeVisible();
    await expect(rowOf(page, "Megan Ellis")).toHaveCount(0);
  });

  test("remove a Connect user's only number from their page: they then have no number", async ({ page }) => {
    await page.goto("/users?q=dmitri");
    await page.getByRole("link", { name: "Dmitri Volkov", exact: true }).click();
    // The list has an Options menu beside each user too: open the one on the user's page.
    await expect(page.getByRole("heading", { name: "Dmitri Volkov", level: 1 })).toBeVisible();
    await page.getByText("Options", { exact: false }).first().click();
    await page
      .getByRole("group", { name: "Calling" })
      .getByRole("link", { name: "Manage phone numbers", exact: true })
      .click();
    await expect(
      page.getByRole("heading", { level: 1, name: "Phone numbers of Dmitri Volkov" }),
    ).toBeVisible();
    await page.getByRole("link", { name: /^Remove \+1 512/ }).click();
    await expect(
      page.getByRole("heading", { level: 1, name: /^Remove \+1 512 .* from Dmitri Volkov\?/ }),
    ).toBeVisible();
    await expect(page.getByText("Dmitri Volkov will then have no number.")).toBeVisible();
    await page.getByRole("button", { name: "Remove number" }).click();
    await expect(
      page.getByText(
        /was removed from Dmitri Volkov and is in the Reserved Pool\. Dmitri Volkov has no number now\./,
      ),
    ).toBeVisible();
    await expect(page.getByText("Dmitri Volkov has no phone number.")).toBeVisible();
    await page.goto(`${TAB}?q=dmitri`);
    await expect(rowOf(page, "Dmitri Volkov")).toContainText("Reserved");
  });
});

/**
 * The id in a Reassign link of ada's list, for the number last held by this
 * person; for a number on hold, read at a time after the hold (the list offers
 * no Reassign during it).
 */
async function numberIdOf(page: Page, holder: string, at?: { hoursFromNow: number }): Promise<string> {
  // Signed in at that time too: a session lasts 12 hours.
  const clock = at && { "x-test-now": new Date(Date.now() + at.hoursFromNow * 3600_000).toISOString() };
  const { context, page: other } = await signInElsewhere(page, "ada@acme.test", false, clock);
  await other.goto(`${TAB}?q=${encodeURIComponent(holder)}`);
  const href = await rowOf(other, holder)
    .getByRole("link", { name: /^Reassign/ })
    .getAttribute("href");
  await context.close();
  return href!.split("/")[3]!;
}

test("an Office Admin sees their offices' numbers only; another office's number is a 404", async ({
  page,
  signIn,
}) => {
  await signIn("olive@acme.test", TAB);
  await expect(page.getByRole("table").getByRole("cell", { name: "New York" })).not.toHaveCount(0);
  for (const office of ["San Francisco", "Toronto", "Austin", "London"]) {
    await expect(page.getByRole("table").getByRole("cell", { name: office })).toHaveCount(0);
  }
  const id = await numberIdOf(page, "Claire Fontaine"); // Toronto
  for (const path of [`${TAB}/${id}/reassign`, `${TAB}/${id}/delete`]) {
    const response = await page.goto(path);
    expect(response!.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
  }
});

test("the Globex admin sees none of Acme's numbers", async ({ page, signIn }) => {
  await signIn("gina@globex.test", TAB);
  await expect(page.getByRole("heading", { name: "Users", level: 1 })).toBeVisible();
  await expect(page.getByRole("row").filter({ hasText: "Claire Fontaine" })).toHaveCount(0);
  await expect(page.getByText(/\+1 (415|212|416|512)|\+44/)).toHaveCount(0);
  const id = await numberIdOf(page, "Claire Fontaine");
  expect((await page.goto(`${TAB}/${id}/reassign`))!.status()).toBe(404);
  expect((await page.goto(`${TAB}/${id}/delete`))!.status()).toBe(404);
});

test("reassigning works by keyboard alone", async ({ page, signIn }) => {
  await signIn("ada@acme.test", `${TAB}?q=claire`);
  const tab = async (until: ReturnType<Page["getByRole"]>, max = 60) => {
    for (let i = 0; i < max && !(await until.evaluate((el) => el === document.activeElement)); i++) {
      await page.keyboard.press("Tab");
    }
    await expect(until).toBeFocused();
  };
  await tab(rowOf(page, "Claire Fontaine").getByRole("link", { name: /^Reassign/ }));
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { level: 1, name: /^Reassign \+1 416/ })).toBeVisible();
  // Tab into the choices, then the arrow keys move through them.
  await tab(page.getByRole("radio").first());
  const mathieu = page.getByRole("radio", { name: /^Mathieu Gagnon/ });
  for (let i = 0; i < 30 && !(await mathieu.isChecked()); i++) await page.keyboard.press("ArrowDown");
  await expect(mathieu).toBeChecked();
  await page.keyboard.press("Tab"); // the "as" choices: primary is checked
  await expect(page.getByRole("radio", { name: "Their primary number" })).toBeFocused();
  await page.keyboard.press("ArrowDown");
  await expect(page.getByRole("radio", { name: "An additional number" })).toBeChecked();
  await tab(page.getByRole("button", { name: "Reassign number" }), 5);
  await page.keyboard.press("Enter");
  await expect(page.getByText(/is now assigned to Mathieu Gagnon as an additional number/)).toBeVisible();
});

test.describe("axe finds no violations", () => {
  test.beforeEach(async ({ signIn }) => {
    test.slow(); // axe runs several times per test
    await signIn("ada@acme.test", TAB);
  });

  test("on the tab", async ({ expectNoAxeViolations }) => {
    await expectNoAxeViolations();
  });

  test("on the Reassign form, and with an error", async ({ page, expectNoAxeViolations }) => {
    await openReassign(page, "Omar Farouk");
    await expectNoAxeViolations();
    await page.getByRole("button", { name: "Reassign number" }).click();
    await expect(page.getByText("Choose who gets this number.")).toBeVisible();
    await expectNoAxeViolations();
  });

  test("on the Delete confirmation, Manage phone numbers and the Remove confirmation", async ({
    page,
    expectNoAxeViolations,
  }) => {
    await page.goto(`${TAB}?q=omar`);
    await rowOf(page, "Omar Farouk")
      .getByRole("link", { name: /^Delete/ })
      .click();
    await expect(page.getByRole("button", { name: "Delete number" })).toBeVisible();
    await expectNoAxeViolations();
    await page.goto("/users?q=anika");
    await page.getByRole("link", { name: "Anika Müller", exact: true }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Anika Müller" })).toBeVisible();
    await page.goto(page.url() + "/numbers");
    await expectNoAxeViolations();
    await page
      .getByRole("link", { name: /^Remove/ })
      .first()
      .click();
    await expect(page.getByRole("button", { name: "Remove number" })).toBeVisible();
    await expectNoAxeViolations();
  });
});
