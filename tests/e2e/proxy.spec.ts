/**
 * Proxy login, as admins use it: Options > Admin > Proxy Login, the red
 * banner on every page, Back, and the ways a proxy session ends by itself.
 * People proxied into here (Mei, Emily, Ruth, Jessica, Ryan, Yuki) and the admin whose
 * proxy access changes (Carlos) are touched by no other spec.
 */
import type { Page } from "@playwright/test";
import { test, expect, signInElsewhere } from "./fixtures";

/** Opens a user's page from Office > Users; returns their id. */
async function openUser(page: Page, query: string, name: string): Promise<string> {
  await page.goto(`/users?q=${encodeURIComponent(query)}`);
  await page.getByRole("link", { name, exact: true }).click();
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  return page.url().split("/users/")[1]!;
}

/** Opens the user's Options menu, unless it is open already (it stays open across a submit with JavaScript). */
async function openOptions(page: Page, name: string) {
  if (!(await page.getByRole("group", { name: "Privileges" }).isVisible()))
    await page.getByLabel(`Options for ${name}`).click();
  await expect(page.getByRole("group", { name: "Privileges" })).toBeVisible();
}

async function proxyInto(page: Page, query: string, name: string, reason = ""): Promise<string> {
  const id = await openUser(page, query, name);
  await openOptions(page, name);
  await page
    .getByRole("group", { name: "Admin" })
    .getByRole("link", { name: "Proxy Login", exact: true })
    .click();
  await expect(page.getByRole("heading", { name: `Proxy Login as ${name}` })).toBeVisible();
  if (reason) await page.getByLabel("Reason (optional)").fill(reason);
  await page.getByRole("button", { name: "Proxy Login" }).click();
  await expect(page).toHaveURL(/\/settings$/);
  return id;
}

const banner = (page: Page) => page.getByRole("region", { name: "Proxy login" });

async function expectBanner(page: Page, name: string, email: string) {
  await expect(banner(page).getByRole("alert")).toHaveText(
    `You are proxying as ${name} (${email}). Changes you make are applied immediately.`,
  );
  await expect(banner(page).getByRole("button", { name: "Back" })).toBeVisible();
}

test("an admin proxies into a user: the banner, and a change saved to the user", async ({
  page,
  signIn,
  expectNoAxeViolations,
}) => {
  test.slow(); // two axe runs and a dozen pages
  await signIn("ada@acme.test");
  const meiId = await proxyInto(page, "mei", "Mei Tanaka", "Checking her voicemail settings");

  await expectBanner(page, "Mei Tanaka", "mei@acme.test");
  await expect(page.getByText("Account settings for mei@acme.test")).toBeVisible();
  await expect(page.getByRole("link", { name: "Office › Users", exact: true })).toHaveCount(0);
  await expectNoAxeViolations();

  await page.getByLabel("Job title").fill("Senior Product Designer");
  await page.getByLabel("Send voicemail to my email").uncheck();
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("status")).toHaveText("Your settings are saved.");
  await expectBanner(page, "Mei Tanaka", "mei@acme.test");
  await page.goto("/settings");
  await expect(page.getByLabel("Job title")).toHaveValue("Senior Product Designer");
  await expect(page.getByLabel("Send voicemail to my email")).not.toBeChecked();

  await banner(page).getByRole("button", { name: "Back" }).click();
  await expect(page).toHaveURL(new RegExp(`/users/${meiId}$`));
  await expect(page.getByRole("status")).toHaveText(
    "Your proxy login as Mei Tanaka has ended. You are back in your own account.",
  );
  await expect(banner(page)).toHaveCount(0);
  await expect(page.getByText("Senior Product Designer · San Francisco")).toBeVisible();
  const sessions = page.getByRole("table", { name: "Recent proxy sessions into the account of Mei Tanaka" });
  await expect(sessions.getByRole("row", { name: /Ada Lovelace/ })).toContainText(
    "Checking her voicemail settings",
  );
  await expect(sessions.getByRole("row", { name: /Ada Lovelace/ })).toContainText("The admin went back");
  await page.goto("/settings");
  await expect(page.getByText("Account settings for ada@acme.test")).toBeVisible();
});

