/**
 * The public SCIM conformance suites of Okta and Microsoft, replayed against
 * the built server in their order, with their assertions. Each block names
 * its source. Where a suite expects what Switchboard deliberately does
 * otherwise, the case asserts Switchboard's documented answer and says why.
 *
 * The steps that send `active: false` (Okta's CRUD test "Deactivate user",
 * the reference collection's PUT and PATCH of active false, Entra's
 * Disable_User_Test) check the database too: the user suspended and their
 * seat freed, then, reactivated, the seat taken again.
 *
 * Runscope's pauses between steps, and its response-time assertion on
 * /Groups (600 ms), are not replayed: the service does not depend on the
 * first, and `npm run bench` measures the second on the server.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "../support/app-server.ts";
import {
  provisioningToken,
  scimRequest,
  SCIM_CORE,
  SCIM_ERROR,
  SCIM_LIST,
  SCIM_PATCH_OP,
  type ScimAnswer,
} from "../support/scim-client.ts";

const PORT = Number(process.env.E2E_PORT_BASE ?? 3100) + 23;
const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";

let app: AppServer<{ okta: string; microsoft: string }>;
beforeAll(async () => {
  app = await startAppServer("http_scim_conformance", PORT, async (db) => {
    // The suites create more users than Globex's demo office has Connect seats for: it buys more.
    await db
      .updateTable("license_pools")
      .set((eb) => ({ purchased: eb("purchased", "+", 30) }))
      .where("license_type", "=", "connect")
      .where("office_id", "in", (eb) =>
        eb
          .selectFrom("offices")
          .innerJoin("companies", "companies.id", "offices.company_id")
          .select("offices.id")
          .where("companies.name", "=", "Globex"),
      )
      .execute();
    return {
      okta: (await provisioningToken(db, "ada@acme.test", "Okta")).token,
      microsoft: (await provisioningToken(db, "gina@globex.test", "Entra ID")).token,
    };
  });
}, 120_000);
afterAll(async () => {
  await app?.stop();
});

const q = (filter: string) => encodeURIComponent(filter);
/** What the database holds of a user: their status, and the seats taken of their license type in their office. */
const stored = (id: string) =>
  app.withDb((db) =>
    db
      .selectFrom("users as u")
      .innerJoin("license_pools as p", (j) =>
        j.onRef("p.office_id", "=", "u.office_id").onRef("p.license_type", "=", "u.license_type"),
      )
      .select(["u.status", "p.assigned as seats"])
      .where("u.id", "=", Number(id))
      .executeTakeFirstOrThrow(),
  );
/** A case that looks at the database: on PGlite each look stops and restarts the server (withDb). */
const WITH_DB = 180_000;
/** Deactivation as Okta sends it (developer.okta.com, SCIM 2.0 reference, "Update a specific User (PATCH)"). */
const oktaActive = (active: boolean) => ({
  schemas: [SCIM_PATCH_OP],
  Operations: [{ op: "replace", value: { active } }],
});
/** A 201, or the error's detail in the failure message. */
const isCreated = (a: ScimAnswer) =>
  expect({ status: a.status, detail: a.body?.detail }).toEqual({ status: 201 });
const isScimError = (a: ScimAnswer, status: number) => {
  expect({ status: a.status, type: a.type }).toEqual({
    status,
    type: "application/scim+json; charset=utf-8",
  });
  expect(a.body.schemas).toContain(SCIM_ERROR);
  expect(a.body.status).toBe(String(status));
  expect(a.body.detail).toBeTruthy();
};

/**
 * Okta's "Okta SCIM 2.0 SPEC Test" (Runscope/BlazeMeter), the suite Okta
 * requires before an integration is published: okta/okta-developer-docs,
 * packages/@okta/vuepress-site/.vuepress/public/standards/SCIM/SCIMFiles/Okta-SCIM-20-SPEC-Test.json
 * (linked from developer.okta.com/docs/guides/scim-provisioning-integration-prepare,
 * "Test your SCIM API"). Its headers are Okta's: the GETs send
 * `Content-Type: application/scim+json; charset=utf-8`, `Accept-Charset: utf-8`
 * and `User-Agent: OKTA SCIM Integration`; the POSTs send `Content-Type: application/json`.
 */
