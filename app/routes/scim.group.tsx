import type { Route } from "./+types/scim.group";
import { scimCall } from "~/scim/actor.server";
import { scimHandler, scimJson } from "~/scim/http.server";
import { getGroup, groupsReadOnly } from "~/scim/groups.server";

// GET /scim/v2/Groups/{id}
export async function loader({ request, context, params }: Route.LoaderArgs) {
  return scimHandler(async () =>
    scimJson(
      await getGroup(await scimCall(request, context), params.groupId, new URL(request.url).searchParams),
    ),
  );
}

// PUT, PATCH, DELETE: groups are read only (501), once the token is known good.
export async function action({ request, context }: Route.ActionArgs) {
  return scimHandler(async () => {
    await scimCall(request, context);
    throw groupsReadOnly();
  });
}
