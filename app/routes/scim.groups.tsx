import type { Route } from "./+types/scim.groups";
import { scimCall } from "~/scim/actor.server";
import { scimHandler, scimJson } from "~/scim/http.server";
import { groupsReadOnly, listGroups } from "~/scim/groups.server";

// GET /scim/v2/Groups: the company's departments and call centers, with filter and paging.
export async function loader({ request, context }: Route.LoaderArgs) {
  return scimHandler(async () =>
    scimJson(await listGroups(await scimCall(request, context), new URL(request.url).searchParams)),
  );
}

// Groups are read only (501), once the token is known good.
export async function action({ request, context }: Route.ActionArgs) {
  return scimHandler(async () => {
    await scimCall(request, context);
    throw groupsReadOnly();
  });
}