describe("Okta SCIM 2.0 SPEC Test", () => {
  const OKTA_GET = {
    "Accept-Charset": "utf-8",
    "Content-Type": "application/scim+json; charset=utf-8",
    Accept: "application/scim+json",
    "User-Agent": "OKTA SCIM Integration",
  };
  const OKTA_POST = { "Content-Type": "application/json", Accept: "application/scim+json; charset=utf-8" };
  const get = (path: string, token: string | null = app.prepared.okta) =>
    scimRequest(app.origin, token, "GET", path, undefined, OKTA_GET);
  // The suite's Runscope variables: random values, and ids and emails the service does not have.
  const randomUsername = "runscope7qk2ls@atko.com";
  const randomUsernameCaps = randomUsername.toUpperCase();
  const randomEmail = "runscope.rivera.e7b1@atko.com";
  const randomGivenName = "Jordan";
  const randomFamilyName = "Rivera";
  const InvalidUserEmail = "abcdefgh@example.com";
  const UserIdThatDoesNotExist = "010101001010101010";
  let ISVUserid: string;
  let idUserOne: string;

  it("Required Test: Test Users endpoint", async () => {
    const a = await get("/Users?count=1&startIndex=1");
    expect(a.status).toBe(200);
    expect(a.body.Resources.length).toBeGreaterThan(0);
    expect(a.body.schemas).toContain(SCIM_LIST);
    for (const n of ["itemsPerPage", "startIndex", "totalResults"]) expect(typeof a.body[n]).toBe("number");
    const [first] = a.body.Resources;
    expect(first.id).toBeTruthy();
    expect(first.name.familyName).toBeTruthy();
    expect(first.name.givenName).toBeTruthy();
    expect(first.userName).toBeTruthy();
    expect(first.active).toBe(true);
    expect(first.emails[0].value).toBeTruthy();
    ISVUserid = first.id;
  });

  it("Required Test: Get Users/{{id}}", async () => {
    const a = await get(`/Users/${ISVUserid}`);
    expect(a.status).toBe(200);
    expect(a.body.name.familyName).toBeTruthy();
    expect(a.body.name.givenName).toBeTruthy();
    expect(a.body.userName).toBeTruthy();
    expect(a.body.active).toBe(true);
    expect(a.body.emails[0].value).toBeTruthy();
    expect(a.body.id).toBe(ISVUserid);
  });

  it("Required Test: Test invalid User by username", async () => {
    const a = await get(`/Users?filter=${q(`userName eq "${InvalidUserEmail}"`)}`);
    expect(a.status).toBe(200);
    expect(a.body.schemas).toContain(SCIM_LIST);
    expect(a.body.totalResults).toBe(0);
  });

  it("Required Test: Test invalid User by ID", async () => {
    const a = await get(`/Users/${UserIdThatDoesNotExist}`);
    expect(a.status).toBe(404);
    expect(a.body.detail).toBeTruthy();
    expect(a.body.schemas).toContain(SCIM_ERROR);
  });

  it("Required Test: Make sure random user doesn't exist", async () => {
    const a = await get(`/Users?filter=${q(`userName eq "${randomEmail}"`)}`);
    expect(a.status).toBe(200);
    expect(a.body.totalResults).toBe(0);
    expect(a.body.schemas).toContain(SCIM_LIST);
  });

  it("Required Test: Create Okta user with realistic values", async () => {
    const a = await scimRequest(
      app.origin,
      app.prepared.okta,
      "POST",
      "/Users",
      {
        schemas: [SCIM_CORE],
        userName: randomUsername,
        name: { givenName: randomGivenName, familyName: randomFamilyName },
        emails: [{ primary: true, value: randomEmail, type: "work" }],
        displayName: `${randomGivenName} ${randomFamilyName}`,
        active: true,
      },
      OKTA_POST,
    );
    isCreated(a);
    expect(a.body.active).toBe(true);
    expect(a.body.id).toBeTruthy();
    expect(a.body.name.familyName).toBe(randomFamilyName);
    expect(a.body.name.givenName).toBe(randomGivenName);
    expect(a.body.schemas).toContain(SCIM_CORE);
    expect(a.body.userName).toBe(randomUsername);
    idUserOne = a.body.id;
  });

  it("Required Test: Verify that user was created", async () => {
    const a = await get(`/Users/${idUserOne}`);
    expect(a.status).toBe(200);
    expect(a.body.userName).toBe(randomUsername);
    expect(a.body.name.familyName).toBe(randomFamilyName);
    expect(a.body.name.givenName).toBe(randomGivenName);
  });

  it("Required Test: Expect failure when recreating user with same values", async () => {
    // The suite's body: the same userName, with the userName as the email.
    const a = await scimRequest(
      app.origin,
      app.prepared.okta,
      "POST",
      "/Users",
      {
        schemas: [SCIM_CORE],
        userName: randomUsername,
        name: { givenName: randomGivenName, familyName: randomFamilyName },
        emails: [{ primary: true, value: randomUsername, type: "work" }],
        displayName: `${randomGivenName} ${randomFamilyName}`,
        active: true,
      },
      OKTA_POST,
    );
    expect(a.status).toBe(409);
    expect(a.body.scimType).toBe("uniqueness");
    // Nothing was created: the userName still finds one user.
    expect((await get(`/Users?filter=${q(`userName eq "${randomUsername}"`)}`)).body.totalResults).toBe(1);
  });

  it("Required Test: Username Case Sensitivity Check", async () => {
    const a = await get(`/Users?filter=${q(`userName eq "${randomUsernameCaps}"`)}`);
    expect(a.status).toBe(200);
    // The suite asks only for a 200; Switchboard compares userName in any letter case (RFC 7643 §4.1.1).
    expect(a.body.Resources.map((r: { id: string }) => r.id)).toEqual([idUserOne]);
  });

  it("Optional Test: Verify Groups endpoint", async () => {
    const a = await get("/Groups");
    expect(a.status).toBe(200);
    // The suite's script: with groups, Resources is a list.
    expect(a.body.totalResults).toBeGreaterThan(0);
    expect(Array.isArray(a.body.Resources)).toBe(true);
  });

  it("Required Test: Check status 401", async () => {
    const a = await scimRequest(
      app.origin,
      null,
      "GET",
      `/Users?filter=${q(`userName eq "${randomUsernameCaps}"`)}`,
      undefined,
      { ...OKTA_GET, Authorization: "non-token" },
    );
    isScimError(a, 401);
  });

  it("Required Test: Check status 404", async () => {
    isScimError(await get("/Users/00919288221112222"), 404);
  });
});