test("while proxying, admin pages go back to the settings, every page has the banner, and Back works by keyboard", async ({
  page,
  signIn,
  expectNoAxeViolations,
}) => {
  test.slow(); // two axe runs and a dozen pages
  await signIn("ada@acme.test");
  const emilyId = await proxyInto(page, "emily", "Emily Wong");
  for (const path of ["/users", `/users/${emilyId}`, "/users/deleted", `/users/${emilyId}/proxy`]) {
    await page.goto(path);
    await expect(page).toHaveURL(/\/settings$/);
    await expect(page.getByRole("status")).toHaveText(
      "Admin pages are not available while you proxy as Emily Wong. Select Back in the red banner to return to your own account.",
    );
    await expectBanner(page, "Emily Wong", "emily@acme.test");
  }
  await expectNoAxeViolations();
  await page.goto("/");
  await expect(page).toHaveURL(/\/settings$/);
  await expectBanner(page, "Emily Wong", "emily@acme.test");

  // Back: the first thing after the skip link, pressed with the keyboard.
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Skip to main content", exact: true })).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(banner(page).getByRole("button", { name: "Back" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/users/${emilyId}$`));
  await expect(page.getByRole("heading", { name: "Emily Wong", level: 1 })).toBeVisible();
  await expect(banner(page)).toHaveCount(0);
});

test("proxy login and Back by GET change nothing; a POST from another site is refused", async ({
  page,
  signIn,
  context,
}) => {
  await signIn("ada@acme.test");
  const ruthId = await openUser(page, "ruth", "Ruth Abebe");

  await page.goto(`/users/${ruthId}/proxy`);
  await expect(page.getByRole("heading", { name: "Proxy Login as Ruth Abebe" })).toBeVisible();
  await page.goto("/settings");
  await expect(page.getByText("Account settings for ada@acme.test")).toBeVisible();
  await expect(banner(page)).toHaveCount(0);

  const csrf = (await context.cookies()).find((c) => c.name === "sb_csrf")!.value;
  const forged = await page.request.post(`/users/${ruthId}/proxy`, {
    headers: { Origin: "https://evil.example" },
    form: { csrf, reason: "" },
    maxRedirects: 0,
  });
  // refused before any action runs (React Router's own origin check answers 400, ours 403)
  expect([400, 403]).toContain(forged.status());
  await page.goto("/settings");
  await expect(page.getByText("Account settings for ada@acme.test")).toBeVisible();
  await expect(banner(page)).toHaveCount(0);

  await proxyInto(page, "ruth", "Ruth Abebe");
  await expectBanner(page, "Ruth Abebe", "ruth@acme.test");
  await page.goto("/proxy/end");
  await expectBanner(page, "Ruth Abebe", "ruth@acme.test");
  const forgedBack = await page.request.post("/proxy/end", {
    headers: { Origin: "https://evil.example" },
    form: { csrf },
    maxRedirects: 0,
  });
  expect([400, 403]).toContain(forgedBack.status());
  await page.goto("/settings");
  await expectBanner(page, "Ruth Abebe", "ruth@acme.test");
  await banner(page).getByRole("button", { name: "Back" }).click();
  await expect(page.getByRole("heading", { name: "Ruth Abebe", level: 1 })).toBeVisible();
});

test("an Office Admin without proxy access sees Proxy Login disabled, with the reason", async ({
  page,
  signIn,
}) => {
  await signIn("olive@acme.test");
  await openUser(page, "ruth", "Ruth Abebe");
  await openOptions(page, "Ruth Abebe");
  const item = page.getByRole("group", { name: "Admin" }).getByRole("button", { name: "Proxy Login" });
  await expect(item).toBeDisabled();
  await expect(item).toHaveAccessibleDescription(
    "You do not have proxy access. A Company Admin can give it to you.",
  );
  // No Give/Remove proxy access for an Office Admin
  await expect(page.getByRole("button", { name: /proxy access/ })).toHaveCount(0);
});

