import { test, expect, lastInviteLink, checkAxe } from "./fixtures";

test("add a user with a new number from the provider; they accept the invite and sign in", async ({
  page,
  signIn,
  browser,
  expectNoAxeViolations,
}, testInfo) => {
  // Globex (one office: no office step), so no Acme count read by other spec files moves.
  await signIn("gina@globex.test");
  await page.getByRole("link", { name: "Add User", exact: true }).click();
  await expectNoAxeViolations();

  await page.getByLabel("First name").fill("Zara");
  await page.getByLabel("Last name").fill("Ahmed");
  await page.getByLabel("Email").fill("zara@globex.test");
  await page.getByLabel("License type").selectOption({ label: "Sell" });
  const newNumber = page.getByRole("radio", { name: /new$/ }).first();
  const chosen = (await newNumber.locator("..").textContent())!.match(/\+1 \d{3} \d{3} \d{4}/)![0];
  await newNumber.check();
  await page.getByRole("button", { name: "Add user and send invite" }).click();

  await expect(page.getByRole("status")).toHaveText(
    "Zara Ahmed is added as Pending, and an invite is on its way.",
  );
  await expect(page.getByRole("heading", { name: "Zara Ahmed", level: 1 })).toBeVisible();
  const numbers = page.getByRole("region", { name: "Phone numbers" });
  await expect(numbers).toContainText(chosen);
  await expect(numbers).toContainText("uses a Local number add-on");

  // Resending voids the first link.
  const first = lastInviteLink(testInfo, "zara@globex.test");
  await page.getByText("Options").click();
  await page.getByRole("button", { name: "Resend invite" }).click();
  await expect(page.getByRole("status")).toHaveText(
    "A new invite is on its way to zara@globex.test. The old link no longer works.",
  );
  const second = lastInviteLink(testInfo, "zara@globex.test");
  expect(second).not.toBe(first);

  const context = await browser.newContext({
    baseURL: testInfo.project.use.baseURL,
    javaScriptEnabled: testInfo.project.use.javaScriptEnabled,
  });
  const zara = await context.newPage();
  expect((await zara.goto(first))!.status()).toBe(404);
  await zara.goto(second);
  await expect(zara.getByRole("heading", { name: "Welcome to Globex" })).toBeVisible();
  await checkAxe(zara, testInfo.project.use.javaScriptEnabled ?? true);
  await zara.getByLabel("New password").fill("short");
  await zara.getByLabel("Type it again").fill("short");
  await zara.getByRole("button", { name: "Set password and sign in" }).click();
  await expect(zara.getByLabel("New password")).toHaveAccessibleDescription(/Use at least 12 characters\./);
  await zara.getByLabel("New password").fill("a long enough password");
  await zara.getByLabel("Type it again").fill("a long enough password");
  await zara.getByRole("button", { name: "Set password and sign in" }).click();
  await expect(zara.getByRole("heading", { name: "My settings" })).toBeVisible();
  // Single use.
  expect((await zara.goto(second))!.status()).toBe(404);
  await context.close();

  await page.goto("/users?q=zara");
  await expect(page.getByRole("row", { name: /Zara Ahmed/ })).toContainText("Active");
});

test("adding refuses a taken email and a missing license, next to the field", async ({ page, signIn }) => {
  await signIn("ada@acme.test", "/users/new");
  await page.getByLabel("Office").selectOption({ label: "London" });
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByLabel("First name").fill("Dup");
  await page.getByLabel("Last name").fill("Licate");
  await page.getByLabel("Email").fill("HARRY@acme.test");
  await page.getByRole("radio", { name: "No number" }).check();
  await page.getByRole("button", { name: "Add user and send invite" }).click();
  await expect(page.getByLabel("Email")).toHaveAccessibleDescription(/Someone already uses this email\./);
  await page.goto("/users?q=licate");
  await expect(page.getByText("No users match.")).toBeVisible();
});

test("a blank name and a malformed email are named next to their fields, and nothing is added", async ({
  page,
  signIn,
}) => {
  await signIn("gina@globex.test", "/users/new");
  await page.getByLabel("Last name").fill("Nobody");
  await page.getByLabel("Email").fill("not an email");
  await page.getByRole("button", { name: "Add user and send invite" }).click();
  await expect(page.getByLabel("First name")).toHaveAccessibleDescription(/Enter a first name\./);
  await expect(page.getByLabel("Email")).toHaveAccessibleDescription(
    /Enter an email address, like name@company\.com\./,
  );
  await expect(page.getByLabel("Last name")).toHaveValue("Nobody");
  await page.goto("/users?q=nobody");
  await expect(page.getByText("No users match.")).toBeVisible();
});