/**
 * Okta's "Okta SCIM 2.0 CRUD Test": okta/okta-developer-docs,
 * packages/@okta/vuepress-site/.vuepress/public/standards/SCIM/SCIMFiles/Okta-SCIM-20-CRUD-Test.json.
 * Its steps drive an Okta org (assign the app, change firstName) and then
 * check the SCIM service; what Okta sends in between is its documented
 * create (POST) and profile push (PUT of the whole user), as in
 * developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20. Its deactivation
 * and reactivation are, for an integration in Okta's catalogue, a PATCH with a
 * path-less replace of `active`; for one made with the App Integration Wizard,
 * a PUT of the whole user with `active` changed (the same guide, "Update a
 * specific User (PATCH)" and "Delete Users"). Here those requests are sent
 * directly, and the suite's checks of the service run as written.
 */
describe("Okta SCIM 2.0 CRUD Test", () => {
  const email = "crud.okta.5b1e@atko.com";
  let scimId: string;

  it("Verify if user is created in SCIM App; Verify firstname update in SCIM App", async () => {
    const created = await scimRequest(app.origin, app.prepared.okta, "POST", "/Users", {
      schemas: [SCIM_CORE],
      userName: email,
      name: { givenName: "Casey", familyName: "Crud" },
      emails: [{ primary: true, value: email, type: "work" }],
      displayName: "Casey Crud",
      title: "Engineer",
      phoneNumbers: [{ value: "415.555.0100", type: "work", primary: true }],
      password: "Abcde12345",
      active: true,
    });
    isCreated(created);

    const found = await scimRequest(
      app.origin,
      app.prepared.okta,
      "GET",
      `/Users?filter=${q(`userName eq "${email}"`)}`,
    );
    expect(found.status).toBe(200);
    expect(found.body.Resources[0].userName).toBe(email);
    expect(found.body.Resources[0].emails[0].value).toBe(email);
    expect(found.body.Resources[0].name.familyName).toBe("Crud");
    expect(found.body.Resources[0].name.givenName).toBe("Casey");
    scimId = found.body.Resources[0].id;

    // Okta's profile push: GET the user, then PUT it back whole with the new firstName.
    const current = (await scimRequest(app.origin, app.prepared.okta, "GET", `/Users/${scimId}`)).body;
    const put = await scimRequest(app.origin, app.prepared.okta, "PUT", `/Users/${scimId}`, {
      ...current,
      name: { ...current.name, givenName: "Caseyupdate" },
    });
    expect(put.status).toBe(200);

    const updated = await scimRequest(app.origin, app.prepared.okta, "GET", `/Users/${scimId}`);
    expect(updated.status).toBe(200);
    expect(updated.body.name.givenName).toBe("Caseyupdate");
  });

  let seats: number;
  it(
    "Deactivate user in Okta; Verify if user is deactivated in SCIM App",
    async () => {
      const before = await stored(scimId);
      expect(before.status).toBe("pending");
      seats = before.seats;
      const off = await scimRequest(
        app.origin,
        app.prepared.okta,
        "PATCH",
        `/Users/${scimId}`,
        oktaActive(false),
      );
      expect(off.status).toBe(200);
      expect(off.body).toMatchObject({ id: scimId, active: false });

      const read = await scimRequest(app.origin, app.prepared.okta, "GET", `/Users/${scimId}`);
      expect(read.status).toBe(200);
      expect(read.body.active).toBe(false);
      // Suspended: the license seat is freed.
      expect(await stored(scimId)).toEqual({ status: "suspended", seats: seats - 1 });
    },
    WITH_DB,
  );

  it(
    "Reactivate user in okta; Assign user to SCIM App; Verify if user is reactivated in SCIM App",
    async () => {
      const on = await scimRequest(
        app.origin,
        app.prepared.okta,
        "PATCH",
        `/Users/${scimId}`,
        oktaActive(true),
      );
      expect(on.status).toBe(200);
      expect(on.body).toMatchObject({ id: scimId, active: true });
      // Assigning again pushes the profile: the user read, then PUT back whole.
      const current = (await scimRequest(app.origin, app.prepared.okta, "GET", `/Users/${scimId}`)).body;
      expect(
        (await scimRequest(app.origin, app.prepared.okta, "PUT", `/Users/${scimId}`, current)).status,
      ).toBe(200);

      const read = await scimRequest(app.origin, app.prepared.okta, "GET", `/Users/${scimId}`);
      expect(read.status).toBe(200);
      expect(read.body.active).toBe(true);
      // Back as they were before (pending: they never signed in), in a seat again.
      expect(await stored(scimId)).toEqual({ status: "pending", seats });
    },
    WITH_DB,
  );

  it(
    "Removes an assignment for a user in Okta; Verify if user is deactivated in SCIM App",
    async () => {
      // An App Integration Wizard integration deactivates with a PUT of the whole user.
      const current = (await scimRequest(app.origin, app.prepared.okta, "GET", `/Users/${scimId}`)).body;
      const put = await scimRequest(app.origin, app.prepared.okta, "PUT", `/Users/${scimId}`, {
        ...current,
        active: false,
      });
      expect(put.status).toBe(200);
      expect(put.body.active).toBe(false);

      const read = await scimRequest(app.origin, app.prepared.okta, "GET", `/Users/${scimId}`);
      expect(read.status).toBe(200);
      expect(read.body.active).toBe(false);
      expect(await stored(scimId)).toEqual({ status: "suspended", seats: seats - 1 });
    },
    WITH_DB,
  );
});

