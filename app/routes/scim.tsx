import type { Route } from "./+types/scim";
import { getDb } from "~/db.server";
import { now } from "~/clock.server";
import { clientIp } from "~/auth/cookies.server";
import { scimActor } from "~/scim/actor.server";
import { discovery } from "~/scim/discovery";
import { notFound, scimBaseUrl, ScimError, scimHandler, scimJson } from "~/scim/http.server";

// /scim/v2/ServiceProviderConfig, /ResourceTypes, /Schemas (read only), and SCIM's 404 for any other path.
export async function loader({ request, context, params }: Route.LoaderArgs) {
  return scimHandler(async () => {
    await scimActor(await getDb(), request, clientIp(request, context), now(request));
    const doc = discovery(params["*"] ?? "", scimBaseUrl(request));
    if (doc === null) throw notFound();
    return scimJson(doc);
  });
}

export async function action({ request, context, params }: Route.ActionArgs) {
  return scimHandler(async () => {
    await scimActor(await getDb(), request, clientIp(request, context), now(request));
    if (discovery(params["*"] ?? "", scimBaseUrl(request)) === null) throw notFound();
    throw new ScimError(405, `${request.method} is not supported here: this resource is read only.`);
  });
}
