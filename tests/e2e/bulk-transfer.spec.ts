/**
 * Transfer users, the bulk action, by keyboard, with axe on each step. This
 * file moves Chloe Dubois and Isaac Levi from New York to San Francisco
 * (Connect seats, which other files read only as purchased counts or within
 * one page load) and skips Maya Johnson (pending). No other spec file
 * touches these three. Transfer users to another country (a new number held
 * during the review) is in transfer-user.spec.ts, which owns the Toronto
 * numbers it holds.
 */
import { test, expect, expectUsersListFor } from "./fixtures";
import type { Locator, Page } from "@playwright/test";

/** Activates a link, button, checkbox or radio by keyboard alone. */
async function press(page: Page, target: Locator, key = "Enter") {
  await target.focus();
  await page.keyboard.press(key);
}

/** New York's users, the given ones ticked, and Transfer users applied to them. */
async function transferFromNewYork(page: Page, names: string[]) {
  await page.goto("/users");
  await page.getByLabel("Office").selectOption({ label: "New York" });
  await press(page, page.getByRole("button", { name: "Search", exact: true }));
  await expectUsersListFor(page, (search) => search.has("office"));
  for (const name of names)
    await press(page, page.getByRole("checkbox", { name: `Select ${name}` }), "Space");
  await page.getByRole("combobox", { name: "Action" }).selectOption({ label: "Transfer users" });
  await press(page, page.getByRole("button", { name: "Apply" }));
  await expect(
    page.getByRole("heading", {
      name: `Transfer users: ${names.length} ${names.length === 1 ? "user" : "users"}`,
      level: 1,
    }),
  ).toBeVisible();
}

test("New York → San Francisco by keyboard: review who moves and who is skipped, confirm, see each outcome", async ({
  page,
  signIn,
  expectNoAxeViolations,
}) => {
  test.slow(); // several steps, axe on each
  await signIn("ada@acme.test");
  await transferFromNewYork(page, ["Chloe Dubois", "Isaac Levi", "Maya Johnson"]);

  // The new office: their own and other price levels are listed, disabled, with the reason.
  await expect(page.getByRole("radio", { name: /^New York/ })).toBeDisabled();
  await expect(page.getByRole("radio", { name: /^New York/ })).toHaveAccessibleDescription(
    /Every selected user works in New York now\./,
  );
  for (const name of ["Austin", "London"]) {
    await expect(page.getByRole("radio", { name: new RegExp(`^${name}`) })).toBeDisabled();
    await expect(page.getByRole("radio", { name: new RegExp(`^${name}`) })).toHaveAccessibleDescription(
      /At another price level/,
    );
  }
  await expectNoAxeViolations();
  // Next without an office: the message is beside the choice, tied to each office.
  await press(page, page.getByRole("button", { name: "Next" }));
  await expect(page.getByRole("group", { name: "New office" })).toContainText("Choose the new office.");
  await expect(page.getByRole("radio", { name: /^San Francisco/ })).toHaveAccessibleDescription(
    /Choose the new office\./,
  );
  await press(page, page.getByRole("radio", { name: /^San Francisco/ }), "Space");
  await expect(page.getByRole("radio", { name: /^San Francisco/ })).toBeChecked();
  await press(page, page.getByRole("button", { name: "Next" }));

  // The review: per user what changes, and who is skipped and why.
  await expect(page.getByRole("heading", { name: "Transfer users: 2 users", level: 1 })).toBeVisible();
  const affected = page.getByRole("region", { name: /Will be changed/ });
  await expect(affected.getByRole("rowheader")).toHaveText(["Chloe Dubois", "Isaac Levi"]);
  const chloe = affected.getByRole("row", { name: /Chloe Dubois/ });
  await expect(chloe.getByRole("listitem")).toContainText([
    "New York → San Francisco.",
    "The Connect license seat moves to San Francisco.",
    "Leaves Marketing (groups of New York).",
    /^Keeps \+1 212/,
  ]);
  const skipped = page.getByRole("region", { name: /Will be skipped/ });
  await expect(skipped.getByRole("row", { name: /Maya Johnson/ })).toContainText(
    "Has not accepted the invite yet",
  );
  await expectNoAxeViolations();

  await press(page, page.getByRole("button", { name: "Confirm transfer" }));
  await expect(page.getByRole("heading", { name: "Transfer users: done", level: 1 })).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "changed" })).toHaveText(
    "2 users changed, 1 skipped.",
  );
  await expect(page.getByRole("row", { name: /Chloe Dubois/ })).toContainText("Done");
  await expect(page.getByRole("row", { name: /Chloe Dubois/ })).toContainText(
    "Now works in San Francisco. Removed from Marketing.",
  );
  await expect(page.getByRole("row", { name: /Maya Johnson/ })).toContainText("Skipped");
  await expectNoAxeViolations();

  await page.goto("/users?q=isaac");
  await expect(page.getByRole("row", { name: /Isaac Levi/ })).toContainText("San Francisco");

  // The audit log names the bulk transfer in words, and its action filter selects it.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit log" }).click();
  await expect(page.getByRole("heading", { name: "Audit log", level: 1 })).toBeVisible();
  await page.getByLabel("Action").selectOption({ label: "Bulk action: transfer users" });
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/action=users\.bulk_transfer/);
  const entries = page.getByRole("row", { name: /Bulk action: transfer users/ });
  await expect(entries.first().getByRole("cell")).toContainText([
    "Ada Lovelace",
    "Bulk action: transfer users",
  ]);
  await expect(page.getByRole("row", { name: /Transferred a user to another office/ })).toHaveCount(0);
});

test("only Company Admins on a higher-tier plan are offered Transfer users", async ({ page, signIn }) => {
  await signIn("olive@acme.test", "/users");
  await expect(
    page.getByRole("combobox", { name: "Action" }).getByRole("option", { name: "Delete users" }),
  ).toBeAttached();
  await expect(
    page.getByRole("combobox", { name: "Action" }).getByRole("option", { name: "Transfer users" }),
  ).toHaveCount(0);
  const response = await page.goto("/users/bulk?action=transfer&scope=page&page_id=1");
  expect(response?.status()).toBe(403);
  await expect(page.getByText("Only Company Admins transfer users between offices.")).toBeVisible();
});
