import { test, expect } from "./fixtures";

/* A large file's confirmation adds Zuri Kamau to Austin: no other spec names her. */

const upload = (name: string, text: string) => ({ name, mimeType: "text/csv", buffer: Buffer.from(text) });

test("a large file is imported as a job: the page shows its progress, then what was done", async ({
  page,
  signIn,
  expectNoAxeViolations,
}) => {
  await signIn("ada@acme.test", "/users/import");
  // Over 1,000 rows, so reviewed and imported by the job runner; all but one are errors, to keep it quick.
  const errors = Array.from({ length: 1000 }, (_, i) => `Not,Mail${i},not-a-mail-${i},Austin`);
  await page
    .getByLabel("CSV file")
    .setInputFiles(
      upload(
        "large.csv",
        ["First name,Last name,Email,Office", "Zuri,Kamau,zuri.kamau@acme.test,Austin", ...errors].join("\n"),
      ),
    );
  await page.getByRole("button", { name: "Upload and review" }).click();
  await expect(
    page.getByText(
      "Nothing is imported yet. Of 1,001 rows: 1 user to add, 0 to update, 0 unchanged, 1,000 rows with errors.",
    ),
  ).toBeVisible({ timeout: 30_000 });

  await page.getByRole("button", { name: "Confirm import" }).click();
  const progress = page.getByRole("progressbar", { name: /Importing [\d,]+ of 1 user/ });
  const done = page
    .getByRole("status")
    .filter({ hasText: "Imported: 1 user added (pending until they accept" });
  await expect(progress.or(done)).toBeVisible();
  if (await progress.isVisible()) await expectNoAxeViolations();
  // Without JavaScript the page refreshes itself; with it, it updates in place.
  await expect(done).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole("button", { name: "Confirm import" })).toHaveCount(0);
  // The invite is mailed by a job of its own once the import has committed; the page counts it out.
  await expect(page.getByText("Invites: 1 of 1 sent.")).toBeVisible({ timeout: 30_000 });
  await expectNoAxeViolations();
  await page
    .getByRole("table", { name: "What the import did" })
    .getByRole("link", { name: "Zuri Kamau" })
    .click();
  await expect(page.getByRole("heading", { name: "Zuri Kamau" })).toBeVisible();
});
