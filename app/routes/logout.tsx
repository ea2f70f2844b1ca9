import { redirect } from "react-router";
import type { Route } from "./+types/logout";
import { getDb } from "~/db.server";
import { destroySession } from "~/auth/session.server";

// Signing out is a POST (the root middleware checks its anti-forgery token);
// a GET here changes nothing.
export async function loader() {
  throw redirect("/");
}

export async function action({ request }: Route.ActionArgs) {
  const cookie = await destroySession(await getDb(), request);
  throw redirect("/login", { headers: { "Set-Cookie": cookie } });
}
