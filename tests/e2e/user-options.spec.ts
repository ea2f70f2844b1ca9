/**
 * Options beside each user in Active or Pending Users, as the seed walks it:
 * "Select Options beside the user", then Admin › Proxy Login or Admin ›
 * Transfer user, by keyboard alone, with axe on the list while a menu is open
 * (without JavaScript, on the user's options page the list links to).
 * People: Imran Hussain (London; proxied into), Samuel Adeyemi (New York;
 * a transfer reviewed, never confirmed) and Poppy Turner (London, pending; her
 * invite sent again), whom no other spec changes.
 */
import type { Locator, Page } from "@playwright/test";
import { test, expect } from "./fixtures";

/** Activates a link or button by keyboard alone. */
async function press(page: Page, target: Locator, key = "Enter") {
  await target.focus();
  await page.keyboard.press(key);
}

/**
 * Finds one user in the list and opens the Options beside them, by keyboard: the menu in place with
 * JavaScript, the user's options page without. Returns the options' Admin group.
 */
async function openOptionsInList(page: Page, query: string, name: string, javaScriptEnabled: boolean) {
  await page.goto(`/users?q=${encodeURIComponent(query)}`);
  const row = page.getByRole("row", { name: new RegExp(name) });
  await expect(row.getByRole("rowheader")).toHaveText(name);
  await press(page, row.getByLabel(`Options for ${name}`));
  if (javaScriptEnabled)
    await expect(row.getByRole("button", { name: `Options for ${name}` })).toHaveAttribute(
      "aria-expanded",
      "true",
    );
  else await expect(page.getByRole("heading", { name: `Options for ${name}`, level: 1 })).toBeVisible();
  const admin = page.getByRole("group", { name: "Admin", exact: true });
  await expect(admin).toBeVisible();
  return admin;
}

test("Options › Admin › Proxy Login from the list, by keyboard, with axe on the open menu", async ({
  page,
  signIn,
  expectNoAxeViolations,
  javaScriptEnabled,
}) => {
  await signIn("ada@acme.test");
  const admin = await openOptionsInList(page, "imran", "Imran Hussain", javaScriptEnabled);
  await expect(page.getByRole("group", { name: "Calling" })).toBeVisible();
  await expect(page.getByRole("group", { name: "Privileges" })).toBeVisible();
  await expect(admin.getByRole("link")).toHaveText([
    "Proxy Login",
    "Edit user",
    "Change license type",
    "Transfer user",
    "Suspend user",
    "Delete user",
  ]);
  await expectNoAxeViolations();

  if (javaScriptEnabled) {
    // A menu button: expanded, the first item focused; arrows, Home and End move; Escape closes and returns.
    const row = page.getByRole("row", { name: /Imran Hussain/ });
    const button = row.getByRole("button", { name: "Options for Imran Hussain" });
    await expect(button).toHaveAttribute("aria-expanded", "true");
    await expect(row.getByRole("link", { name: "Phone numbers", exact: true })).toBeFocused();
    await page.keyboard.press("End");
    await expect(admin.getByRole("link", { name: "Delete user" })).toBeFocused();
    await page.keyboard.press("ArrowUp");
    await expect(admin.getByRole("link", { name: "Suspend user" })).toBeFocused();
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    await expect(row.getByRole("link", { name: "Phone numbers", exact: true })).toBeFocused();
    await page.keyboard.press("Escape");
    await expect(admin).toBeHidden();
    await expect(button).toBeFocused();
    await expect(button).toHaveAttribute("aria-expanded", "false");
    await page.keyboard.press("ArrowDown");
    await expect(row.getByRole("link", { name: "Phone numbers", exact: true })).toBeFocused();
  }

  await press(page, admin.getByRole("link", { name: "Proxy Login", exact: true }));
  await expect(page.getByRole("heading", { name: "Proxy Login as Imran Hussain" })).toBeVisible();
  await press(page, page.getByRole("button", { name: "Proxy Login" }));
  await expect(page).toHaveURL(/\/settings$/);
  const banner = page.getByRole("region", { name: "Proxy login" });
  await expect(banner.getByRole("alert")).toContainText("You are proxying as Imran Hussain");
  await press(page, banner.getByRole("button", { name: "Back" }));
  await expect(page.getByRole("heading", { name: "Imran Hussain", level: 1 })).toBeVisible();
});

test("Options › Admin › Transfer user from the list: office, Next, the review of the move", async ({
  page,
  signIn,
  javaScriptEnabled,
}) => {
  await signIn("ada@acme.test");
  const admin = await openOptionsInList(page, "samuel", "Samuel Adeyemi", javaScriptEnabled);
  await press(page, admin.getByRole("link", { name: "Transfer user", exact: true }));
  await expect(page.getByRole("heading", { name: "Transfer user", level: 1 })).toBeVisible();
  await press(page, page.getByRole("radio", { name: /^San Francisco/ }), "Space");
  await expect(page.getByRole("radio", { name: /^San Francisco/ })).toBeChecked();
  await press(page, page.getByRole("button", { name: "Next" }));
  await expect(page.getByRole("heading", { name: "Review the transfer" })).toBeVisible();
  // The walk ends at the review of this move. Whether it can be confirmed depends on San Francisco's
  // spare seats, which other specs spend in any order: confirming is transfer-user.spec.ts's to prove.
  await expect(page.getByRole("definition").filter({ hasText: "New York (US)" })).toBeVisible();
  await expect(page.getByRole("definition").filter({ hasText: "San Francisco (US)" })).toBeVisible();
});

test("an Office Admin's menu beside a user says why Transfer user is not theirs", async ({
  page,
  signIn,
  javaScriptEnabled,
}) => {
  await signIn("olive@acme.test");
  const admin = await openOptionsInList(page, "samuel", "Samuel Adeyemi", javaScriptEnabled);
  const transfer = admin.getByRole("button", { name: "Transfer user" });
  await expect(transfer).toBeDisabled();
  await expect(transfer).toHaveAccessibleDescription("Only Company Admins transfer users between offices.");
  await expect(admin.getByRole("link", { name: "Edit user", exact: true })).toBeVisible();
});

test("Options › Admin › Resend invite POSTs from the list's options, and says what it did", async ({
  page,
  signIn,
  javaScriptEnabled,
}) => {
  await signIn("ada@acme.test");
  const admin = await openOptionsInList(page, "poppy", "Poppy Turner", javaScriptEnabled);
  await press(page, admin.getByRole("button", { name: "Resend invite" }));
  await expect(page.getByRole("heading", { name: "Poppy Turner", level: 1 })).toBeVisible();
  await expect(
    page.getByRole("status").filter({ hasText: /^A new invite is on its way to poppy@acme\.test\./ }),
  ).toBeVisible();
});
