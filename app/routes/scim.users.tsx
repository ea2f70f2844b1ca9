import type { Route } from "./+types/scim.users";
import { scimCall } from "~/scim/actor.server";
import { readJsonBody, ScimError, scimHandler, scimJson } from "~/scim/http.server";
import { createUser, listUsers } from "~/scim/users.server";

// GET /scim/v2/Users: the list, with filter and paging.
export async function loader({ request, context }: Route.LoaderArgs) {
  return scimHandler(async () =>
    scimJson(await listUsers(await scimCall(request, context), new URL(request.url).searchParams)),
  );
}

// POST /scim/v2/Users: a new user, as Add User adds one.
export async function action({ request, context }: Route.ActionArgs) {
  return scimHandler(async () => {
    const call = await scimCall(request, context);
    if (request.method !== "POST") throw new ScimError(405, `${request.method} is not supported on /Users.`);
    const user = await createUser(call, await readJsonBody(request));
    return scimJson(user, 201, { Location: user.meta.location });
  });
}
