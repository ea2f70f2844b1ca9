import { test, expect, lastInviteLink } from "./fixtures";
import type { Page } from "@playwright/test";

/*
 * Options › Admin › Edit user. Own people, whom no other spec file reads:
 * Nadia Petrova (New York), corrected by Olive, its Office Admin; Grace Liu
 * (Austin, pending), whose invite follows her new address; Ada Lovelace, the
 * Company Admin, whom Oscar (Office Admin of San Francisco) may not edit.
 */

async function openUser(page: Page, query: string, name: string) {
  await page.goto(`/users?q=${encodeURIComponent(query)}`);
  await page.getByRole("link", { name, exact: true }).click();
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  await page.getByLabel(`Options for ${name}`).click();
  await expect(page.getByRole("group", { name: "Admin", exact: true })).toBeVisible();
}

async function openEdit(page: Page, query: string, name: string) {
  await openUser(page, query, name);
  await page
    .getByRole("group", { name: "Admin", exact: true })
    .getByRole("link", { name: "Edit user", exact: true })
    .click();
  await expect(page.getByRole("heading", { name: `Edit ${name}`, level: 1 })).toBeVisible();
}

/** A value of the user page's Details, by its term. */
async function detail(page: Page, term: string): Promise<string> {
  const details = page.getByRole("region", { name: "Details" });
  const terms = await details.getByRole("term").allTextContents();
  return (await details.getByRole("definition").nth(terms.indexOf(term)).textContent())!;
}

test("an Office Admin corrects a user's details; an email taken in another letter case, and a taken extension, are refused beside their fields", async ({
  page,
  signIn,
  expectNoAxeViolations,
}) => {
  await signIn("olive@acme.test");
  await openUser(page, "ethan", "Ethan Brooks");
  const taken = await detail(page, "Extension");
  expect(taken).toMatch(/^\d+$/);

  await openEdit(page, "nadia", "Nadia Petrova");
  await expect(page.getByLabel("Email")).toHaveValue("nadia@acme.test");
  await expectNoAxeViolations();
  await page.getByLabel("First name").fill("Nadja");
  await page.getByLabel("Email").fill("UMA@ACME.TEST");
  await page.getByLabel("Extension").fill(taken);
  await page.getByLabel("Job title").fill("Customer Care Lead");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByLabel("Email")).toHaveAccessibleDescription(/Someone already uses this email\./);
  await expect(page.getByLabel("Email")).toBeFocused();
  await expectNoAxeViolations();

  await page.getByLabel("Email").fill("nadja.petrova@acme.test");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByLabel("Extension")).toHaveAccessibleDescription(
    new RegExp(`Someone else in your company already has extension ${taken}\\. Choose another\\.`),
  );
  // Nothing was saved meanwhile.
  await page.goto(page.url().replace(/\/edit$/, ""));
  await expect(page.getByRole("heading", { name: "Nadia Petrova", level: 1 })).toBeVisible();
  await expect(page.getByRole("region", { name: "Details" })).toContainText("nadia@acme.test");

  await page.goto(`${page.url()}/edit`);
  await page.getByLabel("First name").fill("Nadja");
  await page.getByLabel("Email").fill("nadja.petrova@acme.test");
  await page.getByLabel("Extension").fill("4242");
  await page.getByLabel("Job title").fill("Customer Care Lead");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("status")).toHaveText("Nadja Petrova's details are saved.");
  await expect(page.getByRole("heading", { name: "Nadja Petrova", level: 1 })).toBeVisible();
  expect(await detail(page, "Email")).toBe("nadja.petrova@acme.test");
  expect(await detail(page, "Extension")).toBe("4242");
  await expect(page.getByText(/^Customer Care Lead · New York/)).toBeVisible();

  await page.goto("/audit?target=Nadja&action=user.edited");
  const row = page.getByRole("row", { name: /Edited a user's details/ });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("Olive Bennett");
  await expect(row).toContainText("nadia@acme.test");
  await expect(row).toContainText("nadja.petrova@acme.test");
});

test("a pending user's invite follows the new address, and the old link stops working", async ({
  page,
  signIn,
  browser,
}, testInfo) => {
  await signIn("ada@acme.test");
  await openUser(page, "grace", "Grace Liu");
  await page.getByRole("button", { name: "Resend invite" }).click();
  await expect(page.getByRole("status")).toContainText("A new invite is on its way to grace@acme.test.");
  const old = lastInviteLink(testInfo, "grace@acme.test");

  await openEdit(page, "grace", "Grace Liu");
  await expect(page.getByLabel("Email")).toHaveAccessibleDescription(
    /a new address gets a new invite, and the old link stops working/,
  );
  await page.getByLabel("Email").fill("grace.liu@acme.test");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("status")).toHaveText(
    "Grace Liu's details are saved. A new invite is on its way to grace.liu@acme.test; the old link no longer works.",
  );
  const moved = lastInviteLink(testInfo, "grace.liu@acme.test");
  expect(moved).not.toBe(old);

  const context = await browser.newContext({
    baseURL: testInfo.project.use.baseURL,
    javaScriptEnabled: testInfo.project.use.javaScriptEnabled,
  });
  const grace = await context.newPage();
  expect((await grace.goto(old))!.status()).toBe(404);
  await grace.goto(moved);
  await expect(grace.getByRole("heading", { name: "Welcome to Acme" })).toBeVisible();
  await expect(grace.getByText(/set a password for grace\.liu@acme\.test/)).toBeVisible();
  await context.close();
});

test("only a Company Admin edits a Company Admin", async ({ page, signIn, expectNoAxeViolations }) => {
  await signIn("oscar@acme.test");
  await openUser(page, "ada", "Ada Lovelace");
  const item = page
    .getByRole("group", { name: "Admin", exact: true })
    .getByRole("button", { name: "Edit user" });
  await expect(item).toBeDisabled();
  await expect(item).toHaveAccessibleDescription("Only a Company Admin can edit a Company Admin.");
  await expectNoAxeViolations(); // the user's page with its Options menu open
  const response = await page.goto(`${page.url()}/edit`);
  expect(response!.status()).toBe(403);
  await expect(page.getByText("Only a Company Admin can edit a Company Admin.")).toBeVisible();
  await expectNoAxeViolations();
});
