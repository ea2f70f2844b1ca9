import { test, expect, signInElsewhere, expectUsersListFor } from "./fixtures";
import type { Page } from "@playwright/test";

/** Searches the users tab and waits for the list of that search. */
async function search(page: Page, text: string) {
  await page.getByRole("searchbox", { name: "Search users" }).fill(text);
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await expectUsersListFor(page, (search) => search.get("q") === text);
}

async function press(
  page: Page,
  name: string | RegExp,
  role: "button" | "link" | "checkbox" | "radio" = "button",
) {
  await page.getByRole(role, { name }).focus();
  await page.keyboard.press(role === "checkbox" || role === "radio" ? "Space" : "Enter");
}

test("bulk delete by keyboard alone: confirm who is affected and who is skipped, then see each outcome", async ({
  page,
  signIn,
  expectNoAxeViolations,
}) => {
  // Globex: the deletions change no Acme counts that other spec files read.
  await signIn("gina@globex.test");
  await search(page, "globex.test");
  await press(page, "Select Homer Simmons", "checkbox");
  await press(page, "Select Carl Lund", "checkbox");
  await press(page, "Select Gina Russo", "checkbox");
  await page.getByRole("combobox", { name: "Action" }).focus();
  await page.getByRole("combobox", { name: "Action" }).selectOption({ label: "Delete users" });
  await press(page, "Apply");

  await expect(page.getByRole("heading", { name: "Delete users: 2 users" })).toBeVisible();
  const affected = page.getByRole("region", { name: /Will be changed/ });
  await expect(affected.getByRole("rowheader")).toHaveText(["Carl Lund", "Homer Simmons"]);
  const skipped = page.getByRole("region", { name: /Will be skipped/ });
  await expect(skipped.getByRole("row", { name: /Gina Russo/ })).toContainText("You cannot delete yourself.");
  await expectNoAxeViolations();

  await press(page, /Remove the licenses/, "radio");
  await press(page, "Delete 2 users");
  await expect(page.getByRole("heading", { name: "Delete users: done" })).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "changed" })).toHaveText(
    "2 users changed, 1 skipped.",
  );
  await expect(page.getByRole("row", { name: /Homer Simmons/ })).toContainText("Done");
  await expect(page.getByRole("row", { name: /Gina Russo/ })).toContainText("Skipped");
  await expectNoAxeViolations();

  await press(page, "Deleted Users", "link");
  await expect(page.getByRole("row", { name: /Homer Simmons/ })).toContainText("Gina Russo");
  await expect(page.getByRole("row", { name: /Carl Lund/ })).toContainText(/71 h 5\d min|72 h 0 min/);
  await expectNoAxeViolations();
  await page.goto("/users?q=homer");
  await expect(page.getByText("No users match.")).toBeVisible();
});

test("a bulk delete confirmed after another admin did it changes nothing, and says so over the page", async ({
  page,
  signIn,
  javaScriptEnabled,
  expectNoAxeViolations,
}) => {
  await signIn("gina@globex.test");
  await search(page, "denise");
  await press(page, "Select Denise Howard", "checkbox");
  await page.getByRole("combobox", { name: "Action" }).selectOption({ label: "Delete users" });
  await press(page, "Apply");
  await expect(page.getByRole("heading", { name: "Delete users: 1 user" })).toBeVisible();

  const other = await signInElsewhere(page, "gina@globex.test", javaScriptEnabled);
  await other.page.goto(page.url());
  await other.page.getByRole("button", { name: "Delete 1 user" }).click();
  await expect(other.page.getByRole("heading", { name: "Delete users: done" })).toBeVisible();
  await other.context.close();

  await press(page, "Delete 1 user");
  await expect(page.getByRole("alert").filter({ hasText: /\w/ })).toHaveText(
    "Nothing was changed: these users were already changed. Go back to Users to see them as they are now.",
  );
  await expect(page.getByRole("region", { name: /Will be skipped/ })).toContainText("Already deleted.");
  await expectNoAxeViolations();
});

test("select all: the page's users, or every user that matches the search", async ({
  page,
  signIn,
  javaScriptEnabled,
}) => {
  await signIn("ada@acme.test");
  await search(page, "support");
  if (javaScriptEnabled) {
    await page.getByRole("checkbox", { name: "Select all users on this page" }).check();
    await expect(page.getByText(/Selected users \(\d+ selected\)/)).toBeVisible();
  } else {
    await page.getByRole("radio", { name: /users on this page/ }).check();
  }
  await page.getByRole("combobox", { name: "Action" }).selectOption({ label: "Add admin access" });
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByRole("heading", { name: /Add admin access: \d+ users?/ })).toBeVisible();
  // Pending users are skipped with the reason; nothing changes until confirmed.
  await expect(page.getByRole("region", { name: /Will be skipped/ })).toContainText(
    "Pending: permissions can change once they have signed in.",
  );
  await page.getByRole("link", { name: "Cancel", exact: true }).click();
  await expect(page).toHaveURL((url) => url.pathname === "/users" && url.searchParams.get("q") === "support");
});

