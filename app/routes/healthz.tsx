import { sql } from "kysely";
import { getDb } from "~/db.server";

/** For load balancers and test runners: 200 once the database answers. */
export async function loader() {
  await sql`select 1`.execute(await getDb());
  return new Response("ok\n", { headers: { "Content-Type": "text/plain", "Cache-Control": "no-store" } });
}
