import { test, expect, listedNames, expectListed, userIdOf, expectUsersListFor } from "./fixtures";
import type { Page } from "@playwright/test";

async function search(page: Page, text: string) {
  await page.getByRole("searchbox", { name: "Search users" }).fill(text);
  await submitSearch(page, { q: text });
}

/** Presses Search and waits for the list of the URL holding these values. */
async function submitSearch(page: Page, expected: Record<string, string>) {
  await page.getByRole("button", { name: "Search" }).click();
  await expectUsersListFor(page, (search) =>
    Object.entries(expected).every(([k, v]) => (search.get(k) ?? "") === v),
  );
}

test.describe("Company Admin", () => {
  test.beforeEach(async ({ signIn }) => {
    await signIn("ada@acme.test");
  });

  test("the table shows each user's details, with a total count", async ({ page }) => {
    await expect(page.getByText(/Showing 1–50 of \d+ users/)).toBeVisible();
    await search(page, "uma@acme.test");
    const row = page.getByRole("row", { name: /Uma Patel/ });
    await expect(row.getByRole("cell")).toContainText([
      "uma@acme.test",
      /\+1 415 555 01\d\d/,
      /\d+/,
      "San Francisco",
      "Connect",
      "—",
      "Active",
    ]);
    await search(page, "lovelace");
    await expect(page.getByRole("row", { name: /Ada Lovelace/ })).toContainText("Company Admin");
    await search(page, "jasper");
    await expect(page.getByRole("row", { name: /Jasper Quinn/ })).toContainText("Pending");
  });

  test("search by any part of a name or email, in any case, keeps its state in the URL", async ({ page }) => {
    await search(page, "LOVEL");
    await expectListed(page, ["Ada Lovelace"]);
    await expect(page.getByRole("searchbox", { name: "Search users" })).toHaveValue("LOVEL");

    await search(page, "hannah@acme");
    await expectListed(page, ["Hannah Schmidt"]);

    await search(page, "uma pat");
    await expectListed(page, ["Uma Patel"]);

    await search(page, "nobody-by-this-name");
    await expect(page.getByText("No users match.")).toBeVisible();
  });

  test("a name search lists the names that start with it first, then those that hold it", async ({
    page,
    expectNoAxeViolations,
  }) => {
    // Hannah's first name starts with "han"; Aisha Khan, Ethan Brooks and Siobhán Byrne (siobhan@) hold it
    // further in, so they come after her although "aisha" and "ethan" sort before "hannah".
    await search(page, "han");
    await expectListed(page, ["Hannah Schmidt", "Aisha Khan", "Ethan Brooks", "Siobhán Byrne"]);
    await expect(page.getByText("Showing 1–4 of 4 users")).toBeVisible();
    await expectNoAxeViolations();

    // Two letters are a prefix search only: first names, then last names; not Amanda, Jamal, Raman or Uma.
    await search(page, "ma");
    await expectListed(page, [
      "Marcus Chen",
      "Mathieu Gagnon",
      "Maya Johnson",
      "Oscar Martínez",
      "Owen MacDonald",
    ]);
    // Descending keeps the prefix matches first, each tier in the other direction.
    await page.goto("/users?q=ma&sort=name&dir=desc");
    await expectListed(page, [
      "Maya Johnson",
      "Mathieu Gagnon",
      "Marcus Chen",
      "Owen MacDonald",
      "Oscar Martínez",
    ]);
  });

  test("a number typed in any format finds the same user", async ({ page }) => {
    await search(page, "uma@acme.test");
    const number = await page
      .getByRole("row", { name: /Uma Patel/ })
      .getByRole("cell")
      .nth(2)
      .textContent();
    const digits = number!.replace(/\D/g, ""); // 1415555xxxx
    const national = digits.slice(1);
    for (const typed of [
      `+1 (${national.slice(0, 3)}) ${national.slice(3, 6)}-${national.slice(6)}`,
      national,
    ]) {
      await search(page, typed);
      await expectListed(page, ["Uma Patel"]);
    }
    // Without the area code, the same seven digits in other area codes match too.
    await search(page, `${national.slice(3, 6)} ${national.slice(6)}`);
    await expect(page.getByRole("rowheader", { name: "Uma Patel" })).toBeVisible();
    const numbers = page.getByRole("table").getByRole("row").locator("td:nth-child(4)");
    await expect
      .poll(async () =>
        (await numbers.allTextContents()).every((n) => n.replace(/\D/g, "").includes(national.slice(3))),
      )
      .toBe(true);
  });

  test("the words for permissions and licenses filter by them", async ({ page }) => {
    await search(page, "company admin");
    await expectListed(page, ["Ada Lovelace"]);

    await search(page, "office admin");
    await expectListed(page, ["Carlos Ramírez", "Olive Bennett", "Oscar Martínez"]);

    await search(page, "admin");
    await expectListed(page, ["Ada Lovelace", "Carlos Ramírez", "Olive Bennett", "Oscar Martínez"]);

    await search(page, "proxy");
    // Ada has it as a Company Admin on the Advanced plan; Oscar by grant.
    await expectListed(page, ["Ada Lovelace", "Oscar Martínez"]);

    for (const [word, license] of [
      ["connect", "Connect"],
      ["sell", "Sell"],
      ["support", "Support"],
    ]) {
      await search(page, word);
      const cells = page.getByRole("table").getByRole("row").locator("td:nth-child(7)");
      await expect.poll(async () => new Set(await cells.allTextContents())).toEqual(new Set([license]));
    }
  });

  test("filters for license, permission, status and office combine", async ({ page }) => {
    await page.getByLabel("License", { exact: true }).selectOption({ label: "Sell" });
    await page.getByLabel("Status").selectOption({ label: "Pending" });
    await page.getByLabel("Office").selectOption({ label: "San Francisco" });
    await submitSearch(page, { license: "sell", status: "pending" });
    await expectListed(page, ["Rosa Delgado"]);

    await page.getByRole("link", { name: "Clear", exact: true }).click();
    await expect(page).toHaveURL(/\/users$/);
    await expect(page.getByLabel("License", { exact: true })).toHaveValue("");
    await page.getByLabel("Permission").selectOption({ label: "Office Admin" });
    await page.getByLabel("Office").selectOption({ label: "New York" });
    await submitSearch(page, { permission: "office_admin", license: "" });
    await expectListed(page, ["Olive Bennett"]);
  });

  test("sorting by name, email and date added, both ways", async ({ page }) => {
    await page.goto("/users?office=" + (await officeId(page, "Toronto")));
    const byName = await listedNames(page);
    expect(byName).toEqual([...byName].sort((a, b) => a.localeCompare(b)));

    await page.getByRole("link", { name: /^Name/ }).click();
    await expect(page.getByRole("columnheader", { name: /Name/ })).toHaveAttribute("aria-sort", "descending");
    expect(await listedNames(page)).toEqual([...byName].reverse());

    await page.getByRole("link", { name: /^Email/ }).click();
    await expect(page.getByRole("columnheader", { name: /Email/ })).toHaveAttribute("aria-sort", "ascending");
    const emails = await page
      .getByRole("table")
      .getByRole("row")
      .locator("td:nth-child(3)")
      .allTextContents();
    expect(emails).toEqual([...emails].sort());
  });

  test("First, Previous, Next and Last walk the list by cursors held in the URL", async ({
    page,
    expectNoAxeViolations,
  }) => {
    const pages = page.getByRole("navigation", { name: "Pagination" });
    const link = (name: string) => pages.getByRole("link", { name, exact: true });
    await expect(page.getByText(/Showing 1–50 of [\d,]+ users/)).toBeVisible();
    // On the first page there is no First or Previous to follow.
    await expect(link("First page")).toHaveCount(0);
    await expect(link("Previous page")).toHaveCount(0);
    const first = await listedNames(page);
    expect(first).toHaveLength(50);
    await expectNoAxeViolations();

    await link("Next page").click();
    await expect(page).toHaveURL(/cursor=next\./);
    // With JavaScript the URL changes before React renders the new rows: wait for the second page's own link.
    await expect(link("Previous page")).toBeVisible();
    const second = await listedNames(page);
    expect(second.length).toBeGreaterThan(0);
    expect(second.filter((n) => first.includes(n))).toEqual([]);
    // The URL is the page: opened afresh (shared, bookmarked), it shows the same rows.
    await page.goto(page.url());
    expect(await listedNames(page)).toEqual(second);

    await link("Previous page").click();
    await expect(page.getByText(/Showing 1–50 of [\d,]+ users/)).toBeVisible();
    expect(await listedNames(page)).toEqual(first);
  });

  test("Last is the list's end, and First its start again", async ({ page, expectNoAxeViolations }) => {
    const pages = page.getByRole("navigation", { name: "Pagination" });
    const link = (name: string) => pages.getByRole("link", { name, exact: true });
    const first = await listedNames(page);
    await link("Last page").click();
    await expect(page).toHaveURL(/cursor=last/);
    const total = Number(
      (await page.getByText(/Showing .* users/).textContent())!.match(/of ([\d,]+)/)![1]!.replace(/,/g, ""),
    );
    await expect(page.getByText(`Showing ${total - 49}–${total} of ${total} users`)).toBeVisible();
    await expect(link("Next page")).toHaveCount(0);
    await expect(link("Last page")).toHaveCount(0);
    const last = await listedNames(page);
    expect(last).toHaveLength(50);
    expect(last.filter((n) => !first.includes(n)).length).toBeGreaterThan(0);
    await expectNoAxeViolations();

    await link("First page").click();
    await expect(page).not.toHaveURL(/cursor=/);
    await expect(link("First page")).toHaveCount(0);
    expect(await listedNames(page)).toEqual(first);
  });

  test("a forged cursor opens the first page, not an error", async ({ page }) => {
    const first = await listedNames(page);
    const response = await page.goto("/users?cursor=next.bm90LWEtY3Vyc29y");
    expect(response!.status()).toBe(200);
    expect(await listedNames(page)).toEqual(first);
  });

  test("sorting by office keeps its pages in office order", async ({ page }) => {
    await page.getByRole("link", { name: /^Office ?, sort ascending/ }).click();
    await expect(page).toHaveURL(/sort=office/);
    // With JavaScript the URL changes before React renders the new rows: wait for the header to say so.
    await expect(page.getByRole("columnheader", { name: /Office/ })).toHaveAttribute(
      "aria-sort",
      "ascending",
    );
    const offices = async () =>
      page.getByRole("table").getByRole("row").locator("td:nth-child(6)").allTextContents();
    const firstOffices = await offices();
    expect(firstOffices).toEqual([...firstOffices].sort());
    await page
      .getByRole("navigation", { name: "Pagination" })
      .getByRole("link", { name: "Next page" })
      .click();
    await expect(page).toHaveURL(/cursor=next\./);
    await expect(
      page.getByRole("navigation", { name: "Pagination" }).getByRole("link", { name: "Previous page" }),
    ).toBeVisible();
    const nextOffices = await offices();
    expect([...firstOffices, ...nextOffices]).toEqual([...firstOffices, ...nextOffices].sort());
  });

  test("a name opens the user's page, with groups, numbers and dates", async ({
    page,
    javaScriptEnabled,
  }) => {
    // With JavaScript the row's link navigates inside the app, as a <Link> does: the document stays.
    await page.evaluate(() => Object.assign(window, { sameDocument: true }));
    await page.getByRole("link", { name: "Diego Alvarez", exact: true }).click();
    await expect(page.getByRole("heading", { name: "Diego Alvarez", level: 1 })).toBeVisible();
    expect(await page.evaluate(() => "sameDocument" in window)).toBe(javaScriptEnabled);
    const groups = page.getByRole("region", { name: "Groups" });
    await expect(groups.getByRole("listitem")).toHaveText([/Sales/, /Support Desk/]);
    const numbers = page.getByRole("region", { name: "Phone numbers" });
    await expect(numbers.getByRole("row", { name: /\+1 415/ })).toContainText("uses a Local number add-on");
    await expect(page.getByRole("region", { name: "Details" })).toContainText("Date added");
    await expect(page.getByRole("region", { name: "Details" })).toContainText("First sign-in");
  });

  test("a name clicked with Ctrl or Cmd opens the user's page in a new tab, and the list stays", async ({
    page,
  }) => {
    // A modified click is the browser's, with JavaScript too: the row's listener leaves it alone.
    const opened = page.context().waitForEvent("page");
    await page
      .getByRole("link", { name: "Diego Alvarez", exact: true })
      .click({ modifiers: ["ControlOrMeta"] });
    const tab = await opened;
    await expect(tab.getByRole("heading", { name: "Diego Alvarez", level: 1 })).toBeVisible();
    await expect(page.getByRole("heading", { name: "Users", level: 1 })).toBeVisible();
    await expect(page.getByRole("link", { name: "Diego Alvarez", exact: true })).toBeVisible();
    await tab.close();
  });

  test("the Options menu opens by keyboard and lists its sections", async ({ page }) => {
    await page.getByRole("link", { name: "Ada Lovelace", exact: true }).click();
    // The list has an Options menu beside each user too: open the one on the user's page.
    await expect(page.getByRole("heading", { name: "Ada Lovelace", level: 1 })).toBeVisible();
    const options = page.getByText("Options", { exact: false }).first();
    await options.focus();
    await page.keyboard.press("Enter");
    await expect(page.getByRole("group", { name: "Calling" })).toBeVisible();
    await expect(page.getByRole("group", { name: "Privileges" })).toBeVisible();
  });

  test("the other tabs are in the tab bar", async ({ page }) => {
    await page.getByRole("link", { name: "Reserved Numbers", exact: true }).click();
    await expect(page.getByRole("heading", { name: "Reserved Numbers" })).toBeVisible();
    await page.getByRole("link", { name: "Deleted Users", exact: true }).click();
    await expect(page.getByRole("heading", { name: "Deleted Users" })).toBeVisible();
  });
});

