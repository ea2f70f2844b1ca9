import type { Route } from "./+types/scim";
import { scimCall } from "~/scim/actor.server";
import { discovery } from "~/scim/discovery";
import { notFound, ScimError, scimHandler, scimJson } from "~/scim/http.server";

// /scim/v2/ServiceProviderConfig, /ResourceTypes, /Schemas (read only), and SCIM's 404 for any other path.
export async function loader({ request, context, params }: Route.LoaderArgs) {
  return scimHandler(async () => {
    const { baseUrl } = await scimCall(request, context);
    const doc = discovery(params["*"] ?? "", baseUrl);
    if (doc === null) throw notFound();
    return scimJson(doc);
  });
}

export async function action({ request, context, params }: Route.ActionArgs) {
  return scimHandler(async () => {
    const { baseUrl } = await scimCall(request, context);
    if (discovery(params["*"] ?? "", baseUrl) === null) throw notFound();
    throw new ScimError(405, `${request.method} is not supported here: this resource is read only.`);
  });
}
