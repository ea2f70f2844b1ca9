/**
 * Changing a user's license type, each case of docs/domain.md, with the counts
 * read on Company Settings > Licenses before and after. This file changes
 * people of Toronto, Austin and London only (the transfer spec moves seats
 * between San Francisco and New York).
 */
import { test, expect, signInElsewhere, userIdOf } from "./fixtures";
import type { Page } from "@playwright/test";
import { poolCounts } from "./licenses";

/** Opens the change from the license cell of the Active or Pending Users tab, and chooses the type. */
async function openChange(page: Page, name: string, from: string, to: string) {
  await page.goto(`/users?q=${encodeURIComponent(name)}`);
  await page.getByRole("link", { name: `Change license of ${name}, now ${from}` }).click();
  await expect(page.getByRole("heading", { name: "Change license type", level: 1 })).toBeVisible();
  await page.getByRole("radio", { name: to, exact: true }).check();
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByRole("heading", { name: "Confirm the change" })).toBeVisible();
}

async function confirm(page: Page, message: string | RegExp) {
  await page.getByRole("button", { name: "Confirm", exact: true }).click();
  await expect(page.getByRole("status")).toHaveText(message);
}

const groupsRemoved = (page: Page, name: string) =>
  page.getByRole("region", { name: `Groups ${name} will be removed from` });

