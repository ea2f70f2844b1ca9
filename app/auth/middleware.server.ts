/**
 * Runs before every loader and action (root middleware): refuses forged
 * POSTs, and resolves the signed-in actor from the session cookie.
 */
import { createContext, data, redirect, type MiddlewareFunction } from "react-router";
import { getDb } from "../db.server.ts";
import { now } from "../clock.server.ts";
import { actorContext, loadActor } from "./actor.server.ts";
import { homeFor } from "./guards.server.ts";
import { endRefusedProxy } from "../proxy/session.server.ts";
import { csrfTokenFor, isForgedPost } from "./csrf.server.ts";
import { clientIp } from "./cookies.server.ts";
import { sessionIdFrom } from "./session.server.ts";
import { clearFlashIfShown, flashCookie } from "./flash.server.ts";
import { isScimPath } from "../scim/http.server.ts";

export const csrfContext = createContext<string>("");

export const authMiddleware: MiddlewareFunction<Response> = async ({ request, context }, next) => {
  // The SCIM service authenticates each request by its bearer token, never by a cookie:
  // nothing for a forger to ride on, and no session to load (app/scim/actor.server.ts).
  if (isScimPath(request)) return next();
  if (request.method !== "GET" && request.method !== "HEAD" && (await isForgedPost(request))) {
    throw data(
      {
        message:
          "This form was sent from another site, or its page is too old. Go back, reload the page, and try again.",
      },
      { status: 403 },
    );
  }
  const csrf = csrfTokenFor(request);
  context.set(csrfContext, csrf.token);

  const sessionId = sessionIdFrom(request);
  if (sessionId) {
    const db = await getDb();
    const at = now(request);
    const actor = await loadActor(db, clientIp(request, context), sessionId, at);
    if (actor?.endedProxy) {
      // The proxy may not go on: end it, and take the admin back to their own
      // account before anything of this request (a form meant for the proxied
      // user's account, say) is applied to it.
      const ended = actor.endedProxy;
      await endRefusedProxy(db, actor, ended, at);
      const { target } = ended;
      const canSee =
        actor.isAdmin &&
        target.status !== "deleted" &&
        (actor.person.isCompanyAdmin || actor.adminOfficeIds.includes(target.officeId));
      throw redirect(canSee ? `/users/${target.id}` : homeFor(actor), {
        headers: { "Set-Cookie": flashCookie(request, ended.message) },
      });
    }
    context.set(actorContext, actor);
  }

  const response = await next();
  if (csrf.setCookie) response.headers.append("Set-Cookie", csrf.setCookie);
  // Only a page that rendered the message may clear it: not a redirect, not a data request of a fetcher.
  if (response.status < 300) clearFlashIfShown(request, response);
  return response;
};
