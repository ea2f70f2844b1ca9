import { test, expect, PASSWORD, signInThroughForm } from "./fixtures";

test("an admin signs in and lands on Office > Users, then signs out", async ({ page }) => {
  await signInThroughForm(page, "ada@acme.test");
  await expect(page).toHaveURL(/\/users$/);
  await expect(page.getByRole("heading", { name: "Users", level: 1 })).toBeVisible();
  await expect(page.getByRole("link", { name: "Active or Pending Users", exact: true })).toHaveAttribute(
    "aria-current",
    "page",
  );

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { name: "Sign in to Switchboard" })).toBeVisible();
  await page.goto("/users");
  await expect(page).toHaveURL(/\/login\?redirectTo=%2Fusers/);
});

test("a regular user lands on their settings", async ({ page }) => {
  await signInThroughForm(page, "uma@acme.test");
  await expect(page).toHaveURL(/\/settings$/);
  await expect(page.getByRole("heading", { name: "My settings" })).toBeVisible();
});

test("after signing in, the person returns to the page they asked for", async ({ page }) => {
  await page.goto("/users?q=priya");
  await expect(page).toHaveURL(/\/login\?redirectTo=/);
  await page.getByLabel("Email").fill("ada@acme.test");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/users\?q=priya$/);
  await expect(page.getByRole("rowheader", { name: "Priya Raman" })).toBeVisible();
});

test("a wrong password or unknown email gets one generic message", async ({ page }) => {
  for (const [email, password] of [
    ["ada@acme.test", "not-the-password"],
    ["nobody@acme.test", PASSWORD],
  ]) {
    await page.goto("/login");
    await page.getByLabel("Email").fill(email!);
    await page.getByLabel("Password").fill(password!);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert")).toHaveText(
      "That email and password do not match an active account.",
    );
  }
});

test("a pending user cannot sign in", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill("jasper@acme.test");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("That email and password do not match an active account.");
});

test("a bad email is refused next to its field", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill("not an email");
  await page.getByLabel("Password").fill("x");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByLabel("Email")).toHaveAccessibleDescription(
    "Enter an email address, like name@company.com.",
  );
});

test("five failures lock an email for 15 minutes, even with the right password", async ({
  page,
}, testInfo) => {
  // Each project has its own database; the email is the one being locked.
  const email = testInfo.project.name === "js-on" ? "marcus@acme.test" : "priya@acme.test";
  for (let i = 0; i < 5; i++) {
    await page.goto("/login");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(`wrong-${i}`);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert")).toHaveText(
      "That email and password do not match an active account.",
    );
  }
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText(
    "Too many failed sign-ins for this email. Sign-in is locked for 15 more minutes.",
  );
});

test("sign-out by GET changes nothing, and a cross-site POST is refused", async ({
  page,
  signIn,
  request,
}) => {
  await signIn("ada@acme.test");
  await page.goto("/logout");
  await expect(page).toHaveURL(/\/users$/);
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();

  // A form on another site posting to sign out: refused, and the session lives on.
  const cookies = await page.context().cookies();
  const response = await request.post("/logout", {
    headers: {
      origin: "https://evil.example",
      cookie: cookies.map((c) => `${c.name}=${c.value}`).join("; "),
    },
    form: { csrf: cookies.find((c) => c.name === "sb_csrf")!.value },
    maxRedirects: 0,
  });
  expect(response.status()).toBe(403);
  await page.reload();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();

  // The same POST from this site but without the form's token: refused too.
  const noToken = await request.post("/logout", {
    headers: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join("; ") },
    form: {},
    maxRedirects: 0,
  });
  expect(noToken.status()).toBe(403);
});

test("the session cookie is HttpOnly and SameSite=Lax", async ({ page, signIn }) => {
  await signIn("ada@acme.test");
  const session = (await page.context().cookies()).find((c) => c.name === "sb_session");
  expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax" });
});