/**
 * Microsoft's "SCIM Tests" Postman collection for its SCIM reference service:
 * AzureAD/SCIMReferenceCode, PostmanCollection.json, folders "Endpoint tests",
 * "User tests", "Group tests", "ComplexAttribute tests", "User tests with
 * garbage" and "Teardown garbage", in order. Run on Globex, whose users
 * before the run are the baseline the suite's counts are added to (it
 * expects an empty service).
 *
 * Where the suite differs on purpose:
 * - its users share email addresses; a Switchboard email is the person's
 *   sign-in, unique across every user (deleted ones too, until anonymized),
 *   so each user here gets an address of its own, and one case shows a
 *   reused address refused (409 uniqueness);
 * - Groups are Switchboard's departments and call centers, read only: POST,
 *   PUT, PATCH and DELETE on /Groups answer 501 (documented in
 *   ServiceProviderConfig and ResourceTypes);
 * - a PATCH answers 200 with the user (RFC 7644 §3.5.2 allows 200 or 204;
 *   the collection expects 204);
 * - `name.formatted` and `displayName` are made of the first and last name,
 *   and what Switchboard does not keep (addresses, phoneNumbers) is not
 *   echoed back as if stored;
 * - filters follow RFC 7644 §3.4.2.2: a value is JSON, so the collection's
 *   unquoted `eq Employee` is invalidFilter; the same filters quoted are run too;
 * - an email must be an email address ("emailName357" is refused), since the
 *   person is invited there.
 */