async function officeId(page: Page, name: string): Promise<string> {
  return page
    .getByLabel("Office")
    .locator("option", { hasText: name })
    .getAttribute("value") as Promise<string>;
}

test.describe("Office Admin", () => {
  test("sees only the users of their offices, and another office's user is a 404", async ({
    page,
    signIn,
  }) => {
    await signIn("olive@acme.test");
    const names = await listedNames(page);
    expect(names).toContain("Ethan Brooks");
    expect(names).not.toContain("Uma Patel");
    await expect(page.getByLabel("Office")).toHaveCount(0); // one office: no office filter

    await page.goto("/users?q=uma");
    await expect(page.getByText("No users match.")).toBeVisible();

    // Uma's id, learned by ada, typed in by olive.
    const umaId = await userIdOf(page, "uma@acme.test");
    const response = await page.goto(`/users/${umaId}`);
    expect(response!.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();

    const missing = await page.goto("/users/99999999");
    expect(missing!.status()).toBe(404);
  });

  test("an Office Admin of two offices sees both", async ({ page, signIn }) => {
    await signIn("carlos@acme.test");
    const london = await officeId(page, "London");
    await page.getByLabel("Office").selectOption({ label: "London" });
    await submitSearch(page, { office: london });
    await expect(page.getByRole("rowheader", { name: "Charlotte Hughes" })).toBeVisible();
    await page.getByLabel("Office").selectOption({ label: "All your offices" });
    await submitSearch(page, { office: "" });
    await expect(page.getByRole("rowheader", { name: "Kevin Park" })).toBeVisible();
    const names = await listedNames(page);
    expect(names).not.toContain("Ethan Brooks");
  });
});

test("the Globex admin sees nothing of Acme", async ({ page, signIn }) => {
  await signIn("gina@globex.test");
  const names = await listedNames(page);
  expect(names).toContain("Gina Russo");
  expect(names).not.toContain("Ada Lovelace");
  await page.goto("/users?q=acme.test");
  await expect(page.getByText("No users match.")).toBeVisible();
  const adaId = await userIdOf(page, "ada@acme.test");
  expect((await page.goto(`/users/${adaId}`))!.status()).toBe(404);
});

test("a search that cannot be one is explained beside the search box, the list still shown", async ({
  page,
  signIn,
  expectNoAxeViolations,
}) => {
  await signIn("ada@acme.test");
  // A NUL byte, as a crafted link or a paste would send it.
  const response = await page.goto("/users?q=mei%00&license=connect");
  expect(response!.status()).toBe(400);
  const box = page.getByRole("searchbox", { name: "Search users" });
  await expect(box).toHaveAccessibleDescription(
    /Remove the control and text-direction characters from the search/,
  );
  // The other filters still apply.
  await expect(page.getByRole("combobox", { name: "License" })).toHaveValue("connect");
  await expect(page.getByText(/Showing 1–\d+ of \d+ users/)).toBeVisible();
  await expectNoAxeViolations();
  await box.fill("mei");
  await submitSearch(page, { q: "mei" });
  await expect(page.getByRole("rowheader", { name: "Mei Tanaka" })).toBeVisible();
});
