import { redirect } from "react-router";
import type { Route } from "./+types/user.resend-invite";
import { getDb } from "~/db.server";
import { now } from "~/clock.server";
import { notFound, requireAdmin, idParam } from "~/auth/actor.server";
import { flashCookie } from "~/auth/flash.server";
import { getUserProfile } from "~/users/profile.server";
import { resendInvite } from "~/users/invite.server";

// Options > Admin > Resend invite is a POST; a GET here changes nothing.
export async function loader({ params }: Route.LoaderArgs) {
  throw redirect(`/users/${params.userId}`);
}

export async function action({ request, context, params }: Route.ActionArgs) {
  const actor = requireAdmin(context, request);
  const id = idParam(params.userId, "This user");
  const db = await getDb();
  const user = await getUserProfile(db, actor, id);
  if (!user) notFound("This user");
  if (user.status !== "pending") {
    throw redirect(`/users/${id}`, { headers: { "Set-Cookie": flashCookie(request, `${user.name} has already signed in: no invite to resend.`) } });
  }
  await resendInvite(db, actor, { id, name: user.name, email: user.email, officeId: user.officeId }, new URL(request.url).origin, now(request));
  throw redirect(`/users/${id}`, {
    headers: { "Set-Cookie": flashCookie(request, `A new invite is on its way to ${user.email}. The old link no longer works.`) },
  });
}
