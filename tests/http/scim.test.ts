/**
 * The SCIM service over HTTP against the built server, replaying the
 * requests Okta and Microsoft Entra ID document for user provisioning, in
 * their order:
 * - Okta, "SCIM 2.0 provisioning" (developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20):
 *   existence check by `userName eq` with startIndex=1&count=100, POST, GET by id, PUT, then
 *   PATCH active false (deactivation), then true;
 * - Entra ID, "Tutorial: Develop and plan provisioning for a SCIM endpoint"
 *   (learn.microsoft.com/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups):
 *   Test connection (a filter on a random userName), the filter, POST, PATCH with `Op: "Replace"`
 *   and paths, a path-less replace, PATCH active "False" then "True", DELETE.
 * Deactivation suspends the user (app/users/suspend.server.ts); reactivation takes a seat again.
 * And tenancy: one company's token never sees or touches another's users.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "../support/app-server.ts";
import { actorFor } from "../support/actors.ts";
import { createToken } from "../../app/provisioning/tokens.server.ts";
import { scimRequest } from "../support/scim-client.ts";

const PORT = Number(process.env.E2E_PORT_BASE ?? 3100) + 22;
const CORE = "urn:ietf:params:scim:schemas:core:2.0:User";
const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

let app: AppServer<{ acme: string; globex: string; revoked: string }>;
beforeAll(async () => {
  app = await startAppServer("http_scim", PORT, async (db) => {
    const [ada, gina] = [await actorFor(db, "ada@acme.test"), await actorFor(db, "gina@globex.test")];
    const made = await Promise.all([
      createToken(db, ada, { name: "Okta" }, new Date()),
      createToken(db, gina, { name: "Entra ID" }, new Date()),
      createToken(db, ada, { name: "Old" }, new Date()),
    ]);
    const [acme, globex, revoked] = made.map((m) => (m.ok ? m : null)!);
    await db
      .updateTable("provisioning_tokens")
      .set({ revoked_at: new Date() })
      .where("id", "=", revoked.id)
      .execute();
    return { acme: acme.token, globex: globex.token, revoked: revoked.token };
  });
}, 120_000);
afterAll(async () => {
  await app?.stop();
});

/** A SCIM request as an identity provider sends it: JSON, with the company's token. */
const scim = (token: string | null, method: string, path: string, body?: unknown) =>
  scimRequest(app.origin, token, method, path, body);

const byUserName = (userName: string) =>
  `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}&startIndex=1&count=100`;

describe("Okta's provisioning sequence", () => {
  const okta = () => app.prepared.acme;
  let id: string;

  it("checks the user does not exist, creates them, reads and replaces them", async () => {
    const check = await scim(okta(), "GET", byUserName("lena.fox@acme.test"));
    expect(check.status).toBe(200);
    expect(check.type).toMatch(/^application\/scim\+json/);
    expect(check.body).toMatchObject({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
      totalResults: 0,
      startIndex: 1,
      itemsPerPage: 0,
      Resources: [],
    });

    const created = await scim(okta(), "POST", "/Users", {
      schemas: [CORE],
      userName: "lena.fox@acme.test",
      name: { givenName: "Lena", familyName: "Fox" },
      emails: [{ primary: true, value: "lena.fox@acme.test", type: "work" }],
      displayName: "Lena Fox",
      locale: "en-US",
      externalId: "00ujl29u0le5T6Aj10h7",
      groups: [],
      password: "1mz050nq",
      active: true,
    });
    expect(created.status).toBe(201);
    id = created.body.id;
    expect(created.location).toBe(`${app.origin}/scim/v2/Users/${id}`);
    expect(created.body).toMatchObject({
      userName: "lena.fox@acme.test",
      externalId: "00ujl29u0le5T6Aj10h7",
      active: true,
      meta: { resourceType: "User", location: created.location },
    });
    expect(created.body).not.toHaveProperty("password");

    expect((await scim(okta(), "GET", byUserName("LENA.FOX@acme.test"))).body.totalResults).toBe(1);
    const read = await scim(okta(), "GET", `/Users/${id}`);
    expect(read.status).toBe(200);
    expect(read.body.name).toMatchObject({ givenName: "Lena", familyName: "Fox" });

    const replaced = await scim(okta(), "PUT", `/Users/${id}`, {
      ...read.body,
      name: { givenName: "Lena", familyName: "Fox-Hart" },
      title: "Designer",
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ name: { familyName: "Fox-Hart" }, title: "Designer" });
  });

  it("deactivates with PATCH active false, then reactivates", async () => {
    const off = await scim(okta(), "PATCH", `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "replace", value: { active: false } }],
    });
    expect(off).toMatchObject({ status: 200, body: { id, active: false } });
    // Okta reads the user back before it reactivates.
    const read = await scim(okta(), "GET", `/Users/${id}`);
    expect(read.body).toMatchObject({ active: false });
    const found = await scim(okta(), "GET", `/Users?filter=${encodeURIComponent("active eq false")}`);
    expect(found.body.Resources.map((r: { id: string }) => r.id)).toEqual([id]);
    const on = await scim(okta(), "PATCH", `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "replace", value: { active: true } }],
    });
    expect(on).toMatchObject({ status: 200, body: { id, active: true } });
  });

  it("a second POST of the same userName is 409 uniqueness", async () => {
    const again = await scim(okta(), "POST", "/Users", {
      schemas: [CORE],
      userName: "Lena.Fox@acme.test",
      name: { givenName: "L", familyName: "F" },
      emails: [{ primary: true, value: "lena.other@acme.test" }],
    });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
      status: "409",
      scimType: "uniqueness",
    });
  });

  it("one company's token never sees or changes another company's user", async () => {
    const entra = app.prepared.globex;
    expect((await scim(entra, "GET", `/Users/${id}`)).status).toBe(404);
    expect((await scim(entra, "GET", byUserName("lena.fox@acme.test"))).body.totalResults).toBe(0);
    expect(
      (
        await scim(entra, "GET", `/Users?filter=${encodeURIComponent("userName pr")}&count=1000`)
      ).body.Resources.some((r: { id: string }) => r.id === id),
    ).toBe(false);
    const patch = { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "title", value: "x" }] };
    expect((await scim(entra, "PATCH", `/Users/${id}`, patch)).status).toBe(404);
    expect(
      (await scim(entra, "PUT", `/Users/${id}`, { userName: "x", name: { givenName: "a", familyName: "b" } }))
        .status,
    ).toBe(404);
    expect((await scim(entra, "DELETE", `/Users/${id}`)).status).toBe(404);
    expect((await scim(okta(), "GET", `/Users/${id}`)).body.title).toBe("Designer");
  });
});

