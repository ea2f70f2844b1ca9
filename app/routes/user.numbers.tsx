import { Link } from "react-router";
import type { Route } from "./+types/user.numbers";
import { getDb } from "~/db.server";
import { idParam, notFound, requireAdmin } from "~/auth/guards.server";
import { listUserNumbers } from "~/numbers/remove.server";
import { LICENSE_NAMES, NUMBER_KIND_NAMES } from "~/ui/format";
import { UserBreadcrumb } from "~/ui/breadcrumb";
import { ActionsHeader, DataTable } from "~/ui/table";

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
        {numbers.length ? (
          <DataTable
            compact
            caption={`Phone numbers of ${user.name}`}
            columns={["Number", "Kind", "Use", <ActionsHeader />]}
          >
            {numbers.map((n) => (
              <tr key={n.id}>
                <th scope="row" className="nowrap">
                  {n.formatted} <code className="e164">{n.e164}</code>
                </th>
                <td>{NUMBER_KIND_NAMES[n.kind]}</td>
                <td>
                  {n.isPrimary ? "Primary" : "Additional"}
                  {n.addon
                    ? ` · uses a ${LICENSE_NAMES[n.addon]} add-on`
                    : n.isPrimary
                      ? ` · included in ${LICENSE_NAMES[user.licenseType]}`
                      : ""}
                </td>
                <td>
                  <Link to={`/users/${user.id}/numbers/${n.id}/remove`} className="button subtle">
                    Remove<span className="visually-hidden"> {n.formatted}</span>
                  </Link>
                </td>
              </tr>
            ))}
          </DataTable>
        ) : (
          <p>{user.name} has no phone number. Reassign one from the Reserved Numbers tab.</p>
        )}
        <p>
          Removing a number puts it in the Reserved Pool, from where it can be reassigned.{" "}
          <Link to="/users/reserved-numbers">Reserved Numbers</Link>
        </p>
      </section>
    </div>
  );
}
