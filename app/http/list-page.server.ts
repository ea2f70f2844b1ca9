/**
 * The loader every filtered list page shares (Active or Pending Users, Reserved
 * Numbers): the admin, the list's state from the URL, its page of rows and the
 * offices its office filter offers. A refused search is shown as typed, with
 * its message beside the box, and answered with 400; the list ignores it.
 */
import type { Kysely } from "kysely";
import { data } from "react-router";
import type { Database } from "../../db/schema.ts";
import { getDb } from "~/db.server";
import type { Actor } from "~/auth/actor.server";
import { requireAdmin } from "~/auth/guards.server";
import { officesInScope } from "~/auth/scopes.server";

export async function adminList<P, R extends object>(
  context: Parameters<typeof requireAdmin>[0],
  request: Request,
  read: (url: URL) => { params: P; error: string[] | null; typed: string },
  list: (db: Kysely<Database>, actor: Actor, params: P) => Promise<R>,
) {
  const actor = requireAdmin(context, request);
  const db = await getDb();
  const { params, error, typed } = read(new URL(request.url));
  const [result, offices] = await Promise.all([list(db, actor, params), officesInScope(db, actor)]);
  return data(
    {
      ...result,
      params,
      search: { typed, error },
      offices: offices.map((o) => ({ id: o.id, name: o.name })),
    },
    { status: error ? 400 : 200 },
  );
}
