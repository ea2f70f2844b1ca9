/**
 * Admin access (Options › Privileges › Admin access), by keyboard alone, with
 * axe on its page. People no other spec changes: Jamal Washington (Austin),
 * made the Office Admin of Toronto and London and then nothing again; Edna
 * Kowal (Globex), made a Company Admin and then not; Gina Russo, Globex's
 * only Company Admin, who may not remove her own role; Tanya Brooks (Globex,
 * pending), only looked at.
 */
import type { Locator, Page } from "@playwright/test";
import { test, expect, signInElsewhere } from "./fixtures";

/** Activates a link, button, checkbox or radio by keyboard alone. */
async function press(page: Page, target: Locator, key = "Enter") {
  await target.focus();
  await page.keyboard.press(key);
}

/** From the list: Options beside the user › Privileges › Admin access. */
async function openAccess(page: Page, query: string, name: string) {
  await page.goto(`/users?q=${encodeURIComponent(query)}`);
  const row = page.getByRole("row", { name: new RegExp(name) });
  await press(page, row.getByLabel(`Options for ${name}`));
  // In place with JavaScript; without, on the user's options page the list's Options links to.
  await press(
    page,
    page.getByRole("group", { name: "Privileges" }).getByRole("link", { name: "Admin access" }),
  );
  await expect(page.getByRole("heading", { name: `Admin access of ${name}`, level: 1 })).toBeVisible();
}

const save = (page: Page) => press(page, page.getByRole("button", { name: "Save admin access" }));

test("a Company Admin makes a regional Office Admin, who then sees exactly those offices, until it is removed", async ({
  page,
  signIn,
  expectNoAxeViolations,
  javaScriptEnabled,
}) => {
  await signIn("ada@acme.test");
  await openAccess(page, "jamal", "Jamal Washington");
  await expect(page.getByRole("radio", { name: "No" })).toBeChecked();
  await expectNoAxeViolations();
  await press(page, page.getByRole("checkbox", { name: "Toronto" }), "Space");
  await press(page, page.getByRole("checkbox", { name: "London" }), "Space");
  await save(page);
  await expect(page.getByRole("status")).toHaveText("Jamal Washington's admin access is saved.");
  await expect(page.getByRole("region", { name: "Admin and proxy access" })).toContainText(
    "Office Admin of London, Toronto",
  );

  const jamal = await signInElsewhere(page, "jamal@acme.test", javaScriptEnabled);
  await jamal.page.goto("/users");
  await expect(jamal.page.getByLabel("Office").getByRole("option")).toHaveText([
    "All your offices",
    "London",
    "Toronto",
  ]);
  const names = await jamal.page.getByRole("table").getByRole("rowheader").allTextContents();
  expect(names).toContain("Camille Tremblay"); // Toronto
  expect(names).toContain("Charlotte Hughes"); // London
  expect(names).not.toContain("Ethan Brooks"); // New York

  // Removed: Jamal's very next request no longer reaches Office › Users.
  await openAccess(page, "jamal", "Jamal Washington");
  await press(page, page.getByRole("checkbox", { name: "Toronto" }), "Space");
  await press(page, page.getByRole("checkbox", { name: "London" }), "Space");
  await save(page);
  await expect(page.getByRole("region", { name: "Admin and proxy access" })).toContainText("No admin access");
  const response = await jamal.page.goto("/users");
  expect(response!.status()).toBe(403);
  await jamal.context.close();
});

test("grant and remove Company Admin; the last Company Admin is refused beside the field; a pending user's wait", async ({
  page,
  signIn,
  expectNoAxeViolations,
  javaScriptEnabled,
}) => {
  await signIn("gina@globex.test");
  await openAccess(page, "gina", "Gina Russo");
  await press(page, page.getByRole("radio", { name: "No" }), "Space");
  await save(page);
  const refusal =
    "Gina Russo is the last active Company Admin of Globex. Make someone else a Company Admin first.";
  await expect(page.getByText(refusal)).toBeVisible();
  await expect(
    page.getByRole("group", { name: "Company Admin" }).getByRole("radio").first(),
  ).toHaveAccessibleDescription(/last active Company Admin/);
  await expectNoAxeViolations();

  await openAccess(page, "edna", "Edna Kowal");
  await press(page, page.getByRole("radio", { name: "Yes" }), "Space");
  await save(page);
  await expect(page.getByRole("status")).toHaveText("Edna Kowal's admin access is saved.");
  await expect(page.getByRole("region", { name: "Admin and proxy access" })).toContainText("Company Admin");
  const edna = await signInElsewhere(page, "edna@globex.test", javaScriptEnabled);
  await edna.page.goto("/users?q=walter");
  await expect(edna.page.getByRole("rowheader", { name: "Walter Price" })).toBeVisible();

  await openAccess(page, "edna", "Edna Kowal");
  await press(page, page.getByRole("radio", { name: "No" }), "Space");
  await save(page);
  await expect(page.getByRole("region", { name: "Admin and proxy access" })).toContainText("No admin access");
  expect((await edna.page.goto("/users"))!.status()).toBe(403);
  await edna.context.close();

  await openAccess(page, "tanya", "Tanya Brooks");
  await expect(
    page.getByText("Tanya Brooks has not signed in yet: their permissions can be changed once they have."),
  ).toBeVisible();
  await expect(page.getByRole("button", { name: "Save admin access" })).toHaveCount(0);
  await expectNoAxeViolations();
});

test("an Office Admin sees admin access read-only", async ({ page, signIn, expectNoAxeViolations }) => {
  await signIn("olive@acme.test");
  await openAccess(page, "ethan", "Ethan Brooks");
  await expect(page.getByText("Only a Company Admin can change admin access.")).toBeVisible();
  await expect(page.getByRole("definition")).toHaveText(["No", "No office", "No"]);
  await expect(page.getByRole("button", { name: "Save admin access" })).toHaveCount(0);
  await expectNoAxeViolations();
});
