import type { Route } from "./+types/scim.user";
import { getDb } from "~/db.server";
import { now } from "~/clock.server";
import { clientIp } from "~/auth/cookies.server";
import { scimActor } from "~/scim/actor.server";
import { readJsonBody, scimBaseUrl, ScimError, scimHandler, scimJson } from "~/scim/http.server";
import { deleteUser, getUser, patchUser, replaceUser } from "~/scim/users.server";

// GET /scim/v2/Users/{id}
export async function loader({ request, context, params }: Route.LoaderArgs) {
  return scimHandler(async () => {
    const db = await getDb();
    const actor = await scimActor(db, request, clientIp(request, context), now(request));
    return scimJson(await getUser(db, actor, params.userId, scimBaseUrl(request)));
  });
}

// PUT (whole replace), PATCH, DELETE /scim/v2/Users/{id}
export async function action({ request, context, params }: Route.ActionArgs) {
  return scimHandler(async () => {
    const db = await getDb();
    const at = now(request);
    const actor = await scimActor(db, request, clientIp(request, context), at);
    const baseUrl = scimBaseUrl(request);
    const origin = new URL(request.url).origin;
    switch (request.method) {
      case "PUT":
        return scimJson(
          await replaceUser(db, actor, params.userId, await readJsonBody(request), origin, baseUrl, at),
        );
      case "PATCH":
        return scimJson(
          await patchUser(db, actor, params.userId, await readJsonBody(request), origin, baseUrl, at),
        );
      case "DELETE":
        await deleteUser(db, actor, params.userId, at);
        return new Response(null, { status: 204 });
      default:
        throw new ScimError(405, `${request.method} is not supported on a user.`);
    }
  });
}
