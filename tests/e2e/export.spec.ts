import { readFile } from "node:fs/promises";
import { test, expect } from "./fixtures";

/* Read-only: exports change nothing. Rows are checked by office and name, not counted, as other specs change people. */

test("Export CSV downloads the users of the current search, as a dated file", async ({ page, signIn }) => {
  await signIn("olive@acme.test");
  await page.getByLabel("Search users").fill("ethan");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/q=ethan/);

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Export CSV" }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^switchboard-users-\d{4}-\d{2}-\d{2}\.csv$/);
  const lines = (await readFile((await download.path())!, "utf8"))
    .replace(/^\uFEFF/, "")
    .trim()
    .split(/\r?\n/);
  expect(lines[0]).toBe(
    "First name,Last name,Email,Number,Extension,Office,License,Admin,Proxy access,Status,Date added,First signed in",
  );
  expect(lines.slice(1)).toEqual([
    expect.stringMatching(/^Ethan,Brooks,ethan@acme\.test,'\+1 212 [\d ]+,\d*,New York,Connect,/),
  ]);
});

test("the export is scoped like the list and never holds deleted or anonymized users", async ({
  page,
  signIn,
}) => {
  await signIn("olive@acme.test");
  const response = await page.request.get("/users/export?status=pending");
  expect(response.status()).toBe(200);
  expect(response.headers()["content-type"]).toBe("text/csv; charset=utf-8");
  expect(response.headers()["content-disposition"]).toMatch(
    /^attachment; filename="switchboard-users-\d{4}-\d{2}-\d{2}\.csv"$/,
  );
  const rows = (await response.text()).trim().split(/\r?\n/).slice(1);
  expect(rows.length).toBeGreaterThan(0);
  for (const row of rows) expect(row).toMatch(/,New York,[A-Za-z]+,[^,]*,(Yes|No),Pending,/);
  expect(await (await page.request.get("/users/export")).text()).not.toMatch(/Deleted user|DU-|Daniel,Kim/);
});

test("the export is for admins", async ({ page, signIn }) => {
  await signIn("uma@acme.test");
  expect((await page.request.get("/users/export")).status()).toBe(403);
});
