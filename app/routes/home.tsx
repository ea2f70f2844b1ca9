import { redirect } from "react-router";
import type { Route } from "./+types/home";
import { homeFor, requireActor } from "~/auth/guards.server";

export async function loader({ request, context }: Route.LoaderArgs) {
  throw redirect(homeFor(requireActor(context, request)));
}
