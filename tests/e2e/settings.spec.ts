import { test, expect } from "./fixtures";

test("a regular user changes their settings, and cannot reach Office > Users", async ({ page, signIn }) => {
  await signIn("uma@acme.test");
  await page.getByLabel("Job title").fill("Senior Account Executive");
  await page.getByLabel("Time zone").selectOption("America/Chicago");
  await page.getByLabel("Language").selectOption({ label: "Español" });
  await page.getByLabel("Call forwarding number").fill("(415) 555-0199");
  await page.getByLabel("Do not disturb").check();
  await page.getByRole("button", { name: "Save settings" }).click();

  await expect(page.getByRole("status")).toHaveText("Your settings are saved.");
  await page.goto("/settings");
  await expect(page.getByRole("status")).toHaveText("");
  await expect(page.getByLabel("Job title")).toHaveValue("Senior Account Executive");
  await expect(page.getByLabel("Time zone")).toHaveValue("America/Chicago");
  await expect(page.getByLabel("Language")).toHaveValue("es");
  await expect(page.getByLabel("Call forwarding number")).toHaveValue("+1 415 555 0199");
  await expect(page.getByLabel("Do not disturb")).toBeChecked();

  await expect(page.getByRole("link", { name: "Office › Users", exact: true })).toHaveCount(0);
  const response = await page.goto("/users");
  expect(response!.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "Not allowed" })).toBeVisible();
});

test("bad settings get a message next to the field and change nothing", async ({ page, signIn }) => {
  await signIn("ben@acme.test");
  const before = await page.getByLabel("Job title").inputValue();
  await page.getByLabel("Job title").fill("Changed but not saved");
  await page.getByLabel("First name").fill("");
  await page.getByLabel("Call forwarding number").fill("12");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByLabel("First name")).toHaveAccessibleDescription("Enter a first name.");
  await expect(page.getByLabel("First name")).toBeFocused();

  await page.getByLabel("First name").fill("Ben");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByLabel("Call forwarding number")).toHaveAccessibleDescription(
    /Enter a valid phone number, like \+1 415 555 0100, or leave it empty\./,
  );
  await page.goto("/settings");
  await expect(page.getByLabel("Job title")).toHaveValue(before);
});
