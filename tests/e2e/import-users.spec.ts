import { readFile } from "node:fs/promises";
import { test, expect } from "./fixtures";

/* Reviews write nothing to users: these specs change no one, so they run beside the others in any order. */

const upload = (name: string, text: string) => ({ name, mimeType: "text/csv", buffer: Buffer.from(text) });

test("Import users: upload a file, see each row's outcome and each error by line and column, download the errors", async ({
  page,
  signIn,
  expectNoAxeViolations,
}) => {
  await signIn("ada@acme.test");
  await page.getByRole("link", { name: "Import users" }).click();
  await expect(page.getByRole("heading", { name: "Import users" })).toBeVisible();
  await expectNoAxeViolations();

  // No file: the error is beside the field.
  await page.getByRole("button", { name: "Upload and review" }).click();
  await expect(page.getByText("Choose a CSV file to import.")).toBeVisible();

  await page
    .getByLabel("CSV file")
    .setInputFiles(
      upload(
        "people.csv",
        [
          "First name,Last name,Email,Office,License",
          "Nora,Quill,nora.quill@acme.test,Austin,Connect",
          "Not,Mail,not-a-mail,Austin,",
          "Nora,Again,NORA.QUILL@acme.test,Austin,",
          "At,Lantis,at.lantis@acme.test,Atlantis,",
        ].join("\n"),
      ),
    );
  await page.getByRole("button", { name: "Upload and review" }).click();
  await expect(page.getByRole("heading", { name: "Import users: review" })).toBeVisible();
  await expect(
    page.getByText(
      "Nothing is imported yet. Of 4 rows: 1 user to add, 0 to update, 0 unchanged, 3 rows with errors.",
    ),
  ).toBeVisible();
  const errors = page.getByRole("table", { name: "Errors by line and column" });
  await expect(errors.getByRole("row", { name: "3 Email not an email address." })).toBeVisible();
  await expect(errors.getByRole("row", { name: "4 Email also on line 2." })).toBeVisible();
  await expect(errors.getByRole("row", { name: "5 Office no office named Atlantis." })).toBeVisible();
  await expect(
    page
      .getByRole("table", { name: "What the import would do" })
      .getByRole("row", { name: /nora\.quill@acme\.test/ }),
  ).toContainText("Add: Austin, Connect");
  await expectNoAxeViolations();

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download the errors as CSV" }).click(),
  ]);
  const lines = (await readFile((await download.path())!, "utf8"))
    .replace(/^\uFEFF/, "")
    .trim()
    .split(/\r?\n/);
  expect(lines).toEqual([
    "First name,Last name,Email,Office,License,What to fix",
    'Not,Mail,not-a-mail,Austin,,"Line 3, Email: not an email address."',
    'Nora,Again,NORA.QUILL@acme.test,Austin,,"Line 4, Email: also on line 2."',
    'At,Lantis,at.lantis@acme.test,Atlantis,,"Line 5, Office: no office named Atlantis."',
  ]);
});

test("a file that cannot be read is refused beside the field, nothing reviewed", async ({ page, signIn }) => {
  await signIn("ada@acme.test", "/users/import");
  await page.getByLabel("CSV file").setInputFiles(upload("bad.csv", 'Email,First name\na@acme.test,"Ann\n'));
  await page.getByRole("button", { name: "Upload and review" }).click();
  await expect(
    page.getByText("Line 2: a quote opened here is never closed. Close it, or remove it."),
  ).toBeVisible();
  await expect(page.getByLabel("CSV file")).toHaveAccessibleDescription(
    /a quote opened here is never closed/,
  );
});

test("Export CSV's file imports as it is: one cell changed is exactly one update", async ({
  page,
  signIn,
}) => {
  await signIn("olive@acme.test");
  const [exported] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Export CSV" }).click(),
  ]);
  const text = await readFile((await exported.path())!, "utf8");
  const rows = text.trim().split(/\r?\n/).length - 1;
  const edited = text.replace("Ethan,Brooks,ethan@acme.test", "Ethan,Brookes,ethan@acme.test");
  expect(edited).not.toBe(text);
  await page.goto("/users/import");
  await page.getByLabel("CSV file").setInputFiles(upload("export.csv", edited));
  await page.getByRole("button", { name: "Upload and review" }).click();
  await expect(
    page.getByText(
      `Nothing is imported yet. Of ${rows} rows: 0 users to add, 1 to update, ${rows - 1} unchanged, 0 rows with errors.`,
    ),
  ).toBeVisible();
  await expect(
    page
      .getByRole("table", { name: "What the import would do" })
      .getByRole("row", { name: /ethan@acme\.test/ }),
  ).toContainText("Update: Last name: Brooks → Brookes");
});

test("a large file is reviewed as a job: the page shows its progress until the review is done", async ({
  page,
  signIn,
  expectNoAxeViolations,
}) => {
  await signIn("carlos@acme.test", "/users/import");
  const lines = Array.from({ length: 1500 }, (_, i) => `Big,File${i},big.file${i}@acme.test,Austin,Connect`);
  await page
    .getByLabel("CSV file")
    .setInputFiles(upload("big.csv", ["First name,Last name,Email,Office,License", ...lines].join("\n")));
  await page.getByRole("button", { name: "Upload and review" }).click();
  await expect(page.getByRole("heading", { name: "Import users: review" })).toBeVisible();
  const progress = page.getByRole("progressbar", { name: /Checked [\d,]+ of 1,500 rows/ });
  const review = page.getByText(/Nothing is imported yet\. Of 1,500 rows/);
  await expect(progress.or(review)).toBeVisible();
  if (await progress.isVisible()) await expectNoAxeViolations();
  // Without JavaScript the page refreshes itself; with it, it updates in place.
  await expect(review).toBeVisible({ timeout: 30_000 });
  await expect(review).toContainText("rows with errors");
});

test("Import users is for admins", async ({ page, signIn }) => {
  await signIn("uma@acme.test");
  expect((await page.request.get("/users/import")).status()).toBe(403);
  expect((await page.request.get("/users/import/template")).status()).toBe(403);
});

test("Download a template: the headers and one example row", async ({ page, signIn }) => {
  await signIn("carlos@acme.test", "/users/import");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download a template" }).click(),
  ]);
  const lines = (await readFile((await download.path())!, "utf8"))
    .replace(/^\uFEFF/, "")
    .trim()
    .split(/\r?\n/);
  expect(lines).toEqual([
    "First name,Last name,Email,Office,License,Extension,Job title,Number",
    "Jane,Doe,jane.doe@example.com,Austin,Connect,,Account Executive,",
  ]);
});
