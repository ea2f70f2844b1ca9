/**
 * Company Settings › Provisioning: a Company Admin creates a token (shown
 * once, in a code element, with or without JavaScript), sees it listed and
 * revokes it after a confirmation; the token then opens nothing.
 */
import { test, expect } from "./fixtures";

test("a Company Admin creates a provisioning token, sees it once, and revokes it", async ({
  page,
  signIn,
  expectNoAxeViolations,
  javaScriptEnabled,
}) => {
  await signIn("gina@globex.test");
  await page.getByRole("link", { name: "Company Settings › Provisioning", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Provisioning", level: 1 })).toBeVisible();
  const baseUrl = `${new URL(page.url()).origin}/scim/v2`;
  await expect(page.getByRole("region", { name: "SCIM base URL" }).locator("code")).toHaveText(baseUrl);
  await expectNoAxeViolations();

  // A bad expiry: a message beside the field, nothing created.
  const name = `Okta ${javaScriptEnabled ? "js" : "nojs"}`;
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Last day it works (optional)").fill("2020-01-01");
  await page.getByRole("button", { name: "Create token" }).click();
  await expect(page.getByLabel("Last day it works (optional)")).toHaveAccessibleDescription(
    /Choose today or a later day, or leave it empty\./,
  );
  await page.getByLabel("Last day it works (optional)").fill("");
  await page.getByRole("button", { name: "Create token" }).click();

  const shown = page.getByRole("region", { name: `Token ${name} is created` });
  await expect(shown).toBeVisible();
  const token = (await shown.locator("code").textContent())!;
  expect(token).toMatch(/^sbp_[A-Za-z0-9_-]{43}$/);
  if (javaScriptEnabled) await expect(shown.getByRole("button", { name: "Copy token" })).toBeVisible();
  const row = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name, exact: true }) });
  await expect(row).toContainText("Gina");
  await expect(row).toContainText("Never");
  await expectNoAxeViolations();

  // The token works, until it is revoked.
  const users = () =>
    page.request.get(`${baseUrl}/Users?count=1`, { headers: { Authorization: `Bearer ${token}` } });
  expect((await users()).status()).toBe(200);

  // Shown once: the page again no longer has it.
  await page.goto("/company/provisioning");
  await expect(page.getByText(token)).toHaveCount(0);

  await row.getByRole("link", { name: `Revoke ${name}` }).click();
  await expect(page.getByRole("heading", { name: `Revoke token ${name}?` })).toBeVisible();
  await expectNoAxeViolations();
  await page.getByRole("button", { name: "Revoke token" }).click();
  await expect(page.getByRole("status")).toHaveText(
    `Token ${name} is revoked: requests with it are refused from now on.`,
  );
  await expect(row).toContainText("Revoked");
  expect((await users()).status()).toBe(401);
});

test("an Office Admin has no Provisioning page", async ({ page, signIn }) => {
  await signIn("oscar@acme.test");
  await expect(page.getByRole("link", { name: "Company Settings › Provisioning", exact: true })).toHaveCount(
    0,
  );
  const response = await page.goto("/company/provisioning");
  expect(response!.status()).toBe(403);
});