test.describe("Company Admin", () => {
  test.beforeEach(async ({ signIn }) => {
    await signIn("ada@acme.test");
  });

  test("Connect → Sell keeps the number with a Local number add-on", async ({ page }) => {
    const before = {
      connect: await poolCounts(page, "Dialpad", "Toronto", "Connect"),
      sell: await poolCounts(page, "Dialpad", "Toronto", "Sell"),
      addon: await poolCounts(page, "Add-on", "Toronto", "Local number"),
    };
    await openChange(page, "Arjun Singh", "Connect", "Sell");
    await expect(page.getByRole("definition")).toHaveText(["Connect", "Sell"]);
    await expect(groupsRemoved(page, "Arjun Singh")).toContainText(
      "None: Arjun Singh stays in every group they are in.",
    );
    await expect(
      page.getByText(`Toronto has ${before.sell.unassigned} unassigned Sell license`),
    ).toBeVisible();
    await expect(
      page.getByText(`Toronto has ${before.addon.unassigned} unassigned Local number add-on`),
    ).toBeVisible();
    await expect(page.getByRole("checkbox", { name: "Keep the number" })).toBeChecked();
    await confirm(
      page,
      /^Arjun Singh now has a Sell license\. \+1 416 .* is kept, with a Local number add-on\.$/,
    );

    await expect(page.getByRole("region", { name: "Details" })).toContainText("Sell");
    await expect(
      page.getByRole("region", { name: "Phone numbers" }).getByRole("row", { name: /\+1 416/ }),
    ).toContainText("uses a Local number add-on");
    await expect(page.getByRole("region", { name: "Groups" }).getByRole("listitem")).toHaveText([
      /Engineering/,
    ]);
    expect(await poolCounts(page, "Dialpad", "Toronto", "Connect")).toMatchObject({
      assigned: before.connect.assigned - 1,
      unassigned: before.connect.unassigned + 1,
    });
    expect(await poolCounts(page, "Dialpad", "Toronto", "Sell")).toMatchObject({
      assigned: before.sell.assigned + 1,
    });
    expect(await poolCounts(page, "Add-on", "Toronto", "Local number")).toMatchObject({
      assigned: before.addon.assigned + 1,
    });
  });

  test("Connect → Support from the user's Options menu: departments removed as listed, the number to the Reserved Pool by choice", async ({
    page,
  }) => {
    const before = {
      support: await poolCounts(page, "Dialpad", "Toronto", "Support"),
      addon: await poolCounts(page, "Add-on", "Toronto", "Local number"),
    };
    await page.goto("/users?q=emily");
    await page.getByRole("link", { name: "Emily Wong", exact: true }).click();
    // The list has an Options menu beside each user too: open the one on the user's page.
    await expect(page.getByRole("heading", { name: "Emily Wong", level: 1 })).toBeVisible();
    await page.getByText("Options").click();
    await page
      .getByRole("group", { name: "Admin" })
      .getByRole("link", { name: "Change license type", exact: true })
      .click();
    await page.getByRole("radio", { name: "Support", exact: true }).check();
    await page.getByRole("button", { name: "Next" }).click();
    await expect(groupsRemoved(page, "Emily Wong").getByRole("listitem")).toHaveText([
      "Engineering · Department",
    ]);
    await page.getByRole("checkbox", { name: "Keep the number" }).uncheck();
    await confirm(
      page,
      /^Emily Wong now has a Support license\. Removed from Engineering\. \+1 416 .* went to the Reserved Pool\.$/,
    );
    await expect(page.getByRole("region", { name: "Groups" })).toContainText("Not a member of any group.");
    await expect(page.getByRole("region", { name: "Phone numbers" })).toContainText(
      "This user has no phone number.",
    );
    expect(await poolCounts(page, "Dialpad", "Toronto", "Support")).toMatchObject({
      assigned: before.support.assigned + 1,
    });
    expect(await poolCounts(page, "Add-on", "Toronto", "Local number")).toEqual(before.addon);
  });

  test("Sell → Connect frees the add-on, and call centers are left", async ({ page }) => {
    const before = {
      addon: await poolCounts(page, "Add-on", "Austin", "Local number"),
      connect: await poolCounts(page, "Dialpad", "Austin", "Connect"),
    };
    await openChange(page, "Brittany Cole", "Sell", "Connect");
    await expect(groupsRemoved(page, "Brittany Cole").getByRole("listitem")).toHaveText([
      "Renewals Desk · Call center",
    ]);
    await expect(
      page.getByText(/becomes the number included with Connect; its Local number add-on becomes unassigned/),
    ).toBeVisible();
    await confirm(page, /^Brittany Cole now has a Connect license\. Removed from Renewals Desk\./);
    await expect(page.getByRole("region", { name: "Groups" }).getByRole("listitem")).toHaveText([/Sales/]);
    await expect(
      page.getByRole("region", { name: "Phone numbers" }).getByRole("row", { name: /\+1 512/ }),
    ).not.toContainText("add-on");
    expect(await poolCounts(page, "Add-on", "Austin", "Local number")).toMatchObject({
      assigned: before.addon.assigned - 1,
    });
    expect(await poolCounts(page, "Dialpad", "Austin", "Connect")).toMatchObject({
      assigned: before.connect.assigned + 1,
    });
  });

  test("with no unassigned seat of the new type, a clear refusal and no change", async ({ page }) => {
    test.slow(); // several flows, each a few pages
    // Use up Austin's unassigned Support seats first.
    const support = await poolCounts(page, "Dialpad", "Austin", "Support");
    const takers = ["Amanda Foster", "Kevin Park"].slice(0, support.unassigned);
    expect(takers).toHaveLength(support.unassigned);
    for (const name of takers) {
      await openChange(page, name, "Connect", "Support");
      await page.getByRole("checkbox", { name: "Keep the number" }).check();
      await confirm(page, new RegExp(`^${name} now has a Support license\\.`));
    }
    await openChange(page, "Jessica Reed", "Connect", "Support");
    await expect(
      page.getByText(
        "Austin has no unassigned Support license, so Jessica Reed cannot be switched to Support.",
      ),
    ).toBeVisible();
    await expect(page.getByRole("button", { name: "Confirm", exact: true })).toHaveCount(0);
    expect(await poolCounts(page, "Dialpad", "Austin", "Support")).toMatchObject({ unassigned: 0 });
    await page.goto("/users?q=jessica");
    await expect(
      page.getByRole("link", { name: "Change license of Jessica Reed, now Connect", exact: true }),
    ).toBeVisible();
  });

  test("with no Local number add-on free, the number goes to the Reserved Pool, and the confirmation says so", async ({
    page,
  }) => {
    test.slow(); // four changes
    // London's unassigned Local number add-ons are taken by people who keep their number.
    const addon = await poolCounts(page, "Add-on", "London", "Local number");
    const keepers: [string, string][] = [
      ["Harry Evans", "Sell"],
      ["Anika Müller", "Sell"],
      ["Freya Lindqvist", "Support"],
    ];
    expect(addon.unassigned).toBe(keepers.length);
    for (const [name, to] of keepers) {
      await openChange(page, name, "Connect", to);
      await confirm(
        page,
        new RegExp(`^${name} now has a ${to} license\\..* is kept, with a Local number add-on\\.$`),
      );
    }
    await openChange(page, "George Adeleke", "Connect", "Support");
    await expect(
      page.getByText(
        /London has no unassigned Local number add-on: \+44 20 .* cannot be kept and will go to the Reserved Pool\./,
      ),
    ).toBeVisible();
    await expect(page.getByRole("checkbox", { name: "Keep the number" })).toHaveCount(0);
    await confirm(
      page,
      /^George Adeleke now has a Support license\. \+44 20 .* went to the Reserved Pool\.$/,
    );
    await expect(page.getByRole("region", { name: "Phone numbers" })).toContainText(
      "This user has no phone number.",
    );
    expect(await poolCounts(page, "Add-on", "London", "Local number")).toMatchObject({ unassigned: 0 });
  });

  test("a stale confirmation is refused and shown again as things are now", async ({ page }) => {
    test.slow(); // several flows, each a few pages
    await openChange(page, "Camille Tremblay", "Connect", "Support");
    await expect(groupsRemoved(page, "Camille Tremblay").getByRole("listitem")).toHaveText([
      "Engineering · Department",
    ]);

    // Meanwhile another admin switches Camille to Sell.
    const { context: other, page: page2 } = await signInElsewhere(page, "ada@acme.test");
    await openChange(page2, "Camille Tremblay", "Connect", "Sell");
    await confirm(page2, /^Camille Tremblay now has a Sell license\./);
    await other.close();

    await page.getByRole("button", { name: "Confirm", exact: true }).click();
    await expect(page.getByRole("alert")).toContainText(
      "Something changed for Camille Tremblay since this confirmation was shown",
    );
    await expect(page.getByRole("definition")).toHaveText(["Sell", "Support"]);
    await expect(groupsRemoved(page, "Camille Tremblay").getByRole("listitem")).toHaveText([
      "Engineering · Department",
    ]);
    await page.goto("/users?q=camille");
    await expect(
      page.getByRole("link", { name: "Change license of Camille Tremblay, now Sell", exact: true }),
    ).toBeVisible();
  });

  test("axe finds no violations on the change pages", async ({ page, expectNoAxeViolations }) => {
    test.slow(); // three pages, each checked in a browser of its own with JavaScript off
    await page.goto("/users?q=ryan");
    await page.getByRole("link", { name: "Change license of Ryan Murphy, now Connect", exact: true }).click();
    await expectNoAxeViolations();
    await page.getByRole("button", { name: "Next" }).click();
    await expect(page.getByRole("radio", { name: "Sell", exact: true })).toHaveAccessibleDescription(
      /Choose the new license type\./,
    );
    await expectNoAxeViolations();
    await page.getByRole("radio", { name: "Sell", exact: true }).check();
    await page.getByRole("button", { name: "Next" }).click();
    await expect(page.getByRole("heading", { name: "Confirm the change" })).toBeVisible();
    await expectNoAxeViolations();
  });
});

test("an Office Admin changes licenses in their offices only", async ({ page, signIn }) => {
  await signIn("olive@acme.test", "/users?q=ruth");
  await page.getByRole("link", { name: "Change license of Ruth Abebe, now Connect", exact: true }).click();
  await expect(page.getByRole("radio", { name: "Sell", exact: true })).toHaveAccessibleDescription(
    /unassigned licenses? in New York\./,
  );
  const ryanId = await userIdOf(page, "ryan@acme.test");
  const response = await page.goto(`/users/${ryanId}/license?to=sell&step=confirm`);
  expect(response!.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
});
