/**
 * Company Settings › Security, as a Company Admin uses it, and what it does
 * to Proxy Login: a required reason refused beside its field when short, and
 * the email the person proxied into gets. The settings bind the whole
 * company, and other specs proxy into Acme without a reason at the same
 * time: so this spec runs on an app server of its own (one per project, on
 * its own demo data), whose outbox it reads.
 */
import type { Page } from "@playwright/test";
import { test as base, expect } from "./fixtures";
import { startAppServer, type AppServer } from "../support/app-server.ts";
import { outboxIn } from "../support/outbox.ts";

const test = base.extend<object, { ownServer: AppServer }>({
  ownServer: [
    // Playwright reads a fixture's dependencies from its first parameter's pattern: this one has none.
    // eslint-disable-next-line no-empty-pattern
    async ({}, use, workerInfo) => {
      const offset = workerInfo.project.name === "js-off" ? 31 : 32;
      const port = Number(process.env.E2E_PORT_BASE ?? 3100) + offset;
      const server = await startAppServer(`e2e_security_${workerInfo.project.name}_${port}`, port);
      await use(server);
      await server.stop();
    },
    { scope: "worker", timeout: 180_000 },
  ],
  baseURL: async ({ ownServer }, use) => use(ownServer.origin),
});

/** Opens a user's page from Office › Users; returns their id. */
async function openUser(page: Page, query: string, name: string): Promise<string> {
  await page.goto(`/users?q=${encodeURIComponent(query)}`);
  await page.getByRole("link", { name, exact: true }).click();
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  return page.url().split("/users/")[1]!;
}

const REQUIRE = "Require a reason for Proxy Login";
const TELL = "Tell people when someone proxies into their account";

test("a Company Admin requires a reason and tells people; Proxy Login refuses a short reason beside its field, takes a good one, and the person is mailed", async ({
  page,
  signIn,
  expectNoAxeViolations,
  ownServer,
}) => {
  test.slow(); // its own server, three axe runs
  await signIn("ada@acme.test");
  await page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "Company Settings › Security" })
    .click();
  await expect(page.getByRole("heading", { name: "Security", level: 1 })).toBeVisible();
  await expect(page.getByLabel(REQUIRE)).not.toBeChecked();
  await expect(page.getByLabel(TELL)).not.toBeChecked();
  await expectNoAxeViolations();

  await page.getByLabel(REQUIRE).check();
  await page.getByLabel(TELL).check();
  await page.getByRole("button", { name: "Save security settings" }).click();
  await expect(page.getByRole("status")).toHaveText("The security settings are saved.");
  await page.goto("/company/security");
  await expect(page.getByLabel(REQUIRE)).toBeChecked();
  await expect(page.getByLabel(TELL)).toBeChecked();

  const meiId = await openUser(page, "mei", "Mei Tanaka");
  await page.goto(`/users/${meiId}/proxy`);
  await expect(page.getByRole("heading", { name: "Proxy Login as Mei Tanaka" })).toBeVisible();
  await expect(
    page.getByText("Mei Tanaka will get an email saying that you proxied into their account, when, and why."),
  ).toBeVisible();
  await expect(page.getByLabel("Reason (optional)")).toHaveCount(0);
  await page.getByLabel("Reason", { exact: true }).fill("VM");
  await page.getByRole("button", { name: "Proxy Login" }).click();
  const message = "Give a reason of 5 to 200 characters, like a support ticket.";
  await expect(page.getByLabel("Reason", { exact: true })).toHaveAccessibleDescription(new RegExp(message));
  await expect(page.getByLabel("Reason", { exact: true })).toBeFocused();
  await expect(page.getByRole("region", { name: "Proxy login" })).toHaveCount(0);
  await expectNoAxeViolations();

  const reason = "Ticket 4521: <b>voicemail</b> & greeting";
  await page.getByLabel("Reason", { exact: true }).fill(reason);
  await page.getByRole("button", { name: "Proxy Login" }).click();
  await expect(page).toHaveURL(/\/settings$/);
  await expect(page.getByRole("region", { name: "Proxy login" })).toBeVisible();

  // Mailed once the session started: who, when and why, to Mei alone.
  const mails = outboxIn(ownServer.dataDir).filter((m) => m.text.includes("mei@acme.test"));
  expect(mails).toHaveLength(1);
  expect(mails[0]!.text).toContain("Hello Mei Tanaka,");
  expect(mails[0]!.text).toMatch(
    /Ada Lovelace, an admin of Acme, started a proxy login into your Switchboard account on \w{3} \d{1,2}, \d{4}, \d{1,2}:\d{2} [AP]M P[SD]T\./,
  );
  expect(mails[0]!.text).toContain(`The reason they gave: ${reason}`);

  // Back: the user's page lists the session with its reason, as text.
  await page.getByRole("region", { name: "Proxy login" }).getByRole("button", { name: "Back" }).click();
  await expect(page.getByRole("heading", { name: "Mei Tanaka", level: 1 })).toBeVisible();
  const row = page
    .getByRole("table", { name: "Recent proxy sessions into the account of Mei Tanaka" })
    .getByRole("row", { name: /Ada Lovelace/ });
  await expect(row.getByRole("cell", { name: reason, exact: true })).toBeVisible();

  // The change is in the audit log, before and after.
  await page.goto("/audit?action=company.security_changed");
  const entry = page.getByRole("row", { name: /Changed the security settings/ });
  await expect(entry).toContainText("Require a reason for Proxy Login: No");
  await expect(entry).toContainText("Require a reason for Proxy Login: Yes");
  await expectNoAxeViolations();
});

test("an Office Admin has no Security page", async ({ page, signIn }) => {
  await signIn("oscar@acme.test");
  await expect(page.getByRole("link", { name: "Company Settings › Security" })).toHaveCount(0);
  const res = await page.goto("/company/security");
  expect(res?.status()).toBe(403);
  await expect(
    page.getByText("Company Settings › Security is for Company Admins, signed in as themselves."),
  ).toBeVisible();
});
