import { test, expect } from "./fixtures";
import type { Page } from "@playwright/test";
import { poolCounts } from "./licenses";

/*
 * Options › Admin › Suspend user / Reactivate user. Own people, whom no other
 * spec file reads: Marco Bianchi (Globex, Springfield, Support), suspended and
 * reactivated by Gina, the Company Admin; the Support seats of Springfield.
 */

async function adminMenuItem(page: Page, name: string, item: string) {
  await page.goto(`/users?q=${encodeURIComponent(name)}`);
  await page.getByRole("link", { name, exact: true }).click();
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  await page.getByLabel(`Options for ${name}`).click();
  await page
    .getByRole("group", { name: "Admin", exact: true })
    .getByRole("link", { name: item, exact: true })
    .click();
}

const support = (page: Page) => poolCounts(page, "Dialpad", "Springfield", "Support");

test("an admin suspends and reactivates a user, with the seat counted on the Licenses page", async ({
  page,
  signIn,
  expectNoAxeViolations,
  javaScriptEnabled,
}) => {
  test.slow(); // several pages, axe on two of them
  await signIn("gina@globex.test");
  const before = await support(page);

  await adminMenuItem(page, "Marco Bianchi", "Suspend user");
  await expect(page.getByRole("heading", { name: "Suspend Marco Bianchi?", level: 1 })).toBeVisible();
  await expect(page.getByText("Their Support license is freed in Springfield.")).toBeVisible();
  await expectNoAxeViolations();
  await page.getByRole("button", { name: "Suspend Marco Bianchi" }).click();
  await expect(page.getByRole("status")).toHaveText(
    "Marco Bianchi is suspended: they cannot sign in, and their license seat is free.",
  );
  await expect(page.getByRole("heading", { name: "Marco Bianchi", level: 1 })).toBeVisible();
  await expect(page.getByRole("region", { name: "Details" })).toContainText("Suspended");
  expect(await support(page)).toEqual({
    purchased: before.purchased,
    assigned: before.assigned - 1,
    unassigned: before.unassigned + 1,
  });

  // The list finds him by the status filter and by the word, with the badge.
  await page.goto("/users");
  await page.getByLabel("Status").selectOption({ label: "Suspended" });
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await expect(page).toHaveURL(/status=suspended/);
  await expect(page.getByRole("row", { name: /Marco Bianchi/ })).toContainText("Suspended");
  await page.goto("/users?q=suspended");
  await expect(page.getByRole("rowheader")).toHaveText([/Marco Bianchi/]);

  // He cannot sign in: the answer of a wrong password.
  const context = await page
    .context()
    .browser()!
    .newContext({ baseURL: new URL(page.url()).origin, javaScriptEnabled });
  const marco = await context.newPage();
  await marco.goto("/login");
  await marco.getByLabel("Email").fill("marco@globex.test");
  await marco.getByLabel("Password").fill("switchboard-demo");
  await marco.getByRole("button", { name: "Sign in" }).click();
  await expect(marco.getByText("That email and password do not match an active account.")).toBeVisible();
  await context.close();

  await adminMenuItem(page, "Marco Bianchi", "Reactivate user");
  await expect(page.getByRole("heading", { name: "Reactivate Marco Bianchi?", level: 1 })).toBeVisible();
  await expectNoAxeViolations();
  await page.getByRole("button", { name: "Reactivate Marco Bianchi" }).click();
  await expect(page.getByRole("status")).toHaveText("Marco Bianchi is reactivated and can sign in again.");
  await expect(page.getByRole("region", { name: "Details" })).toContainText("Active");
  expect(await support(page)).toEqual(before);
});

test("suspending yourself is refused on the page, with no button to press", async ({
  page,
  signIn,
  expectNoAxeViolations,
}) => {
  await signIn("gina@globex.test");
  await adminMenuItem(page, "Gina Russo", "Suspend user");
  await expect(page.getByRole("alert")).toHaveText("You cannot suspend or reactivate yourself.");
  await expect(page.getByRole("button", { name: "Suspend Gina Russo" })).toHaveCount(0);
  await expectNoAxeViolations();
});
