/**
 * Transfer user, by keyboard, with axe on each step, and the new number held
 * for the user while the review is open. This file moves Fatima Al-Sayed
 * from San Francisco to Toronto, then reviews (never confirms) Transfer
 * users of Liam O'Connor to Toronto. So that the new Canadian numbers are
 * this file's own (the Reserved Numbers spec owns the pool's demo numbers),
 * each test first puts a number of its own in Toronto's Reserved Pool
 * (Leila Haddad's, pending, which no other file uses; then Fatima's new
 * one): the most recently unassigned free number is the one held. The tests
 * run in order. Last, it moves Noah Goldberg from San Francisco to New York
 * (the pool counts are checked in tests/domain/transfer-user.test.ts: other
 * files read San Francisco's, New York's and Toronto's) and only looks at
 * Hannah Schmidt.
 */
import { test, expect, checkAxe, signInElsewhere } from "./fixtures";
import type { Locator, Page } from "@playwright/test";
import { formatNumber } from "../../app/numbers/format.server.ts";

async function openUser(page: Page, query: string, name: string) {
  await page.goto(`/users?q=${encodeURIComponent(query)}`);
  await page.getByRole("link", { name, exact: true }).click();
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
}

/** Activates a link, button, checkbox or radio by keyboard alone. */
async function press(page: Page, target: Locator, key = "Enter") {
  await target.focus();
  await page.keyboard.press(key);
}

/** Removes the user's first number: it goes to their office's Reserved Pool, the newest there. Returns it (E.164). */
async function freeNumberOf(page: Page, query: string, name: string) {
  await openUser(page, query, name);
  await page.goto(`${new URL(page.url()).pathname}/numbers`);
  const freed = (await page.getByRole("rowheader").first().getByRole("code").textContent())!;
  await page
    .getByRole("link", { name: /^Remove/ })
    .first()
    .click();
  await page.getByRole("button", { name: "Remove number" }).click();
  await expect(page.getByRole("status")).toContainText(/Reserved Pool/);
  return freed;
}

/** The number's row on the Reserved Numbers page, as another admin sees it now. */
async function poolRow(page: Page, e164: string) {
  await page.goto(`/users/reserved-numbers?q=${e164.slice(1)}`);
  return page.getByRole("row", { name: new RegExp(`^${formatNumber(e164)!.replace(/\+/g, "\\+")}`) });
}

/**
 * The number's id, from its Reassign link as an admin sees it at a later
 * time (in a context of their own): while it is held, the list offers no link.
 */
async function poolIdOf(page: Page, e164: string, at: { minutesFromNow: number }) {
  const later = { "x-test-now": new Date(Date.now() + at.minutesFromNow * 60_000).toISOString() };
  const { context, page: other } = await signInElsewhere(page, "ada@acme.test", false, later);
  const href = await (
    await poolRow(other, e164)
  )
    .getByRole("link", { name: /^Reassign/ })
    .getAttribute("href");
  await context.close();
  return href!.split("/")[3]!;
}

