import type { Route } from "./+types/scim.user";
import { scimCall } from "~/scim/actor.server";
import { readJsonBody, ScimError, scimHandler, scimJson } from "~/scim/http.server";
import { deleteUser, getUser, patchUser, replaceUser } from "~/scim/users.server";

// GET /scim/v2/Users/{id}
export async function loader({ request, context, params }: Route.LoaderArgs) {
  return scimHandler(async () =>
    scimJson(
      await getUser(await scimCall(request, context), params.userId, new URL(request.url).searchParams),
    ),
  );
}

// PUT (whole replace), PATCH, DELETE /scim/v2/Users/{id}
export async function action({ request, context, params }: Route.ActionArgs) {
  return scimHandler(async () => {
    const call = await scimCall(request, context);
    switch (request.method) {
      case "PUT":
        return scimJson(await replaceUser(call, params.userId, await readJsonBody(request)));
      case "PATCH":
        return scimJson(await patchUser(call, params.userId, await readJsonBody(request)));
      case "DELETE":
        await deleteUser(call, params.userId);
        return new Response(null, { status: 204 });
      default:
        throw new ScimError(405, `${request.method} is not supported on a user.`);
    }
  });
}
