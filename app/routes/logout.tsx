import { redirect } from "react-router";
import type { Route } from "./+types/logout";
import { getDb } from "~/db.server";
import { destroySession } from "~/auth/session.server";
import { actorContext } from "~/auth/actor.server";
import { now } from "~/clock.server";
import { endProxy } from "~/proxy/session.server";

// Signing out is a POST (the root middleware checks its anti-forgery token);
// a GET here changes nothing.
export async function loader() {
  throw redirect("/");
}

export async function action({ request, context }: Route.ActionArgs) {
  const db = await getDb();
  // Signing out while proxying ends the proxy session too, with its audit entry.
  const actor = context.get(actorContext);
  if (actor?.proxy) await endProxy(db, actor, "signed_out", now(request));
  const cookie = await destroySession(db, request);
  throw redirect("/login", { headers: { "Set-Cookie": cookie } });
}
