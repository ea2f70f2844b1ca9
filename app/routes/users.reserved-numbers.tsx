import type { Route } from "./+types/users.reserved-numbers";
import { requireAdmin } from "~/auth/actor.server";

export const meta: Route.MetaFunction = () => [{ title: "Reserved Numbers · Switchboard" }];

export async function loader({ request, context }: Route.LoaderArgs) {
  requireAdmin(context, request);
  return null;
}

export default function ReservedNumbers() {
  return (
    <section aria-labelledby="reserved-heading" className="panel">
      <h2 id="reserved-heading">Reserved Numbers</h2>
      <p>
        When an admin deletes a user or removes a previously assigned number, the number goes into your Reserved Pool.
        This tab will list your unassigned numbers, who each was last for, in what office, and the date it was
        unassigned.
      </p>
    </section>
  );
}