test("San Francisco → Toronto by keyboard: numbers to the pool, a Canadian number held until confirmed, axe on each step", async ({
  page,
  signIn,
  expectNoAxeViolations,
  javaScriptEnabled,
}) => {
  test.slow(); // several flows
  await signIn("ada@acme.test");

  // Leila's number goes to Toronto's Reserved Pool: the newest there, so the one held below.
  const freed = await freeNumberOf(page, "leila", "Leila Haddad");

  await openUser(page, "fatima", "Fatima Al-Sayed");
  await page.getByText("Options").focus();
  await page.keyboard.press("Enter");
  await press(
    page,
    page.getByRole("group", { name: "Admin" }).getByRole("link", { name: "Transfer user", exact: true }),
  );
  await expect(page.getByRole("heading", { name: "Transfer user", level: 1 })).toBeVisible();
  await expect(page.getByRole("radio", { name: /^San Francisco/ })).toBeDisabled();
  await expectNoAxeViolations();

  await page.getByRole("radio", { name: /^Toronto/ }).focus();
  await page.keyboard.press("Space");
  await expect(page.getByRole("radio", { name: /^Toronto/ })).toBeChecked();
  await press(page, page.getByRole("button", { name: "Next" }));
  await expect(page.getByRole("heading", { name: "Review the transfer" })).toBeVisible();
  await expect(page.getByRole("definition")).toHaveText(["San Francisco (US)", "Toronto (CA)"]);
  const numbers = page.getByRole("region", { name: "Phone numbers" });
  await expect(numbers.getByRole("listitem")).toHaveCount(2);
  await expect(numbers.getByRole("listitem")).toContainText([/\+1 415.*Local|\+1 415.*Fax/, /\+1 415/]);
  await expect(numbers).toContainText(
    `New local number: ${formatNumber(freed)} (from Toronto's Reserved Pool).`,
  );
  await expect(numbers).toContainText(
    /It is held for Fatima Al-Sayed until .*: no one else can take it before you confirm\./,
  );
  await expect(page.getByRole("region", { name: "License" })).toContainText("keeps the Connect license");
  await expectNoAxeViolations();

  // While the review is open, another admin sees it held, with its reason and nothing to do (no Reassign,
  // no Delete); asked for by address, those pages refuse and say why. Add User in Toronto does not offer it.
  const other = await signInElsewhere(page, "ada@acme.test", javaScriptEnabled);
  const held = await poolRow(other.page, freed);
  await expect(held.getByRole("cell")).toContainText([
    "Held for a transfer",
    /^Held until .* for Fatima Al-Sayed's transfer to Toronto$/,
  ]);
  await expect(held.getByRole("link")).toHaveCount(0);
  await checkAxe(other.page, javaScriptEnabled);
  const id = await poolIdOf(page, freed, { minutesFromNow: 16 });
  for (const [step, button] of [
    ["reassign", "Reassign number"],
    ["delete", "Delete number"],
  ]) {
    await other.page.goto(`/users/reserved-numbers/${id}/${step}`);
    await expect(
      other.page.getByText(/is held until .* for Fatima Al-Sayed's transfer to Toronto/),
    ).toBeVisible();
    await expect(other.page.getByRole("button", { name: button })).toHaveCount(0);
  }
  await other.page.goto("/users/new");
  await other.page.getByLabel("Office").selectOption({ label: "Toronto" });
  await other.page.getByRole("button", { name: "Next" }).click();
  await expect(other.page.getByRole("group", { name: "Number" })).toBeVisible();
  await expect(
    other.page.getByRole("radio", { name: new RegExp(`^${formatNumber(freed)!.replace(/\+/g, "\\+")}`) }),
  ).toHaveCount(0);

  // Back lets it go; Next holds it again.
  await press(page, page.getByRole("button", { name: "Back" }));
  await expect(page.getByRole("radio", { name: /^Toronto/ })).toBeChecked();
  await expect(await poolRow(other.page, freed)).toContainText("Reserved");
  await expect(await poolRow(other.page, freed)).not.toContainText("Held");
  await other.context.close();
  await press(page, page.getByRole("button", { name: "Next" }));
  await expect(numbers).toContainText(
    `New local number: ${formatNumber(freed)} (from Toronto's Reserved Pool).`,
  );

  await press(page, page.getByRole("button", { name: "Confirm transfer" }));
  await expect(page.getByRole("status")).toContainText(/^Fatima Al-Sayed now works in Toronto\./);
  await expect(page.getByRole("status")).toContainText(
    /went to the San Francisco Reserved Pool\. New number: \+1 416/,
  );
  await expect(page.getByRole("region", { name: "Details" })).toContainText("Toronto");
  await expect(page.getByRole("region", { name: "Phone numbers" })).toContainText(/\+1 416/);
  await expect(page.getByRole("region", { name: "Phone numbers" })).not.toContainText(/\+1 415/);
});

test("Transfer users to another country: the review lists the numbers going to the pool and the new local number held; Back and Cancel let it go", async ({
  page,
  signIn,
  expectNoAxeViolations,
  javaScriptEnabled,
}) => {
  await signIn("ada@acme.test");
  // Fatima's Canadian number (the test above) goes back to Toronto's pool: the newest there, so the one held below.
  const freed = await freeNumberOf(page, "fatima", "Fatima Al-Sayed");
  const shown = formatNumber(freed)!;

  await page.goto("/users?q=liam");
  await press(page, page.getByRole("checkbox", { name: "Select Liam O'Connor" }), "Space");
  await page.getByRole("combobox", { name: "Action" }).selectOption({ label: "Transfer users" });
  await press(page, page.getByRole("button", { name: "Apply" }));
  await press(page, page.getByRole("radio", { name: /^Toronto/ }), "Space");
  await press(page, page.getByRole("button", { name: "Next" }));

  const liam = page
    .getByRole("region", { name: /Will be changed/ })
    .getByRole("row", { name: /Liam O'Connor/ });
  await expect(liam.getByRole("listitem")).toContainText([
    "New York → Toronto.",
    "The Connect license seat moves to Toronto.",
    /^\+1 212 .*, \+1 212 .* go to New York's Reserved Pool\.$/,
    new RegExp(
      `^New local number: ${shown.replace(/\+/g, "\\+")} \\(from Toronto's Reserved Pool\\), held for this user until .*\\.$`,
    ),
  ]);
  await expect(page.getByRole("button", { name: "Confirm transfer" })).toBeVisible();
  await expectNoAxeViolations();
  const other = await signInElsewhere(page, "ada@acme.test", javaScriptEnabled);
  await expect(await poolRow(other.page, freed)).toContainText(
    /Held until .* for Liam O'Connor's transfer to Toronto/,
  );

  // Seen 16 minutes later, the hold has run out: the review says so, and offers nothing to confirm.
  await page.setExtraHTTPHeaders({ "x-test-now": new Date(Date.now() + 16 * 60_000).toISOString() });
  await page.reload();
  await expect(
    page.getByRole("region", { name: /Will be skipped/ }).getByRole("row", { name: /Liam O'Connor/ }),
  ).toContainText("No local number in CA is held for this user");
  await expect(page.getByRole("button", { name: "Confirm transfer" })).toHaveCount(0);
  await page.setExtraHTTPHeaders({});
  await page.reload();
  await expect(liam.getByRole("listitem").last()).toContainText(shown);

  await press(page, page.getByRole("button", { name: "Back", exact: true }));
  await expect(page.getByRole("radio", { name: /^Toronto/ })).toBeChecked();
  await expect(await poolRow(other.page, freed)).not.toContainText("Held");
  await press(page, page.getByRole("button", { name: "Next" }));
  await expect(liam.getByRole("listitem").last()).toContainText(shown);
  await press(page, page.getByRole("button", { name: "Cancel", exact: true }));
  await expect(page).toHaveURL((url) => url.pathname === "/users" && url.searchParams.get("q") === "liam");
  await expect(await poolRow(other.page, freed)).not.toContainText("Held");
  await other.context.close();
  await expect(page.getByRole("row", { name: /Liam O'Connor/ })).toContainText("New York");
});

test("offices at another price level are listed but cannot be chosen, and say why; Next without one says so beside the choice", async ({
  page,
  signIn,
  expectNoAxeViolations,
}) => {
  await signIn("ada@acme.test");
  await openUser(page, "noah", "Noah Goldberg");
  await page.getByText("Options").click();
  const href = await page
    .getByRole("group", { name: "Admin" })
    .getByRole("link", { name: "Transfer user", exact: true })
    .getAttribute("href");
  await page.goto(href!);
  for (const name of ["Austin", "London"]) {
    const radio = page.getByRole("radio", { name: new RegExp(`^${name}`) });
    await expect(radio).toBeDisabled();
    await expect(radio).toHaveAccessibleDescription(/At another price level/);
  }
  await expect(page.getByRole("radio", { name: /^New York/ })).toBeEnabled();
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByRole("group", { name: "New office" })).toContainText("Choose an office.");
  await expect(page.getByRole("radio", { name: /^New York/ })).toHaveAccessibleDescription(
    /Choose an office\./,
  );
  await expectNoAxeViolations();
  // An office that is not the company's, by URL: the same, beside the choice.
  await page.goto(`${href}?step=review&office=2147483647`);
  await expect(page.getByRole("radio", { name: /^New York/ })).toHaveAccessibleDescription(
    /Choose an office\./,
  );
  // A crafted URL gets the refusal on the review, with nothing to confirm.
  const austin = await page.getByRole("radio", { name: /^Austin/ }).getAttribute("value");
  await page.goto(`${href}?step=review&office=${austin}`);
  await expect(page.getByText(/At another price level \(USD-2; San Francisco is USD-1\)/)).toBeVisible();
  await expect(page.getByRole("button", { name: "Confirm transfer" })).toHaveCount(0);
});

test("an Office Admin cannot transfer users", async ({ page, signIn }) => {
  await signIn("oscar@acme.test");
  await openUser(page, "hannah", "Hannah Schmidt");
  await page.getByText("Options").click();
  await expect(
    page.getByRole("group", { name: "Admin" }).getByRole("button", { name: "Transfer user" }),
  ).toBeDisabled();
  const response = await page.goto(`${new URL(page.url()).pathname}/transfer`);
  expect(response!.status()).toBe(403);
  await expect(page.getByText("Only Company Admins transfer users between offices.")).toBeVisible();
});

test("San Francisco → New York: only the office and the old office's groups change; numbers, license and settings stay", async ({
  page,
  signIn,
  expectNoAxeViolations,
}) => {
  await signIn("ada@acme.test");
  await openUser(page, "noah", "Noah Goldberg");
  const numbers = page.getByRole("region", { name: "Phone numbers" });
  // allTextContents does not wait: first wait for the rows a person would see.
  await expect(numbers.getByRole("rowheader")).toHaveCount(2);
  const numbersBefore = await numbers.getByRole("rowheader").allTextContents();
  await expect(page.getByRole("region", { name: "Groups" })).toContainText("Sales");
  await page.getByText("Options").click();
  await page
    .getByRole("group", { name: "Admin" })
    .getByRole("link", { name: "Transfer user", exact: true })
    .click();
  await page.getByRole("radio", { name: /^New York/ }).check();
  await page.getByRole("button", { name: "Next" }).click();

  await expect(page.getByRole("heading", { name: "Review the transfer" })).toBeVisible();
  await expect(page.getByRole("definition")).toHaveText(["San Francisco (US)", "New York (US)"]);
  await expect(page.getByRole("region", { name: "License" })).toContainText(
    /keeps the Connect license: the seat moves from San Francisco's pool to New York's, which has \d+ unassigned\./,
  );
  await expect(page.getByRole("region", { name: "What ends" }).getByRole("listitem")).toHaveText([
    "Membership of Sales (San Francisco)",
  ]);
  const moving = page.getByRole("region", { name: "Phone numbers" });
  await expect(moving).toContainText("These numbers move with Noah Goldberg to New York:");
  await expect(moving.getByRole("listitem")).toHaveCount(2);
  await expect(moving).not.toContainText("held");
  await expectNoAxeViolations();

  await page.getByRole("button", { name: "Confirm transfer" }).click();
  await expect(page.getByRole("status")).toHaveText(
    "Noah Goldberg now works in New York. Removed from Sales.",
  );
  await expect(page.getByRole("region", { name: "Details" })).toContainText("New York");
  await expect(page.getByRole("region", { name: "Details" })).toContainText("Connect");
  expect(await numbers.getByRole("rowheader").allTextContents()).toEqual(numbersBefore);
  await expect(page.getByRole("region", { name: "Groups" })).toContainText("Not a member of any group.");
});
