import { Link } from "react-router";
import type { Route } from "./+types/user";
import { getDb } from "~/db.server";
import { idParam, notFound, requireAdmin } from "~/auth/guards.server";
import { getUserProfile } from "~/users/profile.server";
import { now } from "~/clock.server";
import { recentProxySessions } from "~/proxy/session.server";
import { userMenu } from "~/users/menu.server";
import { formatDate, formatDateTime, GROUP_KIND_NAMES, LICENSE_NAMES, STATUS_NAMES } from "~/ui/format";
import { UserOptions, UserOptionsForm } from "~/ui/user-options";
import { DataTable } from "~/ui/table";
import { UserNumbersTable } from "~/ui/user-numbers";
import { KindList } from "~/ui/kind-list";

export const meta: Route.MetaFunction = ({ data }) => [
  { title: `${data?.user.name ?? "User"} · Users · Switchboard` },
];

export async function loader({ request, context, params }: Route.LoaderArgs) {
  const actor = requireAdmin(context, request);
  const id = idParam(params.userId, "This user");
  const user = await getUserProfile(await getDb(), actor, id);
  if (!user) notFound("This user");
  const proxySessions = await recentProxySessions(await getDb(), actor.company.id, user.id, now(request));
  return {
    user,
    menu: userMenu(actor, user),
    proxySessions,
  };
}

export default function UserPage({ loaderData: { user, menu, proxySessions } }: Route.ComponentProps) {
  const role = user.isCompanyAdmin
    ? "Company Admin"
    : user.adminOffices.length
      ? `Office Admin of ${user.adminOffices.map((o) => o.name).join(", ")}`
      : "No admin access";
  return (
    <div className="page">
      <p className="breadcrumb">
        <Link to="/users">Office › Users</Link> › <span aria-current="page">{user.name}</span>
      </p>
      <div className="page-head">
        <div>
          <h1>{user.name}</h1>
          <p className="subtitle">
            {user.jobTitle ? `${user.jobTitle} · ` : ""}
            {user.officeName} <span className={`badge ${user.status}`}>{STATUS_NAMES[user.status]}</span>
          </p>
        </div>
        <UserOptions menu={menu} />
        <UserOptionsForm />
      </div>

      <section aria-labelledby="details-heading" className="panel">
        <h2 id="details-heading">Details</h2>
        <dl className="details">
          <dt>Email</dt>
          <dd>{user.email}</dd>
          <dt>Primary number</dt>
          <dd>{user.numbers.find((n) => n.isPrimary)?.formatted ?? "No number"}</dd>
          <dt>Extension</dt>
          <dd>{user.extension ?? "—"}</dd>
          <dt>Office</dt>
          <dd>{user.officeName}</dd>
          <dt>License</dt>
          <dd>
            {LICENSE_NAMES[user.licenseType]}
            {user.hasMeetingsSeat ? " + Meetings" : ""}
          </dd>
          <dt>Status</dt>
          <dd>{STATUS_NAMES[user.status]}</dd>
          <dt>Time zone</dt>
          <dd>{user.timezone}</dd>
          <dt>Date added</dt>
          <dd>{formatDate(user.createdAt)}</dd>
          <dt>First sign-in</dt>
          <dd>{user.firstSignedInAt ? formatDateTime(user.firstSignedInAt) : "Has not signed in yet"}</dd>
        </dl>
      </section>

      <section aria-labelledby="access" className="panel">
        <h2 id="access">Admin and proxy access</h2>
        <dl className="details">
          <dt>Admin</dt>
          <dd>{role}</dd>
          <dt>Proxy access</dt>
          <dd>
            {user.proxyAccessGranted
              ? "Granted"
              : user.hasProxyAccess
                ? "Yes, as a Company Admin on this plan"
                : "No"}
          </dd>
        </dl>
      </section>

      <section aria-labelledby="proxy-sessions" className="panel">
        <h2 id="proxy-sessions">Recent proxy sessions</h2>
        {proxySessions.length ? (
          <DataTable
            compact
            caption={`Recent proxy sessions into the account of ${user.name}`}
            columns={["Admin", "Started", "Reason", "Ended"]}
          >
            {proxySessions.map((p) => (
              <tr key={p.id}>
                <th scope="row">{p.adminName}</th>
                <td className="nowrap">{formatDateTime(p.startedAt)}</td>
                <td>{p.reason ?? <span className="muted">No reason given</span>}</td>
                <td>
                  {p.ending}
                  {p.endedAt ? <span className="muted"> · {formatDateTime(p.endedAt)}</span> : null}
                </td>
              </tr>
            ))}
          </DataTable>
        ) : (
          <p>Nobody has proxied into this account.</p>
        )}
      </section>

      <section aria-labelledby="numbers" className="panel">
        <h2 id="numbers">Phone numbers</h2>
        <UserNumbersTable user={user} numbers={user.numbers} empty="This user has no phone number." />
      </section>

      <section aria-labelledby="groups" className="panel">
        <h2 id="groups">Groups</h2>
        {user.groups.length ? (
          <KindList className="plain" items={user.groups} kinds={GROUP_KIND_NAMES} />
        ) : (
          <p>Not a member of any group.</p>
        )}
      </section>
    </div>
  );
}
