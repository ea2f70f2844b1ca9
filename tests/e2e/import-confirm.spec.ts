import { test, expect } from "./fixtures";

/* Confirm import adds Ines Duarte to Austin and retitles Ethan Brooks: no other spec names either. */

const upload = (name: string, text: string) => ({ name, mimeType: "text/csv", buffer: Buffer.from(text) });

test("Import users: upload, review, confirm, see what was done and the users in the list", async ({
  page,
  signIn,
  expectNoAxeViolations,
}) => {
  await signIn("ada@acme.test", "/users/import");
  await page
    .getByLabel("CSV file")
    .setInputFiles(
      upload(
        "people.csv",
        [
          "First name,Last name,Email,Office,License,Job title",
          "Ines,Duarte,ines.duarte@acme.test,Austin,Connect,Buyer",
          "Ethan,Brooks,ethan@acme.test,,,Night Shift Lead",
          "Not,Mail,not-a-mail,Austin,,",
        ].join("\n"),
      ),
    );
  await page.getByRole("button", { name: "Upload and review" }).click();
  await expect(
    page.getByText(
      "Nothing is imported yet. Of 3 rows: 1 user to add, 1 to update, 0 unchanged, 1 row with errors.",
    ),
  ).toBeVisible();
  await expectNoAxeViolations();

  await page.getByRole("button", { name: "Confirm import" }).click();
  await expect(
    page.getByRole("status").filter({ hasText: "Imported: 1 user added (pending until they accept" }),
  ).toBeVisible();
  const done = page.getByRole("table", { name: "What the import did" });
  await expect(done.getByRole("row", { name: /ethan@acme\.test/ })).toContainText(
    "Job title: Regional Sales Director → Night Shift Lead",
  );
  await expect(page.getByRole("button", { name: "Confirm import" })).toHaveCount(0);
  await expectNoAxeViolations();

  await done.getByRole("link", { name: "Ines Duarte" }).click();
  await expect(page.getByRole("heading", { name: "Ines Duarte" })).toBeVisible();

  await page.goto("/users?q=ines.duarte");
  await expect(page.getByRole("link", { name: "Ines Duarte", exact: true })).toBeVisible();
});
