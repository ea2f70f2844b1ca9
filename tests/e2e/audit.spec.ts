import { test, expect, signInElsewhere } from "./fixtures";

/*
 * Own people: Maya Johnson (New York, pending) gets her invite resent, which
 * changes nothing any other spec reads. Everything else here only reads.
 */

test("an Office Admin's change is in the audit log of their company and office, and nowhere else", async ({
  page,
  signIn,
  expectNoAxeViolations,
  javaScriptEnabled,
}) => {
  await signIn("olive@acme.test");
  await page.getByLabel("Search users").fill("Maya");
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByRole("link", { name: "Maya Johnson", exact: true }).click();
  // The list has an Options menu beside each user too: open the one on the user's page.
  await expect(page.getByRole("heading", { name: "Maya Johnson", level: 1 })).toBeVisible();
  await page.getByText("Options").click();
  await page.getByRole("button", { name: "Resend invite" }).click();
  await expect(page.getByRole("status")).toContainText("A new invite is on its way");

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit log" }).click();
  await expect(page.getByRole("heading", { name: "Audit log", level: 1 })).toBeVisible();
  await page.getByLabel("Target").fill("Maya");
  await page.getByLabel("Action").selectOption({ label: "Resent an invite" });
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/target=Maya/);
  const row = page.getByRole("row", { name: /Resent an invite/ });
  await expect(row).toHaveCount(1);
  await expect(row.getByRole("cell")).toContainText([
    "Olive Bennett",
    "—",
    "Resent an invite",
    "Maya Johnson",
  ]);
  await expectNoAxeViolations();

  // Austin and London's Office Admin, and another company, do not see it; the Company Admin does, also by who acted.
  for (const [email, seen] of [
    ["carlos@acme.test", 0],
    ["gina@globex.test", 0],
    ["ada@acme.test", 1],
  ] as const) {
    const other = await signInElsewhere(page, email, javaScriptEnabled);
    await other.page.goto("/audit?target=Maya&action=user.invite_resent");
    await expect(other.page.getByRole("row", { name: /Maya Johnson/ })).toHaveCount(seen);
    if (seen) {
      await other.page.getByLabel("Who").fill("olive bennett");
      await other.page.getByRole("button", { name: "Filter" }).click();
      await expect(other.page).toHaveURL(/who=olive/);
      await expect(other.page.getByRole("row", { name: /Maya Johnson/ })).toHaveCount(1);
    } else {
      await expect(other.page.getByText("No entries match.")).toBeVisible();
    }
    await other.context.close();
  }
});

test("filters that cannot be used are explained beside their fields", async ({
  page,
  signIn,
  expectNoAxeViolations,
}) => {
  await signIn("ada@acme.test");
  const response = await page.goto(
    `/audit?from=2026-02-30&to=2026-01-01&action=user.hacked&who=${"x".repeat(500)}`,
  );
  expect(response!.status()).toBe(400);
  await expect(page.getByRole("textbox", { name: "From" })).toHaveAccessibleDescription(
    /This date does not exist/,
  );
  await expect(page.getByRole("combobox", { name: "Action" })).toHaveAccessibleDescription(
    /Choose an action from the list/,
  );
  await expect(page.getByRole("searchbox", { name: "Who" })).toHaveAccessibleDescription(
    /under 200 characters/,
  );
  await expect(page.getByRole("link", { name: "Clear" })).toBeVisible();
  await expectNoAxeViolations();
  await page.getByRole("link", { name: "Clear" }).click();
  await expect(page).toHaveURL(/\/audit$/);
});

test("the audit log is for admins: not in a regular user's navigation, and refused to them", async ({
  page,
  signIn,
}) => {
  await signIn("uma@acme.test");
  await expect(page.getByRole("link", { name: "Audit log" })).toHaveCount(0);
  const response = await page.goto("/audit");
  expect(response!.status()).toBe(403);
});
