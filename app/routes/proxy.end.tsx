import { redirect } from "react-router";
import type { Route } from "./+types/proxy.end";
import { getDb } from "~/db.server";
import { now } from "~/clock.server";
import { homeFor, requireActor } from "~/auth/guards.server";
import { flashCookie } from "~/auth/flash.server";
import { endProxy } from "~/proxy/session.server";

// Back (the red banner's button) is a POST; a GET here changes nothing.
export async function loader({ request, context }: Route.LoaderArgs) {
  throw redirect(homeFor(requireActor(context, request)));
}

export async function action({ request, context }: Route.ActionArgs) {
  const actor = requireActor(context, request);
  const ended = await endProxy(await getDb(), actor, "back", now(request));
  if (!ended) throw redirect(homeFor(actor));
  throw redirect(`/users/${ended.userId}`, {
    headers: {
      "Set-Cookie": flashCookie(
        request,
        `Your proxy login as ${ended.name} has ended. You are back in your own account.`,
      ),
    },
  });
}
