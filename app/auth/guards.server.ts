/**
 * The guards: what a loader or action calls first. Signed in, or off to sign
 * in; an admin acting as themselves, or refused (403) or sent back to the
 * proxied settings; the policy asked for the flows it decides (a refusal is a
 * 403 with its reason). And the answer for anything out of scope: a 404 that
 * reads the same whether the id does not exist or is not yours, since ids
 * from a request are never trusted.
 */
import { data, redirect, type createContext } from "react-router";
import { actorContext, type Actor } from "./actor.server.ts";
import {
  mayManageProvisioning,
  mayManageSecurity,
  mayTransferLicenses,
  mayTransferUsers,
  type Decision,
} from "./policy.server.ts";
import { flashCookie } from "./flash.server.ts";
import { parseId } from "../input.ts";

interface ContextLike {
  get<T>(key: ReturnType<typeof createContext<T>>): T;
}

/** Signed in, or off to the sign-in page (coming back here afterwards). */
export function requireActor(context: ContextLike, request: Request): Actor {
  const actor = context.get(actorContext);
  if (!actor) {
    const url = new URL(request.url);
    const back = url.pathname + url.search;
    throw redirect(back === "/" ? "/login" : `/login?redirectTo=${encodeURIComponent(back)}`);
  }
  return actor;
}

/**
 * A Company Admin or an Office Admin, acting as themselves. While proxying,
 * the admin console is out of reach: back to the proxied user's settings.
 */
export function requireAdmin(context: ContextLike, request: Request): Actor {
  const actor = requireActor(context, request);
  if (actor.proxy) {
    const name = `${actor.person.firstName} ${actor.person.lastName}`;
    throw redirect("/settings", {
      headers: {
        "Set-Cookie": flashCookie(
          request,
          `Admin pages are not available while you proxy as ${name}. Select Back in the red banner to return to your own account.`,
        ),
      },
    });
  }
  if (!actor.isAdmin) {
    throw data({ message: "Office > Users is for Company Admins and Office Admins." }, { status: 403 });
  }
  return actor;
}

/** Where a signed-in person lands: admins on Office > Users, everyone else on their settings. */
export const homeFor = (actor: Pick<Actor, "isAdmin" | "proxy">) =>
  actor.isAdmin && !actor.proxy ? "/users" : "/settings";

/** A 404 that reads the same whether the id does not exist or is not yours. */
export function notFound(what = "This page"): never {
  throw data({ message: `${what} does not exist, or you do not have access to it.` }, { status: 404 });
}

/** A numeric id from the URL; anything else is the same 404 as an id out of scope. */
export function idParam(raw: string | undefined, what: string): number {
  return parseId(raw) ?? notFound(what);
}

/** Company Settings > Licenses: Company Admins, and Office Admins for their own offices (read-only). */
export function requireLicenseViewer(context: ContextLike, request: Request): Actor {
  const actor = requireActor(context, request);
  if (!actor.isAdmin || actor.proxy) {
    throw data(
      { message: "Company Settings > Licenses is for Company Admins and Office Admins." },
      { status: 403 },
    );
  }
  return actor;
}

/** A refused decision is a 403 with its reason. */
function allowedOr403(decision: Decision) {
  if (!decision.ok) throw data({ message: decision.reason }, { status: 403 });
}

/** Transfer Licenses: see mayTransferLicenses. */
export function requireLicenseTransfer(context: ContextLike, request: Request): Actor {
  const actor = requireLicenseViewer(context, request);
  allowedOr403(mayTransferLicenses(actor));
  return actor;
}

/** Transfer user and Transfer users: see mayTransferUsers. */
export function requireUserTransfer(context: ContextLike, request: Request): Actor {
  const actor = requireAdmin(context, request);
  allowedOr403(mayTransferUsers(actor));
  return actor;
}

/** Company Settings › Provisioning: see mayManageProvisioning. */
export function requireProvisioningAdmin(context: ContextLike, request: Request): Actor {
  const actor = requireActor(context, request);
  allowedOr403(mayManageProvisioning(actor));
  return actor;
}

/** Company Settings › Security: see mayManageSecurity. */
export function requireSecurityAdmin(context: ContextLike, request: Request): Actor {
  const actor = requireActor(context, request);
  allowedOr403(mayManageSecurity(actor));
  return actor;
}
