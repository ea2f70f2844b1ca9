/**
 * The SCIM service at scale: a provisioning token for Acme in the bench
 * database, real userNames to look up (the identity providers' existence
 * check before every create), and the query plans of that lookup, from the
 * service's own code (app/scim/users.server.ts), as plans.ts does for /users.
 */
import { sql, type CompiledQuery } from "kysely";
import pg from "pg";
import { openDatabase } from "../../db/connect.ts";
import { ACME } from "../../db/seed/demo.ts";
import { scimActor } from "../../app/scim/actor.server.ts";
import { listUsers } from "../../app/scim/users.server.ts";
import { provisioningToken } from "../../tests/support/scim-client.ts";
import { explain, type Plan } from "./plans.ts";

/** How many users the PATCH scenario takes turns on: a multiple of any concurrency up to 10, so workers never share one. */
const PATCHABLE = 5_000;

/**
 * A new token for Acme, made as Ada makes one, and two userNames to look up:
 * one the identity provider gave (a scim_identities row) and one it did not
 * (the user's email); and provisioned users to suspend and reactivate. Half of Acme's users are given an identity first, once,
 * as if the company had provisioned them and added the others in the console.
 */
export async function prepareScim(
  url: string,
  adminEmail: string,
): Promise<{ token: string; provisioned: string; added: string; patchable: number[] }> {
  const handle = await openDatabase({ url });
  try {
    const { db } = handle;
    const { token } = await provisioningToken(db, adminEmail, "Bench");
    const acme = db.selectFrom("companies").select("id").where("name", "=", ACME);
    await db
      .insertInto("scim_identities")
      .columns(["user_id", "company_id", "user_name", "updated_at"])
      .expression((eb) =>
        eb
          .selectFrom("users as u")
          .select(["u.id", "u.company_id", "u.email", "u.created_at"])
          .where("u.company_id", "=", acme)
          .where("u.status", "<>", "deleted")
          .where(sql<boolean>`u.id % 2 = 0`),
      )
      // Not an anti-join on scim_identities: planned on the empty table's statistics as a nested loop, it
      // read every row inserted so far for each new one (a quarter of the 500,000 identities of a million users in 6 minutes).
      .onConflict((oc) => oc.column("user_id").doNothing())
      .execute();
    await sql`analyze scim_identities`.execute(db);
    const latest = (provisioned: boolean) =>
      db
        .selectFrom("users as u")
        .leftJoin("scim_identities as si", "si.user_id", "u.id")
        .select((eb) => eb.fn.coalesce("si.user_name", "u.email").as("user_name"))
        .where("u.company_id", "=", acme)
        .where("u.status", "<>", "deleted")
        .where("si.user_id", provisioned ? "is not" : "is", null)
        .orderBy("u.id", "desc")
        .limit(1)
        .executeTakeFirstOrThrow();
    // Provisioned users the PATCH scenario suspends and reactivates: no admins, whose suspension has rules of its own.
    const patchable = await db
      .selectFrom("users as u")
      .innerJoin("scim_identities as si", "si.user_id", "u.id")
      .select("u.id")
      .where("u.company_id", "=", acme)
      .where("u.status", "in", ["active", "pending"])
      .where("u.is_company_admin", "=", false)
      .orderBy("u.id", "desc")
      .limit(PATCHABLE)
      .execute();
    return {
      token,
      provisioned: (await latest(true)).user_name!,
      added: (await latest(false)).user_name!,
      patchable: patchable.map((u) => u.id),
    };
  } finally {
    await handle.close();
  }
}

/**
 * Explains, with ANALYZE and BUFFERS, each statement the SCIM list sends for
 * each path (its count and its page), as the token `token`.
 */
export async function explainScimList(url: string, token: string, paths: string[]): Promise<Plan[]> {
  let sent: CompiledQuery[] = [];
  const handle = await openDatabase({
    url,
    log: (event) => {
      if (event.level === "query") sent.push(event.query);
    },
  });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const request = new Request("http://localhost/scim/v2/Users", {
      headers: { Authorization: `Bearer ${token}` },
    });
    const actor = await scimActor(handle.db, request, null, new Date());
    const plans: Plan[] = [];
    for (const path of paths) {
      sent = [];
      const { searchParams } = new URL(path, "http://localhost");
      const call = {
        db: handle.db,
        actor,
        origin: "http://localhost",
        baseUrl: "http://localhost/scim/v2",
        now: new Date(),
      };
      await listUsers(call, searchParams);
      if (sent.length === 0) throw new Error(`The SCIM list sent no query for ${path}.`);
      for (const query of sent) plans.push(await explain(client, path, query));
    }
    return plans;
  } finally {
    await client.end();
    await handle.close();
  }
}