describe("Entra ID's provisioning sequence", () => {
  const entra = () => app.prepared.globex;
  let id: string;

  it("tests the connection with a filter on a random userName", async () => {
    const test = await scim(
      entra(),
      "GET",
      `/Users?filter=${encodeURIComponent('userName eq "5d48a0a8-e4a6-4b5b-9ea5-fb2e6d9ed3d5"')}`,
    );
    expect(test.status).toBe(200);
    expect(test.body.totalResults).toBe(0);
  });

  it("creates a user after the existence check", async () => {
    expect((await scim(entra(), "GET", byUserName("Test_User_ab6490ee@globex.test"))).body.totalResults).toBe(
      0,
    );
    const created = await scim(entra(), "POST", "/Users", {
      schemas: [CORE, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
      externalId: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
      userName: "Test_User_ab6490ee@globex.test",
      active: true,
      addresses: [{ primary: true, type: "work", streetAddress: "1 Main St", postalCode: "12345" }],
      displayName: "Test User",
      emails: [{ primary: true, type: "work", value: "Test_User_fd0ea19b@globex.test" }],
      meta: { resourceType: "User" },
      name: { formatted: "Test User", familyName: "User", givenName: "Test" },
      roles: [],
    });
    expect(created.status).toBe(201);
    id = created.body.id;
    expect(created.body).toMatchObject({
      userName: "Test_User_ab6490ee@globex.test",
      emails: [{ value: "Test_User_fd0ea19b@globex.test", primary: true }],
    });
    expect(created.body).not.toHaveProperty("addresses");
    const byExternal = await scim(
      entra(),
      "GET",
      `/Users?filter=${encodeURIComponent('externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"')}`,
    );
    expect(byExternal.body.Resources.map((r: { id: string }) => r.id)).toEqual([id]);
  });

  it("updates with Entra's PATCH shapes: capitalised Op, paths with value filters, a path-less replace of dotted keys", async () => {
    const patched = await scim(entra(), "PATCH", `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: "Replace", path: 'emails[type eq "work"].value', value: "updatedEmail@globex.test" },
        { op: "Replace", path: "name.familyName", value: "updatedFamilyName" },
        { op: "Add", value: { "name.givenName": "Tess", title: "Analyst" } },
      ],
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      emails: [{ value: "updatedEmail@globex.test" }],
      name: { givenName: "Tess", familyName: "updatedFamilyName" },
      title: "Analyst",
    });
  });

  it("deactivates with Entra's PATCH, then reactivates", async () => {
    const off = await scim(entra(), "PATCH", `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "Replace", path: "active", value: "False" }],
    });
    expect(off).toMatchObject({ status: 200, body: { id, active: false } });
    const on = await scim(entra(), "PATCH", `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "Replace", path: "active", value: "True" }],
    });
    expect(on).toMatchObject({ status: 200, body: { id, active: true } });
  });

  it("deletes the user (204), after which they are 404", async () => {
    expect((await scim(entra(), "DELETE", `/Users/${id}`)).status).toBe(204);
    expect((await scim(entra(), "GET", `/Users/${id}`)).status).toBe(404);
  });
});

describe("the service", () => {
  it("describes itself", async () => {
    const token = app.prepared.acme;
    const spc = await scim(token, "GET", "/ServiceProviderConfig");
    expect(spc.body).toMatchObject({
      patch: { supported: true },
      bulk: { supported: false },
      filter: { supported: true },
    });
    expect((await scim(token, "GET", "/ResourceTypes")).body.Resources[0]).toMatchObject({
      id: "User",
      endpoint: "/Users",
    });
    const schemas = await scim(token, "GET", "/Schemas");
    expect(schemas.body.Resources.map((s: { id: string }) => s.id)).toEqual([
      CORE,
      "urn:switchboard:params:scim:schemas:extension:2.0:User",
      "urn:ietf:params:scim:schemas:core:2.0:Group",
    ]);
    expect((await scim(token, "GET", `/Schemas/${CORE}`)).status).toBe(200);
    expect((await scim(token, "GET", "/ResourceTypes/Group")).body).toMatchObject({ endpoint: "/Groups" });
  });

  it("reads Groups (departments and call centers) and refuses to change them with 501", async () => {
    const token = app.prepared.acme;
    const all = await scim(token, "GET", "/Groups");
    expect(all.status).toBe(200);
    expect(all.body.totalResults).toBeGreaterThan(0);
    const sales = await scim(token, "GET", `/Groups?filter=${encodeURIComponent('displayName eq "Sales"')}`);
    expect(sales.body.Resources.length).toBeGreaterThan(0);
    const id = sales.body.Resources[0].id;
    expect((await scim(token, "GET", `/Groups/${id}`)).body).toEqual(sales.body.Resources[0]);
    expect((await scim(app.prepared.globex, "GET", `/Groups/${id}`)).status).toBe(404);
    for (const [method, path] of [
      ["POST", "/Groups"],
      ["PUT", `/Groups/${id}`],
      ["PATCH", `/Groups/${id}`],
      ["DELETE", `/Groups/${id}`],
    ] as const) {
      const answer = await scim(token, method, path, { displayName: "X" });
      expect({ path, method, status: answer.status, body: answer.body }).toMatchObject({
        path,
        method,
        status: 501,
        body: { schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "501" },
      });
    }
    expect((await scim(null, "POST", "/Groups", {})).status).toBe(401);
  });

  it("answers every error in SCIM's error shape, never a 500", async () => {
    const token = app.prepared.acme;
    const cases: [string | null, string, string, unknown, number, string | undefined][] = [
      [null, "GET", "/Users", undefined, 401, undefined],
      [app.prepared.revoked, "GET", "/Users", undefined, 401, undefined],
      ["sbp_nottoken", "GET", "/ServiceProviderConfig", undefined, 401, undefined],
      [token, "GET", "/Users/abc", undefined, 404, undefined],
      [token, "GET", `/Users/${"9".repeat(400)}`, undefined, 404, undefined],
      [token, "GET", "/Users?filter=userName%20eq", undefined, 400, "invalidFilter"],
      [
        token,
        "GET",
        `/Users?filter=${encodeURIComponent('password eq "x"')}`,
        undefined,
        400,
        "invalidFilter",
      ],
      [token, "GET", "/Users?count=abc", undefined, 400, "invalidValue"],
      [token, "POST", "/Users", "{not json", 400, "invalidSyntax"],
      [token, "POST", "/Users", { userName: "no-name" }, 400, "invalidValue"],
      [token, "PATCH", "/Users/1", { Operations: [{ op: "move" }] }, 400, "invalidSyntax"],
    ];
    for (const [who, method, path, body, status, scimType] of cases) {
      const answer = await scim(who, method, path, body);
      expect({ path, status: answer.status, type: answer.type }).toEqual({
        path,
        status,
        type: "application/scim+json; charset=utf-8",
      });
      expect(answer.body).toMatchObject({
        schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
        status: String(status),
        ...(scimType ? { scimType } : {}),
      });
    }
    const unauthorized = await fetch(`${app.origin}/scim/v2/Users`);
    expect(unauthorized.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });

  it("sends an answer under 1 KB as it is, with its length; a longer one compressed", async () => {
    const get = (path: string) =>
      fetch(`${app.origin}/scim/v2${path}`, {
        headers: { Authorization: `Bearer ${app.prepared.acme}`, "Accept-Encoding": "gzip" },
      });
    const check = await get(byUserName("ada@acme.test"));
    const text = await check.text();
    expect(JSON.parse(text)).toMatchObject({ totalResults: 1 });
    expect(check.headers.get("content-encoding")).toBeNull();
    expect(check.headers.get("content-length")).toBe(String(Buffer.byteLength(text)));
    const page = await get("/Users?count=100");
    expect((await page.json()).itemsPerPage).toBeGreaterThan(5);
    expect(page.headers.get("content-encoding")).toBe("gzip");
  });

  it("caps count at 1,000", async () => {
    const many = await scim(app.prepared.acme, "GET", "/Users?count=100000");
    expect(many.status).toBe(200);
    expect(many.body.itemsPerPage).toBeLessThanOrEqual(1000);
  });
});
