/**
 * Company Settings › Provisioning, second part: the defaults for provisioned
 * users (saved, refused beside their field, used by SCIM create, audited),
 * and the audit log's filter by provisioning token.
 */
import { test, expect } from "./fixtures";

test("a Company Admin sets the office and license type provisioned users get", async ({
  page,
  signIn,
  expectNoAxeViolations,
}) => {
  await signIn("ada@acme.test", "/company/provisioning");
  const defaults = page.getByRole("region", { name: "Defaults for provisioned users" });
  const office = defaults.getByRole("combobox", { name: "Default office" });
  const license = defaults.getByRole("combobox", { name: "Default license type" });
  // Until set: the company's first office, Connect.
  const chosen = (select: typeof office, name: string) =>
    expect(select.getByRole("option", { name, selected: true })).toHaveCount(1);
  await chosen(office, "San Francisco");
  await chosen(license, "Connect");
  await expectNoAxeViolations();

  // An office that is not the company's (a tampered form): refused beside the field, nothing saved.
  await office.evaluate((select: HTMLSelectElement) => {
    select.options[select.selectedIndex]!.value = "999999";
  });
  await defaults.getByRole("button", { name: "Save defaults" }).click();
  await expect(office).toHaveAccessibleDescription("Choose one of Acme's offices.");
  await expectNoAxeViolations();

  await page.goto("/company/provisioning");
  await office.selectOption({ label: "New York" });
  await license.selectOption({ label: "Sell" });
  await defaults.getByRole("button", { name: "Save defaults" }).click();
  await expect(page.getByRole("status")).toHaveText(
    "Saved: users your identity provider creates without an office or license get these.",
  );
  await chosen(office, "New York");
  await chosen(license, "Sell");

  await page.goto("/audit?action=company.provisioning_defaults_changed");
  const entry = page.getByRole("row").filter({ hasText: "Changed the defaults for provisioned users" });
  await expect(entry).toHaveCount(1);
  await expect(entry).toContainText("Ada Lovelace");
  await expect(entry).toContainText("Office: San Francisco");
  await expect(entry).toContainText("Office: New York");
  await expect(entry).toContainText("License: Sell");
});

test("the audit log shows what one provisioning token did", async ({
  page,
  signIn,
  expectNoAxeViolations,
  javaScriptEnabled,
}) => {
  await signIn("gina@globex.test", "/company/provisioning");
  const name = `Entra ${javaScriptEnabled ? "js" : "nojs"}`;
  await page.getByLabel("Name").fill(name);
  await page.getByRole("button", { name: "Create token" }).click();
  const token = (await page
    .getByRole("region", { name: `Token ${name} is created` })
    .locator("code")
    .textContent())!;

  // The token adds a user over SCIM: an entry made by the token.
  const userName = `ivy.${javaScriptEnabled ? "js" : "nojs"}@globex.test`;
  const created = await page.request.post("/scim/v2/Users", {
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/scim+json" },
    data: { userName, name: { givenName: "Ivy", familyName: javaScriptEnabled ? "Js" : "Nojs" } },
  });
  expect(created.status()).toBe(201);

  await page.goto("/audit");
  await page.getByRole("combobox", { name: "Provisioning token" }).selectOption({ label: name });
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/[?&]token=\d+/);
  const entries = page
    .getByRole("table", { name: /Audit log entries/ })
    .getByRole("row")
    .filter({ has: page.getByRole("cell") });
  // What the token did (added the user, their identity), each entry naming it as who acted.
  await expect(entries.filter({ hasText: "Added a user" })).toHaveCount(1);
  for (const row of await entries.all())
    await expect(row.getByRole("cell").first()).toHaveText(`Provisioning: ${name}`);
  await expect(
    page.getByRole("combobox", { name: "Provisioning token" }).getByRole("option", { name, selected: true }),
  ).toHaveCount(1);
  await expectNoAxeViolations();
});