test("proxy access removed mid-proxy ends the proxy on the next request, and the change is not applied", async ({
  page,
  signIn,
  javaScriptEnabled,
}) => {
  await signIn("ada@acme.test");
  await openUser(page, "carlos", "Carlos Ramírez");
  await openOptions(page, "Carlos Ramírez");
  await page.getByRole("button", { name: "Give proxy access" }).click();
  await expect(page.getByRole("status")).toHaveText("Carlos Ramírez now has proxy access.");
  await expect(page.getByRole("region", { name: "Admin and proxy access" })).toContainText("Granted");

  const carlos = await signInElsewhere(page, "carlos@acme.test", javaScriptEnabled);
  try {
    const jessicaId = await proxyInto(carlos.page, "jessica", "Jessica Reed", "Phone setup");
    await expectBanner(carlos.page, "Jessica Reed", "jessica@acme.test");

    await openOptions(page, "Carlos Ramírez");
    await page.getByRole("button", { name: "Remove proxy access" }).click();
    await expect(page.getByRole("status")).toHaveText("Carlos Ramírez no longer has proxy access.");

    // Carlos's next request, a save meant for Jessica's settings: the proxy ends first.
    await carlos.page.getByLabel("Job title").fill("Not saved anywhere");
    await carlos.page.getByRole("button", { name: "Save settings" }).click();
    await expect(carlos.page).toHaveURL(new RegExp(`/users/${jessicaId}$`));
    await expect(carlos.page.getByRole("status")).toHaveText(
      "Your proxy login as Jessica Reed ended: You do not have proxy access. A Company Admin can give it to you. You are back in your own account.",
    );
    await expect(banner(carlos.page)).toHaveCount(0);
    await expect(carlos.page.getByText("Office Manager · Austin")).toBeVisible();
    await carlos.page.goto("/settings");
    await expect(carlos.page.getByLabel("Job title")).toHaveValue("Sales Manager");

    await page.goto(`/users/${jessicaId}`);
    const row = page
      .getByRole("table", { name: /Recent proxy sessions/ })
      .getByRole("row", { name: /Carlos Ramírez/ });
    await expect(row).toContainText("Ended: no longer allowed");
  } finally {
    await carlos.context.close();
  }
});

test("a proxy session ends after 30 minutes, on the next request", async ({
  page,
  signIn,
  expectNoAxeViolations,
}) => {
  await signIn("ada@acme.test");
  const ryanId = await proxyInto(page, "ryan", "Ryan Murphy");
  await expectBanner(page, "Ryan Murphy", "ryan@acme.test");

  await page.setExtraHTTPHeaders({ "x-test-now": new Date(Date.now() + 29 * 60_000).toISOString() });
  await page.goto("/settings");
  await expectBanner(page, "Ryan Murphy", "ryan@acme.test");

  await page.setExtraHTTPHeaders({ "x-test-now": new Date(Date.now() + 31 * 60_000).toISOString() });
  await page.goto("/settings");
  await expect(page).toHaveURL(new RegExp(`/users/${ryanId}$`));
  await expect(page.getByRole("status")).toHaveText(
    "Your proxy login as Ryan Murphy ended after 30 minutes. You are back in your own account.",
  );
  await expect(banner(page)).toHaveCount(0);
  await expect(
    page.getByRole("table", { name: /Recent proxy sessions/ }).getByRole("row", { name: /Ada Lovelace/ }),
  ).toContainText("Ended after 30 minutes");
  await expectNoAxeViolations();
});

test("signing out while proxying ends the proxy session", async ({ page, signIn }) => {
  await signIn("ada@acme.test");
  const yukiId = await proxyInto(page, "yuki", "Yuki Sato");
  await expectBanner(page, "Yuki Sato", "yuki@acme.test");
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { name: "Sign in to Switchboard" })).toBeVisible();
  await signIn("ada@acme.test");
  await expect(banner(page)).toHaveCount(0);
  await page.goto(`/users/${yukiId}`);
  const row = page
    .getByRole("table", { name: /Recent proxy sessions/ })
    .getByRole("row", { name: /Ada Lovelace/ });
  await expect(row).toContainText("The admin signed out");
});
