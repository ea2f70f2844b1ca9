/**
 * Transfer user, by keyboard, with axe on each step. This file moves Fatima
 * Al-Sayed from San Francisco to Toronto. So that the new Canadian number is
 * this file's own (the Reserved Numbers spec owns the pool's demo numbers),
 * it first removes Leila Haddad's number in Toronto (pending: no other file uses her): the most recently
 * unassigned number is the one offered. It reads no pool counts (other files
 * do, for San Francisco, New York and Toronto) and only looks at Noah
 * Goldberg and Hannah Schmidt.
 */
import { test, expect } from "./fixtures";
import type { Locator, Page } from "@playwright/test";

async function openUser(page: Page, query: string, name: string) {
  await page.goto(`/users?q=${encodeURIComponent(query)}`);
  await page.getByRole("link", { name, exact: true }).click();
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
}

/** Activates a link or button by keyboard alone. */
async function press(page: Page, target: Locator) {
  await target.focus();
  await page.keyboard.press("Enter");
}

test("San Francisco → Toronto by keyboard: numbers to the pool, a Canadian number, axe on each step", async ({
  page,
  signIn,
  expectNoAxeViolations,
}) => {
  test.slow(); // several flows
  await signIn("ada@acme.test");

  // Leila's number goes to Toronto's Reserved Pool: the newest there, so the one offered below.
  await openUser(page, "leila", "Leila Haddad");
  await page.goto(`${new URL(page.url()).pathname}/numbers`);
  const freed = (await page.getByRole("rowheader").first().getByRole("code").textContent())!;
  await page.getByRole("link", { name: /^Remove/ }).first().click();
  await page.getByRole("button", { name: "Remove number" }).click();
  await expect(page.getByRole("status")).toContainText(/Reserved Pool/);

  await openUser(page, "fatima", "Fatima Al-Sayed");
  await page.getByText("Options").focus();
  await page.keyboard.press("Enter");
  await press(page, page.getByRole("region", { name: "Admin" }).getByRole("link", { name: "Transfer user", exact: true }));
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
  await expect(numbers).toContainText(/New local number: \+1 416 .* \(from Toronto's Reserved Pool\)\./);
  await expect(page.locator('input[name="newNumber"]')).toHaveValue(freed);
  await expect(page.getByRole("region", { name: "License" })).toContainText("keeps the Connect license");
  await expectNoAxeViolations();

  await press(page, page.getByRole("button", { name: "Confirm transfer" }));
  await expect(page.getByRole("status")).toContainText(/^Fatima Al-Sayed now works in Toronto\./);
  await expect(page.getByRole("status")).toContainText(/went to the San Francisco Reserved Pool\. New number: \+1 416/);
  await expect(page.getByRole("region", { name: "Details" })).toContainText("Toronto");
  await expect(page.getByRole("region", { name: "Phone numbers" })).toContainText(/\+1 416/);
  await expect(page.getByRole("region", { name: "Phone numbers" })).not.toContainText(/\+1 415/);
});

test("offices at another price level are listed but cannot be chosen, and say why", async ({ page, signIn }) => {
  await signIn("ada@acme.test");
  await openUser(page, "noah", "Noah Goldberg");
  await page.getByText("Options").click();
  const href = await page.getByRole("region", { name: "Admin" }).getByRole("link", { name: "Transfer user", exact: true }).getAttribute("href");
  await page.goto(href!);
  for (const name of ["Austin", "London"]) {
    const radio = page.getByRole("radio", { name: new RegExp(`^${name}`) });
    await expect(radio).toBeDisabled();
    await expect(radio).toHaveAccessibleDescription(/At another price level/);
  }
  await expect(page.getByRole("radio", { name: /^New York/ })).toBeEnabled();
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
  await expect(page.getByRole("region", { name: "Admin" }).getByRole("button", { name: "Transfer user" })).toBeDisabled();
  const response = await page.goto(`${new URL(page.url()).pathname}/transfer`);
  expect(response!.status()).toBe(403);
  await expect(page.getByText("Only Company Admins transfer users between offices.")).toBeVisible();
});
