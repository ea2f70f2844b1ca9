/**
 * Company Settings > Licenses and Transfer Licenses. This file moves seats
 * between San Francisco and New York only (other files change licenses in
 * Toronto, Austin and London), and reads counts before and after.
 */
import { test, expect, signInElsewhere } from "./fixtures";
import type { Page } from "@playwright/test";
import { poolCounts } from "./licenses";

const counts = poolCounts;

async function next(page: Page, step: number, title: string) {
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByText(`Step ${step} of 5: ${title}`)).toBeVisible();
}

/** Category → from → to → type and quantity → the review. */
async function toReview(
  page: Page,
  t: { category: string; from: string; to: string; type: string; quantity: number },
) {
  await page.goto("/company/licenses");
  await page.getByRole("link", { name: "Transfer Licenses", exact: true }).click();
  await expect(page.getByText("Step 1 of 5: Choose the category")).toBeVisible();
  await page.getByRole("radio", { name: t.category, exact: true }).check();
  await next(page, 2, "Choose the office to transfer from");
  await page.getByRole("radio", { name: t.from, exact: true }).check();
  await next(page, 3, "Choose the office to transfer to");
  await page.getByRole("radio", { name: t.to, exact: true }).check();
  await next(page, 4, "Choose the type and quantity");
  await page.getByRole("radio", { name: t.type, exact: true }).check();
  await page.getByLabel("Quantity").fill(String(t.quantity));
  await next(page, 5, "Review the transfer");
}

