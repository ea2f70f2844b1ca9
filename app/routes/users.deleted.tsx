import type { Route } from "./+types/users.deleted";
import { requireAdmin } from "~/auth/actor.server";

export const meta: Route.MetaFunction = () => [{ title: "Deleted Users · Switchboard" }];

export async function loader({ request, context }: Route.LoaderArgs) {
  requireAdmin(context, request);
  return null;
}

export default function DeletedUsers() {
  return (
    <section aria-labelledby="deleted-heading" className="panel">
      <h2 id="deleted-heading">Deleted Users</h2>
      <p>
        Deleted users can be restored for up to 72 hours after the initial deletion. After 72 hours, users are
        permanently deleted, and all records associated with those users will be anonymized.
      </p>
    </section>
  );
}
