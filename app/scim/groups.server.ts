/**
 * The SCIM service's Groups (RFC 7643 §4.2), read only: the company's
 * departments and call centers with their members (users SCIM sees: pending
 * or active). Switchboard's groups are made and staffed in Switchboard, so
 * POST, PUT, PATCH and DELETE are 501 (scim.groups.tsx, scim.group.tsx), and
 * ServiceProviderConfig and ResourceTypes say Groups are read only.
 */
import { sql, type Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import { GROUP_FILTER, filterSql } from "./filter.server.ts";
import { attributeSelection, listResponse, notFound, paging, ScimError } from "./http.server.ts";
import { parseId } from "../input.ts";
import type { ScimCall } from "./actor.server.ts";

export const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";

/** Groups are changed in Switchboard only: the answer to any write. */
export const groupsReadOnly = () =>
  new ScimError(
    501,
    "Groups are read only over SCIM: departments and call centers are managed in Switchboard.",
  );

function groupsQuery(db: Kysely<Database>, companyId: number) {
  return db
    .selectFrom("groups as g")
    .where("g.company_id", "=", companyId)
    .where("g.kind", "in", ["department", "call_center"]);
}

async function rows(q: ReturnType<typeof groupsQuery>, baseUrl: string) {
  const found = await q
    .select([
      "g.id",
      "g.name",
      "g.created_at",
      // The members in one query with their groups, in id order.
      (eb) =>
        eb
          .selectFrom("group_members as m")
          .innerJoin("users as u", "u.id", "m.user_id")
          .whereRef("m.group_id", "=", "g.id")
          .where("u.status", "in", ["active", "pending"])
          .select(
            sql<
              { id: number; display: string }[]
            >`coalesce(json_agg(json_build_object('id', u.id, 'display', u.first_name || ' ' || u.last_name) order by u.id), '[]')`.as(
              "m",
            ),
          )
          .as("members"),
    ])
    .execute();
  return found.map((g) => ({
    schemas: [GROUP_SCHEMA],
    id: String(g.id),
    displayName: g.name,
    members: (g.members ?? []).map((m) => ({
      value: String(m.id),
      display: m.display,
      type: "User",
      $ref: `${baseUrl}/Users/${m.id}`,
    })),
    meta: {
      resourceType: "Group",
      created: new Date(g.created_at).toISOString(),
      lastModified: new Date(g.created_at).toISOString(),
      location: `${baseUrl}/Groups/${g.id}`,
    },
  }));
}

export type ScimGroup = Awaited<ReturnType<typeof rows>>[number];

export async function listGroups({ db, actor, baseUrl }: ScimCall, params: URLSearchParams) {
  const { startIndex, count } = paging(params);
  const select = attributeSelection(params);
  const filter = params.get("filter");
  let q = groupsQuery(db, actor.company.id);
  if (filter !== null && filter.trim() !== "") q = q.where(filterSql(filter, actor.company.id, GROUP_FILTER));
  const [{ total }] = (await q.select((eb) => eb.fn.countAll<number>().as("total")).execute()) as [
    { total: number },
  ];
  const page =
    count === 0
      ? []
      : await rows(
          q
            .orderBy("g.id")
            .offset(startIndex - 1)
            .limit(count),
          baseUrl,
        );
  return listResponse(Number(total), startIndex, page.map(select));
}

/** A department or call center of the token's company; a malformed, unknown or foreign id is 404. */
export async function getGroup(
  { db, actor, baseUrl }: ScimCall,
  rawId: string,
  params = new URLSearchParams(),
) {
  const select = attributeSelection(params);
  const id = parseId(rawId);
  if (id === null) throw notFound("Group");
  const [found] = await rows(groupsQuery(db, actor.company.id).where("g.id", "=", id), baseUrl);
  if (!found) throw notFound("Group");
  return select(found);
}