test("delete one user from their Options menu, then restore them", async ({
  page,
  signIn,
  expectNoAxeViolations,
}) => {
  await signIn("gina@globex.test");
  await search(page, "lenore");
  await page.getByRole("link", { name: "Lenore Carlson", exact: true }).click();
  // The list has an Options menu beside each user too: open the one on the user's page.
  await expect(page.getByRole("heading", { name: "Lenore Carlson", level: 1 })).toBeVisible();
  await page.getByText("Options").click();
  await page.getByRole("link", { name: "Delete user", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Delete Lenore Carlson?" })).toBeVisible();
  await expect(page.getByText(/goes to the Reserved Pool, on hold for a restore/)).toBeVisible();
  await page.getByRole("button", { name: "Delete Lenore Carlson" }).click();
  await expect(page.getByRole("status")).toHaveText(
    "Lenore Carlson is deleted. You can restore them from Deleted Users for 72 hours.",
  );

  await page.getByRole("link", { name: "Deleted Users", exact: true }).click();
  // The Restore button posts to the restore page, which also stands on its own.
  const restoreUrl = await page
    .getByRole("button", { name: "Restore Lenore Carlson" })
    .locator("xpath=ancestor::form")
    .getAttribute("action");
  await page.goto(restoreUrl!);
  await expect(page.getByRole("heading", { name: "Restore Lenore Carlson?" })).toBeVisible();
  await expectNoAxeViolations();
  await page.getByRole("button", { name: "Restore Lenore Carlson" }).click();
  await expect(page.getByRole("status")).toHaveText(
    "Lenore Carlson is restored, with their license, numbers and groups.",
  );
  await page.goto("/users?q=lenore");
  await expect(page.getByRole("row", { name: /Lenore Carlson/ })).toContainText(/\+1 217/);
});

test("permanently delete ends the wait: the user is gone for good", async ({
  page,
  signIn,
  expectNoAxeViolations,
}) => {
  await signIn("gina@globex.test");
  await search(page, "patrice");
  await page.getByRole("link", { name: "Patrice Okoye", exact: true }).click();
  // The list has an Options menu beside each user too: open the one on the user's page.
  await expect(page.getByRole("heading", { name: "Patrice Okoye", level: 1 })).toBeVisible();
  await page.getByText("Options").click();
  await page.getByRole("link", { name: "Delete user", exact: true }).click();
  await page.getByRole("button", { name: "Delete Patrice Okoye" }).click();
  await page.getByRole("link", { name: "Deleted Users", exact: true }).click();
  await page.getByRole("link", { name: "Permanently delete Patrice Okoye", exact: true }).click();
  await expect(page.getByText(/can no longer be restored after this/)).toBeVisible();
  await expectNoAxeViolations();
  await page.getByRole("button", { name: "Permanently delete Patrice Okoye" }).click();
  await expect(page.getByRole("status")).toHaveText(
    "The user is permanently deleted and their records are anonymized.",
  );
  await expect(page.getByRole("row", { name: /Patrice Okoye/ })).toHaveCount(0);
});

test("the 72-hour limit holds by the clock on the Deleted Users tab", async ({ page, signIn }) => {
  await signIn("ada@acme.test", "/users/deleted");
  // Deleted 70 hours before the server seeded its data: listed with at most two hours left (less by as
  // long as the suite has run so far). 80 hours before: gone, though not yet anonymized.
  await expect(page.getByRole("row", { name: /Daniel Kim/ })).toContainText(
    /(^|\D)([01] h \d+ min|2 h 0 min)/,
  );
  await expect(page.getByRole("row", { name: /Victor Huang/ })).toHaveCount(0);

  await page.setExtraHTTPHeaders({ "x-test-now": new Date(Date.now() + 3 * 3600_000).toISOString() });
  await page.goto("/users/deleted");
  await expect(page.getByRole("row", { name: /Sienna Walsh/ })).toBeVisible();
  await expect(page.getByRole("row", { name: /Daniel Kim/ })).toHaveCount(0);
});

test("Deleted Users counts its rows and opens its first page for a cursor it did not write", async ({
  page,
  signIn,
}) => {
  await signIn("ada@acme.test", "/users/deleted");
  const count = page.getByText(/^Showing 1–\d+ of \d+ deleted users?$/);
  await expect(count).toBeVisible();
  const names = await page.getByRole("rowheader").allTextContents();
  expect(names.length).toBeGreaterThan(0);
  for (const cursor of ["next.bm90LWEtY3Vyc29y", "prev.WyIxIiwxXQ", "last"]) {
    const response = await page.goto(`/users/deleted?cursor=${cursor}`);
    expect(response!.status()).toBe(200);
    await expect(count).toBeVisible();
    expect(await page.getByRole("rowheader").allTextContents()).toEqual(names);
  }
});

test("an Office Admin deletes only inside their offices and never a Company Admin", async ({
  page,
  signIn,
}) => {
  await signIn("oscar@acme.test");
  await search(page, "lovelace");
  await page.getByRole("checkbox", { name: "Select Ada Lovelace" }).check();
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByRole("heading", { name: "Delete users: 0 users" })).toBeVisible();
  await expect(page.getByRole("region", { name: /Will be skipped/ })).toContainText(
    "Office Admins cannot delete a Company Admin.",
  );
  await expect(page.getByRole("button", { name: /Delete/ })).toHaveCount(0);

  // Someone of New York, by URL: not found.
  const response = await page.goto("/users/bulk?action=delete&id=1&id=2&id=3&id=99999");
  expect(response!.status()).toBe(200);
  await expect(page.getByRole("region", { name: /Will be changed/ })).not.toContainText("Olive");
  await page.goto("/users?q=lovelace");
  const adaHref = await page.getByRole("link", { name: "Ada Lovelace", exact: true }).getAttribute("href");
  await page.goto(`${adaHref}/delete`);
  await expect(
    page.getByText("Ada Lovelace cannot be deleted: Office Admins cannot delete a Company Admin."),
  ).toBeVisible();
});

test("an Office Admin sees a deleted Company Admin of their office, but neither restores nor permanently deletes her", async ({
  page,
  signIn,
  expectNoAxeViolations,
}) => {
  const why = "Only a Company Admin can restore or permanently delete a Company Admin.";
  await signIn("oscar@acme.test");
  // Hedy Lamarr (demo data): a Company Admin of San Francisco, deleted by Ada five hours ago. Ada has both buttons.
  const ada = await signInElsewhere(page, "ada@acme.test");
  await ada.page.goto("/users/deleted");
  await expect(ada.page.getByRole("button", { name: "Restore Hedy Lamarr" })).toBeVisible();
  const purgeUrl = await ada.page
    .getByRole("link", { name: "Permanently delete Hedy Lamarr", exact: true })
    .getAttribute("href");
  await ada.context.close();

  await page.goto("/users/deleted");
  const row = page.getByRole("row", { name: /Hedy Lamarr/ });
  await expect(row).toContainText(why);
  await expect(row.getByRole("button")).toHaveCount(0);
  await expect(row.getByRole("link")).toHaveCount(0);
  await expect(
    page.getByRole("row", { name: /Sienna Walsh/ }).getByRole("button", { name: "Restore Sienna Walsh" }),
  ).toBeVisible();
  await expectNoAxeViolations();

  // By URL, both confirmations say why and offer no button.
  await page.goto(purgeUrl!);
  await expect(page.getByRole("alert")).toHaveText(`Hedy Lamarr cannot be permanently deleted: ${why}`);
  await expect(page.getByRole("button", { name: /Permanently delete/ })).toHaveCount(0);
  await page.goto(purgeUrl!.replace(/purge$/, "restore"));
  await expect(page.getByRole("alert")).toHaveText(`Hedy Lamarr cannot be restored: ${why}`);
  await expect(page.getByRole("button", { name: /Restore/ })).toHaveCount(0);
  await expectNoAxeViolations();
});

test("Globex's admin grants admin access in bulk; a pending user is skipped", async ({
  page,
  signIn,
  expectNoAxeViolations,
}) => {
  await signIn("gina@globex.test");
  await page.getByRole("checkbox", { name: "Select Walter Price" }).check();
  await page.getByRole("checkbox", { name: "Select Tanya Brooks" }).check();
  await page.getByRole("combobox", { name: "Action" }).selectOption({ label: "Add admin access" });
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByRole("region", { name: /Will be changed/ })).toContainText(
    "Now an Office Admin of Springfield.",
  );
  await page.getByRole("button", { name: "Add admin access for 1 user" }).click();
  await expect(page.getByRole("row", { name: /Walter Price/ })).toContainText("Done");
  await expect(page.getByRole("row", { name: /Tanya Brooks/ })).toContainText("Skipped");
  await expectNoAxeViolations();
  await page.goto("/users?q=walter");
  await expect(page.getByRole("row", { name: /Walter Price/ })).toContainText("Office Admin");
});