describe("Microsoft SCIM reference collection (AzureAD/SCIMReferenceCode)", () => {
  const token = () => app.prepared.microsoft;
  const call = (method: string, path: string, body?: unknown) =>
    scimRequest(app.origin, token(), method, path, body);
  const ids: Record<string, string> = {};
  let baseline: number;

  const user = (userName: string, email: string, more: Record<string, unknown> = {}) => ({
    userName,
    active: true,
    displayName: "BobIsAmazing",
    schemas: [SCIM_CORE],
    externalId: "22fbc523-6032-4c5f-939d-5d4850cf3e52",
    name: { formatted: "Ryan Leenay", familyName: "Leenay", givenName: "Ryan" },
    emails: [
      { Primary: true, type: "work", value: email },
      { Primary: false, type: "home", value: `home.${email}` },
    ],
    ...more,
  });

  it("Endpoint tests", async () => {
    const users = await call("GET", "/Users");
    expect(users.status).toBe(200);
    baseline = users.body.totalResults;
    expect((await call("GET", "/Groups")).status).toBe(200);
    const types = await call("GET", "/ResourceTypes");
    expect(types.status).toBe(200);
    expect(types.body.Resources[0].endpoint).toBe("/Users");
    // The collection asks for /serviceConfiguration, its reference service's name for it.
    const spc = await call("GET", "/ServiceProviderConfig");
    expect(spc.status).toBe(200);
    expect(spc.body.patch.supported).toBe(true);
    // The collection looks for the RFC 7643 example's "User Account"; the User schema is what counts.
    const schemas = await call("GET", "/Schemas");
    expect(schemas.status).toBe(200);
    expect(schemas.body.Resources.map((s: { id: string }) => s.id)).toContain(SCIM_CORE);
  });

  it("User tests: create, read, attributes, filter, PATCH userName, PUT, delete", async () => {
    const one = await call("POST", "/Users", user("UserName123", "testing@bob.test"));
    isCreated(one);
    ids.id1 = one.body.id;
    const two = await call(
      "POST",
      "/Users",
      user("UserName222", "testing@bob2.test", {
        displayName: "lennay",
        schemas: [ENTERPRISE, SCIM_CORE],
        name: { formatted: "Adrew Ryan", familyName: "Ryan", givenName: "Andrew" },
        [ENTERPRISE]: { Department: "bob", Manager: { Value: "SuzzyQ" } },
      }),
    );
    isCreated(two);
    ids.id2 = two.body.id;
    expect((await call("GET", `/Users/${ids.id1}`)).body.id).toBe(ids.id1);
    expect((await call("GET", `/Users/${ids.id2}`)).body.id).toBe(ids.id2);

    const attributes = await call("GET", "/Users?attributes=userName,emails&count=1000");
    expect(attributes.status).toBe(200);
    expect(attributes.text).toContain(ids.id1);
    expect(attributes.body.Resources[0]).not.toHaveProperty("name");

    // Switchboard's displayName is the first and last name: "Ryan Leenay", not the "BobIsAmazing" sent.
    const byDisplayName = await call("GET", `/Users/?filter=${q('DisplayName eq "Ryan Leenay"')}`);
    expect(byDisplayName.text).toContain(ids.id1);

    const patched = await call("PATCH", `/Users/${ids.id1}`, {
      schemas: [SCIM_PATCH_OP],
      Operations: [{ op: "replace", path: "userName", value: "ryan3" }],
    });
    expect(patched.status).toBe(200);
    const afterPatch = await call("GET", `/Users/${ids.id1}`);
    expect(afterPatch.status).toBe(200);
    expect(afterPatch.body.id).toBe(ids.id1);
    expect(afterPatch.body.userName).toBe("ryan3");

    const replaced = await call(
      "PUT",
      `/Users/${ids.id2}`,
      user("UserNameReplace2", "testing@bobreplace.test", {
        schemas: [ENTERPRISE, SCIM_CORE],
        id: ids.id2,
        name: { formatted: "NewName", familyName: "Leenay", givenName: "Ryan" },
      }),
    );
    expect(replaced.status).toBe(200);
    const afterPut = await call("GET", `/Users/${ids.id2}`);
    expect(afterPut.status).toBe(200);
    expect(afterPut.body).toMatchObject({
      userName: "UserNameReplace2",
      name: { givenName: "Ryan", familyName: "Leenay", formatted: "Ryan Leenay" },
      emails: [{ value: "testing@bobreplace.test" }],
    });

    expect((await call("DELETE", `/Users/${ids.id1}`)).status).toBe(204);
    expect((await call("DELETE", `/Users/${ids.id2}`)).status).toBe(204);
  });

  it("Group tests: users for groups are made and deleted; every Group write is 501", async () => {
    const groups = await call("GET", "/Groups");
    expect(groups.status).toBe(200);
    const groupId = groups.body.Resources[0].id;
    for (const n of ["3", "4"]) {
      const made = await call(
        "POST",
        "/Users",
        user(`UserName${n.repeat(3)}`, `testing${n}@bob2.test`, { schemas: [ENTERPRISE, SCIM_CORE] }),
      );
      isCreated(made);
      ids[`id${n}`] = made.body.id;
    }
    const writes: [string, string, unknown][] = [
      ["POST", "/Groups", { schemas: [GROUP], displayName: "Group1DisplayName", members: [] }],
      [
        "POST",
        "/Groups",
        { schemas: [GROUP], displayName: "GroupDisplayName2", members: [{ value: ids.id3, display: "VP" }] },
      ],
      ["PUT", `/Groups/${groupId}`, { schemas: [GROUP], id: groupId, displayName: "putName", members: [] }],
      [
        "PATCH",
        `/Groups/${groupId}`,
        {
          schemas: [SCIM_PATCH_OP],
          Operations: [
            {
              name: "addMember",
              op: "add",
              path: "members",
              value: [{ displayName: "new User", value: ids.id4 }],
            },
          ],
        },
      ],
      [
        "PATCH",
        `/Groups/${groupId}`,
        { schemas: [SCIM_PATCH_OP], Operations: [{ op: "remove", path: `members[value eq "${ids.id4}"]` }] },
      ],
      [
        "PATCH",
        `/Groups/${groupId}`,
        { schemas: [SCIM_PATCH_OP], Operations: [{ op: "remove", path: "members" }] },
      ],
      ["DELETE", `/Groups/${groupId}`, undefined],
    ];
    for (const [method, path, body] of writes) isScimError(await call(method, path, body), 501);
    const after = await call("GET", `/Groups/${groupId}`);
    expect(after.status).toBe(200);
    expect(after.body).toEqual(groups.body.Resources[0]);
    expect((await call("DELETE", `/Users/${ids.id3}`)).status).toBe(204);
    expect((await call("DELETE", `/Users/${ids.id4}`)).status).toBe(204);
  });

  it("ComplexAttribute tests: attributes with a value filter", async () => {
    const notAnEmail = await call("POST", "/Users", user("UserName111", "emailName357"));
    isScimError(notAnEmail, 400);
    expect(notAnEmail.body.scimType).toBe("invalidValue");
    const two = await call("POST", "/Users", user("UserName2222", "jump@bob.test"));
    isCreated(two);
    // attributes names attributes (RFC 7644 §3.9); a value filter in one selects the whole attribute.
    const work = await call("GET", `/Users?attributes=${q('emails[type eq "work"]')}&count=1000`);
    expect(work.status).toBe(200);
    expect(work.text).toContain("jump@bob.test");
    expect(work.body.Resources[0]).not.toHaveProperty("userName");
    const byValue = await call(
      "GET",
      `/Users?attributes=${q('emails[value eq "jump@bob.test"]')}&count=1000`,
    );
    expect(byValue.status).toBe(200);
    expect(byValue.text).toContain("jump@bob.test");
    expect((await call("DELETE", `/Users/${two.body.id}`)).status).toBe(204);
  });

  describe("User tests with garbage", () => {
    const garbage = (
      userName: string,
      email: string,
      familyName: string,
      more: Record<string, unknown> = {},
    ) => ({
      userName,
      active: true,
      addresses: [
        {
          country: "Bermuda",
          formatted: "9132 Jennifer Way Suite 040\nSouth Nancy, MI 55645",
          locality: "West Mercedes",
          postalCode: "99265",
          region: "Montana",
          streetAddress: "4939 Hess Fork",
          type: "work",
          primary: false,
        },
        {
          country: null,
          formatted: "18522 Lisa Unions\nEast Gregory, CT 52311",
          type: "other",
          primary: false,
        },
      ],
      displayName: "Kimberly Baker",
      emails: [
        { type: "work", primary: true, value: email },
        { type: "other", primary: false, value: `other.${email}` },
      ],
      meta: {
        created: "2019-09-18T18:15:26.5788954+00:00",
        lastModified: "2019-09-18T18:15:26.5788976+00:00",
        resourceType: "User",
      },
      name: {
        formatted: "Daniel Mcgee",
        familyName,
        givenName: "Darl",
        honorificPrefix: null,
        honorificSuffix: null,
      },
      phoneNumbers: [
        { type: "fax", primary: false, value: "312-320-0500" },
        { type: "mobile", primary: false, value: "312-320-1707" },
        { type: "work", primary: true, value: "312-320-0932" },
      ],
      preferredLanguage: "xh",
      roles: [],
      title: "Site engineer",
      externalId: "22fbc523-6032-4c5f-939d-5d4850cf3e52",
      schemas: [SCIM_CORE],
      ...more,
    });

    it('creates OMalley and emp1 (active as the string "True"), and counts them', async () => {
      const omalley = await call("POST", "/Users", garbage("OMalley", "anna33@example.com", "OMalley"));
      isCreated(omalley);
      expect(omalley.body.userName).toBe("OMalley");
      expect(omalley.body.active).toBe(true);
      ids.first = omalley.body.id;
      const emp1 = await call(
        "POST",
        "/Users",
        garbage("emp1", "emp1@example.com", "Employee", { active: "True" }),
      );
      isCreated(emp1);
      expect(emp1.body.active).toBe(true);
      ids.second = emp1.body.id;
      const all = await call("GET", "/Users");
      expect(all.status).toBe(200);
      expect(all.body.totalResults).toBe(baseline + 2);
      expect(all.text).toContain("OMalley");
    });

    it("creates emp2, emp3 and an enterprise user; refuses no userName, junk, a taken userName or email", async () => {
      for (const n of ["emp2", "emp3"]) {
        const made = await call("POST", "/Users", garbage(n, `${n}@example.com`, "Employee"));
        isCreated(made);
        ids[n] = made.body.id;
      }
      const noUserName = garbage("x", "nobody@example.com", "Employee") as Record<string, unknown>;
      delete noUserName.userName;
      isScimError(await call("POST", "/Users", noUserName), 400);
      const junk = await call(
        "POST",
        "/Users",
        '{ "acve": tre, "adadfdresses": [ { "coudftry": "Beruda", "locality": null, les": [], "title": "Site engineer" }',
      );
      isScimError(junk, 400);
      expect(junk.body.scimType).toBe("invalidSyntax");
      for (let i = 0; i < 2; i++) {
        const again = await call("POST", "/Users", garbage("emp3", "emp3.again@example.com", "Employee"));
        isScimError(again, 409);
        expect(again.body.scimType).toBe("uniqueness");
      }
      // The collection's emp2 reuses emp1's address: here that is refused.
      const reused = await call("POST", "/Users", garbage("emp9", "emp1@example.com", "Employee"));
      isScimError(reused, 409);
      expect(reused.body.scimType).toBe("uniqueness");
      const enterprise = await call(
        "POST",
        "/Users",
        garbage("enterprise", "enterprise@example.com", "Employee", {
          [ENTERPRISE]: { Department: "some department" },
          schemas: [SCIM_CORE, ENTERPRISE],
        }),
      );
      isCreated(enterprise);
      ids.enterprise = enterprise.body.id;
    });

    it(
      "PUT without userName is 400; PUT with a misspelled attribute and active false suspends; PATCH userName and active",
      async () => {
        const before = await stored(ids.first);
        expect(before.status).toBe("pending");
        // These PUTs of the collection, and its PATCH, send active false.
        const noUserName = garbage("x", "anna33@example.com", "OMalley", {
          id: ids.first,
          active: false,
        }) as Record<string, unknown>;
        delete noUserName.userName;
        noUserName.userame = "OMalley";
        isScimError(await call("PUT", `/Users/${ids.first}`, noUserName), 400);

        const misspelled = garbage("OMalley", "anna33@example.com", "OMalley", {
          id: ids.first,
          active: false,
        }) as Record<string, unknown>;
        misspelled.adreses = misspelled.addresses;
        delete misspelled.addresses;
        const put = await call("PUT", `/Users/${ids.first}`, misspelled);
        expect(put.status).toBe(200);
        expect(put.body.active).toBe(false);
        expect(put.text).not.toContain("Addresses");
        expect(put.text).not.toContain("adreses");
        const patched = await call("PATCH", `/Users/${ids.first}`, {
          schemas: [SCIM_PATCH_OP],
          Operations: [{ op: "Replace", path: "userName", value: "newusername" }],
        });
        expect(patched.status).toBe(200);
        // "patch user omalley active with boolean": already suspended, so nothing more changes.
        const inactive = await call("PATCH", `/Users/${ids.first}`, {
          schemas: [SCIM_PATCH_OP],
          Operations: [{ op: "Replace", path: "active", value: false }],
        });
        expect(inactive.status).toBe(200);
        expect(inactive.body.active).toBe(false);
        const user1 = await call("GET", `/Users/${ids.first}`);
        expect(user1.body).toMatchObject({ userName: "newusername", active: false });

        const back = await call("PUT", `/Users/${ids.first}`, {
          ...garbage("OMalley", "anna33@example.com", "OMalley", { id: ids.first, active: false }),
          addresses: [{ country: "Germany", type: "work" }],
        });
        expect(back.status).toBe(200);
        expect(back.body).toMatchObject({ userName: "OMalley", active: false });
        // Not kept, so not echoed as if stored.
        expect(back.text).not.toContain("Germany");
        expect(await stored(ids.first)).toEqual({ status: "suspended", seats: before.seats - 1 });
      },
      WITH_DB,
    );

    it("paginates, selects attributes and filters", async () => {
      const page = await call("GET", "/Users?startIndex=1&count=2");
      expect(page.body.totalResults).toBe(baseline + 5);
      expect(page.body.itemsPerPage).toBe(2);
      expect((await call("GET", "/Users?attributes=userName,emails")).body.totalResults).toBe(baseline + 5);
      const again = await call("POST", "/Users", garbage("emp3", "emp3.third@example.com", "Employee"));
      isScimError(again, 409);

      const count = async (filter: string) => {
        const a = await call("GET", `/Users?filter=${q(filter)}&count=1000`);
        expect(a.status).toBe(200);
        return a.body.totalResults as number;
      };
      // Unquoted values are not SCIM filters (RFC 7644 §3.4.2.2): invalidFilter; quoted, the collection's counts.
      for (const unquoted of [
        "name.FamilyName eq Employee and (emails.Value co example.com or emails.Value co example.org)",
        "userName sw O",
        "meta.Created gt 2015-10-10T14:38:21.8617979-07:00",
      ]) {
        const a = await call("GET", `/Users?filter=${q(unquoted)}`);
        isScimError(a, 400);
        expect(a.body.scimType).toBe("invalidFilter");
      }
      expect(
        await count(
          'name.FamilyName eq "Employee" and (emails.Value co "example.com" or emails.Value co "example.org")',
        ),
      ).toBe(4);
      const omalleyAndBaseline = await count('userName sw "O"');
      const baselineWithO = (
        await call("GET", `/Users?filter=${q('userName sw "O" and not (name.familyName eq "OMalley")')}`)
      ).body.totalResults;
      expect(omalleyAndBaseline).toBe(baselineWithO + 1);
      expect(await count('meta.Created gt "2015-10-10T14:38:21.8617979-07:00"')).toBe(baseline + 5);
    });

    it("Teardown garbage: deletes them all (204), after which the service has its baseline", async () => {
      for (const key of ["first", "second", "emp2", "emp3", "enterprise"])
        expect((await call("DELETE", `/Users/${ids[key]}`)).status).toBe(204);
      const all = await call("GET", "/Users?attributes=userName&count=1000");
      expect(all.status).toBe(200);
      expect(all.body.totalResults).toBe(baseline);
      for (const id of Object.values(ids)) expect(all.text).not.toContain(`"id":"${id}"`);
      expect((await call("GET", "/Groups")).status).toBe(200);
    });
  });
});

