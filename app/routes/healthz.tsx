import { sql } from "kysely";
import { getDb } from "~/db.server";

const text = (body: string, status: number) =>
  new Response(body, { status, headers: { "Content-Type": "text/plain", "Cache-Control": "no-store" } });

/** For load balancers and test runners: 200 once the database answers, 503 while it does not. */
export async function loader() {
  try {
    await sql`select 1`.execute(await getDb());
  } catch {
    return text("database unavailable\n", 503);
  }
  return text("ok\n", 200);
}
