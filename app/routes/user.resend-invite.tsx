import { data, redirect } from "react-router";
import type { Route } from "./+types/user.resend-invite";
import { getDb } from "~/db.server";
import { now } from "~/clock.server";
import { idParam, notFound, requireAdmin } from "~/auth/guards.server";
import { flashCookie } from "~/auth/flash.server";
import { getUserProfile } from "~/users/profile.server";
import { resendInvite } from "~/users/invite.server";
import { parseId } from "~/input";

// Options > Admin > Resend invite is a POST; a GET here changes nothing. The id goes back
// encoded, as it came: a Location header cannot hold a control or non-Latin-1 character.
export async function loader({ params }: Route.LoaderArgs) {
  throw redirect(`/users/${encodeURIComponent(params.userId)}`);
}

export async function action({ request, context, params }: Route.ActionArgs) {
  const actor = requireAdmin(context, request);
  const id = idParam(params.userId, "This user");
  const db = await getDb();
  const user = await getUserProfile(db, actor, id);
  if (!user) notFound("This user");
  if (user.status !== "pending") {
    throw redirect(`/users/${id}`, {
      headers: {
        "Set-Cookie": flashCookie(request, `${user.name} has already signed in: no invite to resend.`),
      },
    });
  }
  // The live invite the page showed ("none" when it showed none); anything else is not a page of ours.
  const shown = (await request.formData()).get("invite");
  const inviteId = parseId(shown);
  if (shown !== "none" && inviteId === null)
    throw data("This Resend invite button is out of date. Open the user's page again.", { status: 400 });
  const target = { id, name: user.name, email: user.email, officeId: user.officeId };
  const { message } = await resendInvite(
    db,
    actor,
    target,
    inviteId,
    new URL(request.url).origin,
    now(request),
  );
  throw redirect(`/users/${id}`, { headers: { "Set-Cookie": flashCookie(request, message) } });
}
