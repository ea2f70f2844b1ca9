/**
 * Options beside each user: every row of Active or Pending Users carries the
 * Options menu of the user's page (userMenu), decided from the list's one
 * statement, never a query per row.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, type TestDatabase } from "../support/db.ts";
import { actorFor } from "../support/actors.ts";
import { seedDemo } from "../../db/seed/demo.ts";
import { listUsers } from "../../app/users/list.server.ts";
import { readListParams } from "../../app/users/list-params.ts";
import { getUserProfile } from "../../app/users/profile.server.ts";
import { userMenu } from "../../app/users/menu.server.ts";

let t: TestDatabase;
let statements: string[] = [];
beforeAll(async () => {
  t = await freshDatabase({ log: (e) => void statements.push(e.query.sql) });
  await seedDemo(t.db, new Date());
});
afterAll(() => t.close());

const params = (query: string) => readListParams(new URL(`http://x/users?${query}`)).params;

describe("Options beside each user", () => {
  it("each row's menu is the user page's, from the list's page statement", async () => {
    for (const email of ["ada@acme.test", "oscar@acme.test", "olive@acme.test"]) {
      const actor = await actorFor(t.db, email);
      statements = [];
      const { users } = await listUsers(t.db, actor, params(""));
      // The page and its total (countUsers): no statement per row or per menu.
      expect(statements, email).toHaveLength(2);
      expect(users.length).toBeGreaterThan(5);
      for (const row of users) {
        const profile = (await getUserProfile(t.db, actor, row.id))!;
        expect(row.menu, `${email} about ${row.name}`).toEqual(userMenu(actor, profile));
      }
    }
  });

  it("says why an item is not this admin's, beside it", async () => {
    const oscar = await actorFor(t.db, "oscar@acme.test");
    const { users } = await listUsers(t.db, oscar, params("q=rosa"));
    expect(users[0]!.menu).toMatchObject({
      name: "Rosa Delgado",
      invite: "none", // pending, no invite sent yet: Resend invite is offered
      proxyLogin: "Rosa Delgado has not signed in yet: only active users can be proxied into.",
      proxyAccess: null, // Company Admins only
      transfer: "Only Company Admins transfer users between offices.",
      edit: null,
    });
  });
});
