/**
 * Company Settings › Provisioning: Company Admins, on any plan, acting as
 * themselves (not while proxying, like Company Settings › Licenses). The
 * tokens made there act for the whole company, so an Office Admin may not.
 */
import { data } from "react-router";
import { requireActor, type Actor } from "./actor.server.ts";

type ContextLike = Parameters<typeof requireActor>[0];

export function requireProvisioningAdmin(context: ContextLike, request: Request): Actor {
  const actor = requireActor(context, request);
  if (!actor.person.isCompanyAdmin || actor.proxy) {
    throw data(
      { message: "Company Settings › Provisioning is for Company Admins, signed in as themselves." },
      { status: 403 },
    );
  }
  return actor;
}