test.describe("Company Admin on a higher-tier plan", () => {
  test.beforeEach(async ({ signIn }) => {
    await signIn("ada@acme.test");
  });

  test("the Licenses page shows each office's pools by category, with usage meters and price levels", async ({
    page,
  }) => {
    await page.getByRole("link", { name: "Company Settings › Licenses", exact: true }).click();
    await expect(page.getByRole("heading", { name: "Licenses", level: 1 })).toBeVisible();
    for (const name of ["Dialpad", "Dialpad Meetings", "Add-on"]) {
      await expect(page.getByRole("heading", { name, exact: true, level: 2 })).toBeVisible();
    }
    const sf = await counts(page, "Dialpad", "San Francisco", "Connect");
    expect(sf.unassigned).toBe(sf.purchased - sf.assigned);
    const meter = page.getByRole("meter", { name: "Connect licenses used in San Francisco" });
    await expect(meter).toHaveAttribute("value", String(sf.assigned));
    await expect(meter.locator("..")).toContainText(`${sf.assigned} of ${sf.purchased} used`);
    const london = page
      .getByRole("region", { name: "Add-on", exact: true })
      .getByRole("row")
      .filter({ hasText: "London" })
      .first();
    await expect(london).toContainText("Pound Sterling, standard");
  });

  test("the whole transfer, with Back keeping every value", async ({ page }) => {
    test.slow(); // several flows, each a few pages
    const before = {
      sf: await counts(page, "Dialpad", "San Francisco", "Support"),
      ny: await counts(page, "Dialpad", "New York", "Support"),
    };
    await toReview(page, {
      category: "Dialpad",
      from: "San Francisco",
      to: "New York",
      type: "Support",
      quantity: 1,
    });

    await page.getByRole("link", { name: "Back", exact: true }).click();
    await expect(page.getByText("Step 4 of 5")).toBeVisible();
    await expect(page.getByRole("radio", { name: "Support", exact: true })).toBeChecked();
    await expect(page.getByLabel("Quantity")).toHaveValue("1");
    await page.getByRole("link", { name: "Back", exact: true }).click();
    await expect(page.getByText("Step 3 of 5")).toBeVisible();
    await expect(page.getByRole("radio", { name: "New York", exact: true })).toBeChecked();
    // Offices at another price level are listed, cannot be chosen, and say why.
    for (const office of ["Austin", "London"]) {
      const radio = page.getByRole("radio", { name: office, exact: true });
      await expect(radio).toBeDisabled();
      await expect(radio).toHaveAccessibleDescription(
        /At another price level .*licenses move only between offices at the same price level as San Francisco/,
      );
    }
    await page.getByRole("link", { name: "Back", exact: true }).click();
    await expect(page.getByText("Step 2 of 5")).toBeVisible();
    await expect(page.getByRole("radio", { name: "San Francisco", exact: true })).toBeChecked();
    await page.getByRole("link", { name: "Back", exact: true }).click();
    await expect(page.getByRole("radio", { name: "Dialpad", exact: true })).toBeChecked();
    await next(page, 2, "Choose the office to transfer from");
    await next(page, 3, "Choose the office to transfer to");
    await next(page, 4, "Choose the type and quantity");
    await next(page, 5, "Review the transfer");

    await expect(page.getByRole("definition")).toHaveText(["San Francisco", "New York", "Support", "1"]);
    const table = page.getByRole("table", { name: "Support licenses before and after the transfer" });
    await expect(table.getByRole("row", { name: /^San Francisco/ }).getByRole("cell")).toHaveText([
      String(before.sf.purchased),
      String(before.sf.purchased - 1),
      String(before.sf.assigned),
      String(before.sf.unassigned),
      String(before.sf.unassigned - 1),
    ]);
    await expect(table.getByRole("row", { name: /^New York/ }).getByRole("cell")).toHaveText([
      String(before.ny.purchased),
      String(before.ny.purchased + 1),
      String(before.ny.assigned),
      String(before.ny.unassigned),
      String(before.ny.unassigned + 1),
    ]);
    await page.getByRole("button", { name: "Confirm transfer" }).click();
    await expect(page.getByRole("status")).toHaveText(
      "Transferred 1 Support license from San Francisco to New York.",
    );
    expect(await counts(page, "Dialpad", "San Francisco", "Support")).toEqual({
      ...before.sf,
      purchased: before.sf.purchased - 1,
      unassigned: before.sf.unassigned - 1,
    });
    expect(await counts(page, "Dialpad", "New York", "Support")).toEqual({
      ...before.ny,
      purchased: before.ny.purchased + 1,
      unassigned: before.ny.unassigned + 1,
    });
  });

  test("more than the unassigned count is refused next to the quantity", async ({ page }) => {
    const sf = await counts(page, "Dialpad", "San Francisco", "Sell");
    await toReview(page, {
      category: "Dialpad",
      from: "San Francisco",
      to: "New York",
      type: "Sell",
      quantity: 1,
    });
    await page.getByRole("link", { name: "Back", exact: true }).click();
    await page.getByLabel("Quantity").fill(String(sf.unassigned + 1));
    await page.getByRole("button", { name: "Next" }).click();
    await expect(page.getByLabel("Quantity")).toHaveAccessibleDescription(
      new RegExp(
        `San Francisco has ${sf.unassigned} unassigned Sell licenses?: transfer at most ${sf.unassigned}\\.`,
      ),
    );
    await expect(page.getByText("Step 4 of 5")).toBeVisible();
    expect(await counts(page, "Dialpad", "San Francisco", "Sell")).toEqual(sf);
  });

  test("a stale review is refused with the new numbers, never applied over them", async ({ page }) => {
    test.slow(); // several flows, each a few pages
    const before = await counts(page, "Dialpad Meetings", "San Francisco", "Meetings");
    await toReview(page, {
      category: "Dialpad Meetings",
      from: "San Francisco",
      to: "New York",
      type: "Meetings",
      quantity: 1,
    });

    // Meanwhile, another admin transfers one Meetings seat the same way.
    const { context: other, page: page2 } = await signInElsewhere(page, "ada@acme.test");
    await toReview(page2, {
      category: "Dialpad Meetings",
      from: "San Francisco",
      to: "New York",
      type: "Meetings",
      quantity: 1,
    });
    await page2.getByRole("button", { name: "Confirm transfer" }).click();
    await expect(page2.getByRole("status")).toHaveText(
      "Transferred 1 Meetings license from San Francisco to New York.",
    );
    await other.close();

    await page.getByRole("button", { name: "Confirm transfer" }).click();
    await expect(page.getByRole("alert")).toContainText(
      "The Meetings counts changed since you reviewed this transfer, so nothing was transferred.",
    );
    await expect(page.getByRole("alert")).toContainText(
      `San Francisco: ${before.purchased - 1} purchased, ${before.assigned} assigned`,
    );
    // The review now shows the new numbers…
    const table = page.getByRole("table", { name: "Meetings licenses before and after the transfer" });
    await expect(
      table
        .getByRole("row", { name: /^San Francisco/ })
        .getByRole("cell")
        .first(),
    ).toHaveText(String(before.purchased - 1));
    expect((await counts(page, "Dialpad Meetings", "San Francisco", "Meetings")).purchased).toBe(
      before.purchased - 1,
    );
  });

  test("the transfer works by keyboard alone", async ({ page }) => {
    const before = await counts(page, "Dialpad", "New York", "Connect");
    await page.goto("/company/licenses/transfer");
    const tabTo = async (name: string, role: "button" | "spinbutton") => {
      const target = page.getByRole(role, { name, exact: true });
      for (let i = 0; i < 40 && !(await target.evaluate((el) => el === document.activeElement)); i++)
        await page.keyboard.press("Tab");
      await expect(target).toBeFocused();
    };
    /** Tab into the radio group, then arrow to the option (arrows skip disabled ones), and select it. */
    const choose = async (name: string) => {
      const target = page.getByRole("radio", { name, exact: true });
      const group = await target.getAttribute("name");
      const inGroup = () =>
        page.evaluate((g) => (document.activeElement as HTMLInputElement | null)?.name === g, group);
      for (let i = 0; i < 40 && !(await inGroup()); i++) await page.keyboard.press("Tab");
      for (let i = 0; i < 10 && !(await target.evaluate((el) => el === document.activeElement)); i++)
        await page.keyboard.press("ArrowDown");
      await page.keyboard.press("Space");
      await expect(target).toBeChecked();
    };
    await choose("Dialpad");
    await tabTo("Next", "button");
    await page.keyboard.press("Enter");
    await expect(page.getByText("Step 2 of 5")).toBeVisible();
    await choose("San Francisco");
    await tabTo("Next", "button");
    await page.keyboard.press("Enter");
    await expect(page.getByText("Step 3 of 5")).toBeVisible();
    await choose("New York");
    await tabTo("Next", "button");
    await page.keyboard.press("Enter");
    await expect(page.getByText("Step 4 of 5")).toBeVisible();
    await choose("Connect");
    await tabTo("Quantity", "spinbutton");
    await page.keyboard.press("Control+A");
    await page.keyboard.type("1");
    await page.keyboard.press("Enter"); // submits the form, as Enter in a field does
    await expect(page.getByText("Step 5 of 5")).toBeVisible();
    await tabTo("Confirm transfer", "button");
    await page.keyboard.press("Enter");
    await expect(page.getByRole("status")).toHaveText(
      "Transferred 1 Connect license from San Francisco to New York.",
    );
    expect((await counts(page, "Dialpad", "New York", "Connect")).purchased).toBe(before.purchased + 1);
  });

  test("axe finds no violations on the Licenses page and each step", async ({
    page,
    expectNoAxeViolations,
  }) => {
    test.slow(); // seven pages, each checked in a browser of its own with JavaScript off
    await page.goto("/company/licenses");
    await expectNoAxeViolations();
    await page.goto("/company/licenses/transfer");
    await expectNoAxeViolations();
    await page.getByRole("button", { name: "Next" }).click();
    await expect(page.getByText("Choose a category of licenses.")).toBeVisible();
    await expectNoAxeViolations();
    await page.getByRole("radio", { name: "Add-on", exact: true }).check();
    await next(page, 2, "Choose the office to transfer from");
    await expectNoAxeViolations();
    await page.getByRole("radio", { name: "San Francisco", exact: true }).check();
    await next(page, 3, "Choose the office to transfer to");
    await expectNoAxeViolations();
    await page.getByRole("radio", { name: "New York", exact: true }).check();
    await next(page, 4, "Choose the type and quantity");
    await expectNoAxeViolations();
    await page.getByRole("radio", { name: "Fax line", exact: true }).check();
    await page.getByLabel("Quantity").fill("1");
    await next(page, 5, "Review the transfer");
    await expectNoAxeViolations();
  });
});