/**
 * Microsoft Entra ID's app-gallery validation, the tests it sends straight
 * to the SCIM endpoint: AzureAD/SCIMReferenceCode,
 * Microsoft.SCIM.LogicAppValidationTemplate/StandardLogicApp/SCIM-Validation-Test-Overview.md
 * (Schema_Discoverability_Test, SCIM_User_Create_Test, SCIM_User_Update_Test,
 * SCIM_Null_Update_Test, SCIM_User_Pagination_Test), with the request shapes of
 * "Tutorial: Develop and plan provisioning for a SCIM endpoint"
 * (MicrosoftDocs/entra-docs, docs/identity/app-provisioning/use-scim-to-provision-users-and-groups.md).
 * Its group tests need Group writes, which are 501 here (see above).
 */
describe("Microsoft Entra ID validation: direct SCIM tests", () => {
  const call = (method: string, path: string, body?: unknown) =>
    scimRequest(app.origin, app.prepared.microsoft, method, path, body);
  let id: string;

  it("Schema_Discoverability_Test: the attributes Entra maps are discoverable", async () => {
    const a = await call("GET", "/Schemas");
    expect(a.status).toBe(200);
    const names = new Set<string>();
    for (const schema of a.body.Resources)
      for (const attr of schema.attributes) {
        names.add(attr.name.toLowerCase());
        for (const sub of attr.subAttributes ?? []) names.add(`${attr.name}.${sub.name}`.toLowerCase());
      }
    for (const mapped of [
      "userName",
      "externalId",
      "name.givenName",
      "name.familyName",
      "displayName",
      "title",
      "emails.value",
      "emails.type",
      "active",
      "members",
    ])
      expect(names).toContain(mapped.toLowerCase());
  });

  it("SCIM_User_Create_Test: POST /Users round-trips userName", async () => {
    const a = await call("POST", "/Users", {
      schemas: [SCIM_CORE, ENTERPRISE],
      externalId: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
      userName: "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee",
      active: true,
      emails: [{ primary: true, type: "work", value: "Test_User_11bb11bb@globex.test" }],
      meta: { resourceType: "User" },
      name: { formatted: "givenName familyName", familyName: "familyName", givenName: "givenName" },
      roles: [],
    });
    expect([200, 201]).toContain(a.status);
    expect(a.body.id).toBeTruthy();
    expect(a.body.userName).toBe("Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee");
    id = a.body.id;
  });

  it("SCIM_User_Update_Test: PATCHed single-valued attributes read back", async () => {
    const values = {
      userName: "Test_User_updated_5b50642d@globex.test",
      externalId: "aa1eca08-7179-4eeb-a0be-a519f7e5cd1a",
      title: "Updated title",
      "name.givenName": "updatedGivenName",
      "name.familyName": "updatedFamilyName",
    };
    const a = await call("PATCH", `/Users/${id}`, {
      schemas: [SCIM_PATCH_OP],
      Operations: Object.entries(values).map(([path, value]) => ({ op: "Replace", path, value })),
    });
    expect([200, 204]).toContain(a.status);
    const read = await call("GET", `/Users/${id}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      userName: values.userName,
      externalId: values.externalId,
      title: values.title,
      name: { givenName: values["name.givenName"], familyName: values["name.familyName"] },
    });
  });

  it("SCIM_Null_Update_Test: empty strings, then nulls, clear the optional attributes", async () => {
    for (const value of ["", null]) {
      const a = await call("PATCH", `/Users/${id}`, {
        schemas: [SCIM_PATCH_OP],
        Operations: [
          { op: "Replace", path: "title", value },
          { op: "Replace", path: "externalId", value },
        ],
      });
      expect([200, 204]).toContain(a.status);
      const read = await call("GET", `/Users/${id}`);
      expect(read.status).toBe(200);
      expect(read.body.title ?? "").toBe("");
      expect(read.body.externalId ?? "").toBe("");
    }
  });

  /**
   * Disable_User_Test: accountEnabled set false in Entra, then true again. What
   * the provisioning engine sends is in "Known issues and resolutions with SCIM
   * 2.0 protocol compliance" (MicrosoftDocs/entra-docs, docs/identity/app-provisioning/
   * application-provisioning-config-problem-scim-compatibility.md, "Requests made to
   * disable users"): by default `"op": "Replace"` with the string "False"; with the
   * SCIM-compliant flag (aadOptscim062020) `"op": "replace"` with the boolean. Both are sent.
   */
  it(
    'Disable_User_Test: active "False", then "True"; active false, then true',
    async () => {
      const before = await stored(id);
      expect(before.status).toBe("pending");
      const active = (op: string, value: unknown) =>
        call("PATCH", `/Users/${id}`, {
          schemas: [SCIM_PATCH_OP],
          Operations: [{ op, path: "active", value }],
        });
      for (const [op, off, on] of [
        ["Replace", "False", "True"],
        ["replace", false, true],
      ] as const) {
        const disabled = await active(op, off);
        expect([200, 204]).toContain(disabled.status);
        const read = await call("GET", `/Users/${id}`);
        expect(read.status).toBe(200);
        expect(read.body.active).toBe(false);
        expect(await stored(id)).toEqual({ status: "suspended", seats: before.seats - 1 });

        const enabled = await active(op, on);
        expect([200, 204]).toContain(enabled.status);
        expect((await call("GET", `/Users/${id}`)).body.active).toBe(true);
      }
      expect(await stored(id)).toEqual(before);
    },
    WITH_DB,
  );

  it("SCIM_User_Pagination_Test: at least 11 users, pages of 5 from startIndex page * 5 + 1", async () => {
    const made: string[] = [];
    const total = (await call("GET", "/Users?count=0")).body.totalResults;
    for (let i = total; i < 11; i++) {
      const a = await call("POST", "/Users", {
        schemas: [SCIM_CORE],
        userName: `pagination.${i}@globex.test`,
        name: { givenName: "Page", familyName: `User ${i}` },
      });
      isCreated(a);
      made.push(a.body.id);
    }
    const seen = new Set<string>();
    for (let page = 0; page < 3; page++) {
      const a = await call("GET", `/Users?startIndex=${page * 5 + 1}&count=5`);
      expect(a.status).toBe(200);
      expect(a.body.startIndex).toBe(page * 5 + 1);
      for (const r of a.body.Resources) {
        expect(seen.has(r.id)).toBe(false);
        seen.add(r.id);
      }
    }
    expect(seen.size).toBe(Math.min(15, Math.max(total, 11)));
    for (const madeId of made) expect((await call("DELETE", `/Users/${madeId}`)).status).toBe(204);
    expect((await call("DELETE", `/Users/${id}`)).status).toBe(204);
  });
});
