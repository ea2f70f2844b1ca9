import type { Route } from "./+types/scim.users";
import { getDb } from "~/db.server";
import { now } from "~/clock.server";
import { clientIp } from "~/auth/cookies.server";
import { scimActor } from "~/scim/actor.server";
import { readJsonBody, scimBaseUrl, ScimError, scimHandler, scimJson } from "~/scim/http.server";
import { createUser, listUsers } from "~/scim/users.server";

// GET /scim/v2/Users: the list, with filter and paging.
export async function loader({ request, context }: Route.LoaderArgs) {
  return scimHandler(async () => {
    const db = await getDb();
    const actor = await scimActor(db, request, clientIp(request, context), now(request));
    return scimJson(await listUsers(db, actor, new URL(request.url).searchParams, scimBaseUrl(request)));
  });
}

// POST /scim/v2/Users: a new user, as Add User adds one.
export async function action({ request, context }: Route.ActionArgs) {
  return scimHandler(async () => {
    const db = await getDb();
    const at = now(request);
    const actor = await scimActor(db, request, clientIp(request, context), at);
    if (request.method !== "POST") throw new ScimError(405, `${request.method} is not supported on /Users.`);
    const baseUrl = scimBaseUrl(request);
    const user = await createUser(
      db,
      actor,
      await readJsonBody(request),
      new URL(request.url).origin,
      baseUrl,
      at,
    );
    return scimJson(user, 201, { Location: user.meta.location });
  });
}
