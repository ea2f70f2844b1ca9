import type { Route } from "./+types/user.options";
import { getDb } from "~/db.server";
import { idParam, notFound, requireAdmin } from "~/auth/guards.server";
import { getUserProfile } from "~/users/profile.server";
import { userMenu } from "~/users/menu.server";
import { UserOptionsForm, UserOptionsPage } from "~/ui/user-options";
import { UserBreadcrumb } from "~/ui/breadcrumb";

// Options beside a user in the list, without JavaScript: the same menu as a
// page (with JavaScript the list opens it in place and never links here).
export const meta: Route.MetaFunction = ({ data }) => [
  { title: `Options for ${data?.menu.name ?? "user"} · Users · Switchboard` },
];

export async function loader({ request, context, params }: Route.LoaderArgs) {
  const actor = requireAdmin(context, request);
  const user = await getUserProfile(await getDb(), actor, idParam(params.userId, "This user"));
  if (!user) notFound("This user");
  return { menu: userMenu(actor, user) };
}

export default function UserOptionsRoute({ loaderData: { menu } }: Route.ComponentProps) {
  return (
    <div className="page">
      <UserBreadcrumb user={menu} current="Options" />
      <h1>Options for {menu.name}</h1>
      <UserOptionsPage menu={menu} />
      <UserOptionsForm />
    </div>
  );
}