test("a Company Admin on the Standard plan sees the Licenses page but cannot transfer", async ({
  page,
  signIn,
}) => {
  await signIn("gina@globex.test");
  await page.getByRole("link", { name: "Company Settings › Licenses", exact: true }).click();
  await expect(
    page
      .getByRole("region", { name: "Dialpad", exact: true })
      .getByRole("rowheader", { name: "Springfield" })
      .first(),
  ).toBeVisible();
  await expect(page.getByRole("link", { name: /Transfer/ })).toHaveCount(0);
  await expect(page.getByText(/available on the Advanced and Premium plans/)).toBeVisible();
  const response = await page.goto("/company/licenses/transfer?step=type&category=dialpad");
  expect(response!.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "Not allowed" })).toBeVisible();
});

test("an Office Admin sees their offices read-only, and not the transfer", async ({
  page,
  signIn,
  expectNoAxeViolations,
}) => {
  await signIn("olive@acme.test", "/company/licenses");
  const offices = await page
    .getByRole("region", { name: "Dialpad", exact: true })
    .getByRole("rowheader")
    .allTextContents();
  expect(new Set(offices)).toEqual(new Set(["New York"]));
  await expect(page.getByRole("link", { name: /Transfer/ })).toHaveCount(0);
  await expectNoAxeViolations();
  expect((await page.goto("/company/licenses/transfer"))!.status()).toBe(403);
});

test("a regular user cannot see Licenses", async ({ page, signIn }) => {
  await signIn("uma@acme.test");
  await expect(page.getByRole("link", { name: "Company Settings › Licenses", exact: true })).toHaveCount(0);
  expect((await page.goto("/company/licenses"))!.status()).toBe(403);
});
