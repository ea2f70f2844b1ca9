import { Link } from "react-router";
import type { Route } from "./+types/user.numbers";
import { getDb } from "~/db.server";
import { idParam, notFound, requireAdmin } from "~/auth/guards.server";
import { listUserNumbers } from "~/numbers/remove.server";
import { UserBreadcrumb } from "~/ui/breadcrumb";
import { UserNumbersTable } from "~/ui/user-numbers";

export const meta: Route.MetaFunction = ({ data }) => [
  { title: `Manage phone numbers · ${data?.user.name ?? "User"} · Switchboard` },
];

export async function loader({ request, context, params }: Route.LoaderArgs) {
  const actor = requireAdmin(context, request);
  const found = await listUserNumbers(await getDb(), actor, idParam(params.userId, "This user"));
  if (!found) notFound("This user");
  return found;
}

export default function ManageNumbers({ loaderData: { user, numbers } }: Route.ComponentProps) {
  return (
    <div className="page narrow">
      <UserBreadcrumb user={user} current="Manage phone numbers" />
      <h1>Phone numbers of {user.name}</h1>
      <section aria-labelledby="numbers-heading" className="panel">
        <h2 id="numbers-heading">Numbers</h2>
        <UserNumbersTable
          user={user}
          numbers={numbers}
          manage
          empty={`${user.name} has no phone number. Reassign one from the Reserved Numbers tab.`}
        />
        <p>
          Removing a number puts it in the Reserved Pool, from where it can be reassigned.{" "}
          <Link to="/users/reserved-numbers">Reserved Numbers</Link>
        </p>
      </section>
    </div>
  );
}
