import { test, expect } from "./fixtures";

test("sign in, search and open a user with the keyboard alone", async ({ page }) => {
  await page.goto("/login");
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Skip to main content", exact: true })).toBeFocused();
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Email")).toBeFocused();
  await page.keyboard.type("ada@acme.test");
  await page.keyboard.press("Tab");
  await page.keyboard.type("switchboard-demo");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Users", level: 1 })).toBeVisible();

  const searchBox = page.getByRole("searchbox", { name: "Search users" });
  for (let i = 0; i < 30 && !(await searchBox.evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press("Tab");
  }
  await expect(searchBox).toBeFocused();
  await page.keyboard.type("kwame");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/q=kwame/);

  const link = page.getByRole("link", { name: "Kwame Mensah", exact: true });
  for (let i = 0; i < 40 && !(await link.evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press("Tab");
  }
  await expect(link).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Kwame Mensah", level: 1 })).toBeVisible();
});

test("axe finds no violations on the sign-in page", async ({ page, expectNoAxeViolations }) => {
  await page.goto("/login");
  await expectNoAxeViolations();
  // …nor with errors showing
  await page.getByLabel("Email").fill("ada@acme.test");
  await page.getByLabel("Password").fill("wrong");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await expectNoAxeViolations();
});

test("axe finds no violations on Office > Users, a user's page and the tabs", async ({
  page,
  signIn,
  expectNoAxeViolations,
}) => {
  await signIn("ada@acme.test");
  await expectNoAxeViolations();
  await page.goto("/users?q=zzzz-nobody");
  await expectNoAxeViolations();
  await page.goto("/users?q=diego");
  await page.getByRole("link", { name: "Diego Alvarez", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Diego Alvarez" })).toBeVisible();
  await expectNoAxeViolations();
  await page.goto("/users/reserved-numbers");
  await expectNoAxeViolations();
  await page.goto("/users/deleted");
  await expectNoAxeViolations();
});

test("axe finds no violations on settings, with and without errors", async ({
  page,
  signIn,
  expectNoAxeViolations,
}) => {
  await signIn("uma@acme.test");
  await expectNoAxeViolations();
  await page.getByLabel("Last name").fill("");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByLabel("Last name")).toHaveAccessibleDescription("Enter a last name.");
  await expectNoAxeViolations();
});
