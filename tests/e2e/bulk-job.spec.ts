import { test, expect } from "./fixtures";

/*
 * Remove admin access from everyone in Acme with no admin access: each is skipped, so no other spec
 * sees a change. They are more than a page of the list, and more than the test servers apply in a
 * request (SWITCHBOARD_BULK_IN_REQUEST, tests/support/app-server.ts): a job.
 */

test("everyone a search matches: select all, confirm the count, follow the progress, see the result", async ({
  page,
  signIn,
  expectNoAxeViolations,
}) => {
  await signIn("ada@acme.test", "/users?permission=none");
  const all = page.getByRole("radio", { name: /^All ([\d,]+) users that match this search$/ });
  const label = await page.getByText(/All [\d,]+ users that match this search/).textContent();
  const count = label!.match(/All ([\d,]+) users/)![1]!;
  await all.check();
  await page.getByRole("combobox", { name: "Action" }).selectOption({ label: "Remove admin access" });
  await page.getByRole("button", { name: "Apply" }).click();

  // The search rode along, not ids: the page counts everyone it matches and says what happens to them.
  await expect(page).toHaveURL((url) => url.searchParams.get("scope") === "search");
  await expect(page.getByRole("heading", { name: `Remove admin access: ${count} users` })).toBeVisible();
  await expect(page.getByText(`${count} users match this search.`)).toContainText(
    "They are changed in batches in the background once you confirm",
  );
  await expect(page.getByRole("region", { name: /Will be skipped/ })).toContainText("Not an Office Admin of");
  await expectNoAxeViolations();

  await page.getByRole("button", { name: `Remove admin access for ${count} users` }).click();
  await expect(page).toHaveURL(/\/users\/bulk\/job\/\d+$/);
  const progress = page.getByRole("progressbar", {
    name: new RegExp(`Removed admin access from [\\d,]+ of ${count} users`),
  });
  const done = page.getByRole("heading", { name: "Remove admin access: done" });
  await expect(progress.or(done)).toBeVisible();
  if (await progress.isVisible()) await expectNoAxeViolations();
  // Without JavaScript the page refreshes itself; with it, it updates in place.
  await expect(done).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole("status").filter({ hasText: "users changed" })).toHaveText(
    `0 users changed, ${count} skipped.`,
  );
  await expect(page.getByRole("table", { name: "What happened to each user" }).getByRole("row")).toHaveCount(
    Number(count.replace(",", "")) + 1,
  );
  await expectNoAxeViolations();
});
