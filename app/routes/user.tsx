import { Form, Link } from "react-router";
import type { Route } from "./+types/user";
import { getDb } from "~/db.server";
import { idParam, notFound, requireAdmin } from "~/auth/guards.server";
import { getUserProfile } from "~/users/profile.server";
import { now } from "~/clock.server";
import {
  mayChangeProxyAccess,
  mayEditUser,
  mayProxy,
  mayTransferUsers,
  proxyTargetOf,
  reasonOf,
} from "~/auth/policy.server";
import { recentProxySessions } from "~/proxy/session.server";
import { CsrfField } from "~/ui/csrf";
import {
  formatDate,
  formatDateTime,
  GROUP_KIND_NAMES,
  LICENSE_NAMES,
  NUMBER_KIND_NAMES,
  STATUS_NAMES,
} from "~/ui/format";
import { OptionsMenu } from "~/ui/options-menu";
import { DataTable } from "~/ui/table";

export const meta: Route.MetaFunction = ({ data }) => [
  { title: `${data?.user.name ?? "User"} · Users · Switchboard` },
];

export async function loader({ request, context, params }: Route.LoaderArgs) {
  const actor = requireAdmin(context, request);
  const id = idParam(params.userId, "This user");
  const user = await getUserProfile(await getDb(), actor, id);
  if (!user) notFound("This user");
  const target = proxyTargetOf(user, actor.company.id);
  const proxyLogin = mayProxy(actor, target);
  const grant = !user.proxyAccessGranted;
  const proxyAccess = actor.person.isCompanyAdmin
    ? { grant, decision: mayChangeProxyAccess(actor, target, grant) }
    : null;
  const proxySessions = await recentProxySessions(await getDb(), actor.company.id, user.id, now(request));
  return {
    user,
    proxyLogin,
    proxyAccess,
    proxySessions,
    editRefusal: reasonOf(mayEditUser(actor, user)),
    transferRefusal: reasonOf(mayTransferUsers(actor)),
  };
}

/** A menu item that cannot be used here: disabled, with the reason read with it. */
function DisabledItem({ id, label, reason }: { id: string; label: string; reason: string }) {
  return (
    <>
      <button type="button" disabled aria-describedby={id}>
        {label}
      </button>
      <p id={id} className="hint">
        {reason}
      </p>
    </>
  );
}

export default function UserPage({
  loaderData: { user, proxyLogin, proxyAccess, proxySessions, editRefusal, transferRefusal },
}: Route.ComponentProps) {
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
        <OptionsMenu
          label={`Options for ${user.name}`}
          sections={[
            {
              title: "Calling",
              items: [
                <a href="#numbers">Phone numbers</a>,
                <Link to={`/users/${user.id}/numbers`}>Manage phone numbers</Link>,
              ],
            },
            { title: "Groups", items: [<a href="#groups">Group memberships</a>] },
            {
              title: "Privileges",
              items: [
                <a href="#access">Admin and proxy access</a>,
                ...(proxyAccess
                  ? [
                      proxyAccess.decision.ok ? (
                        <Form method="post" action={`/users/${user.id}/proxy-access`}>
                          <CsrfField />
                          <input type="hidden" name="access" value={proxyAccess.grant ? "grant" : "remove"} />
                          <button type="submit">
                            {proxyAccess.grant ? "Give proxy access" : "Remove proxy access"}
                          </button>
                        </Form>
                      ) : (
                        <DisabledItem
                          id="proxy-access-why"
                          label={proxyAccess.grant ? "Give proxy access" : "Remove proxy access"}
                          reason={proxyAccess.decision.reason}
                        />
                      ),
                    ]
                  : []),
              ],
            },
            {
              title: "Admin",
              items: [
                proxyLogin.ok ? (
                  <Link to={`/users/${user.id}/proxy`}>Proxy Login</Link>
                ) : (
                  <DisabledItem id="proxy-login-why" label="Proxy Login" reason={proxyLogin.reason} />
                ),
                ...(user.status === "pending"
                  ? [
                      <Form method="post" action={`/users/${user.id}/resend-invite`}>
                        <CsrfField />
                        <input type="hidden" name="invite" value={user.liveInviteId ?? "none"} />
                        <button type="submit" className="link-button">
                          Resend invite
                        </button>
                      </Form>,
                    ]
                  : []),
                editRefusal ? (
                  <DisabledItem id="edit-user-why" label="Edit user" reason={editRefusal} />
                ) : (
                  <Link to={`/users/${user.id}/edit`}>Edit user</Link>
                ),
                <Link to={`/users/${user.id}/license`}>Change license type</Link>,
                transferRefusal ? (
                  <DisabledItem id="transfer-user-why" label="Transfer user" reason={transferRefusal} />
                ) : (
                  <Link to={`/users/${user.id}/transfer`}>Transfer user</Link>
                ),
                <Link to={`/users/${user.id}/delete`}>Delete user</Link>,
              ],
            },
          ]}
        />
      </div>

      <section aria-labelledby="details-heading" className="panel">
        <h2 id="details-heading">Details</h2>
        <dl className="details">
          <dt>Email</dt>
          <dd>{user.email}</dd>
          <dt>Primary number</dt>
          <dd>{user.numbers.find((n) => n.is_primary)?.formatted ?? "No number"}</dd>
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
        {user.numbers.length ? (
          <DataTable compact caption={`Phone numbers of ${user.name}`} columns={["Number", "Kind", "Use"]}>
            {user.numbers.map((n) => (
              <tr key={n.id}>
                <th scope="row" className="nowrap">
                  {n.formatted} <span className="muted e164">{n.e164}</span>
                </th>
                <td>{NUMBER_KIND_NAMES[n.kind]}</td>
                <td>
                  {n.is_primary ? "Primary" : "Additional"}
                  {n.addon_license_type ? ` · uses a ${LICENSE_NAMES[n.addon_license_type]} add-on` : ""}
                </td>
              </tr>
            ))}
          </DataTable>
        ) : (
          <p>This user has no phone number.</p>
        )}
      </section>

      <section aria-labelledby="groups" className="panel">
        <h2 id="groups">Groups</h2>
        {user.groups.length ? (
          <ul className="plain">
            {user.groups.map((g) => (
              <li key={g.id}>
                {g.name} <span className="muted">· {GROUP_KIND_NAMES[g.kind]}</span>
              </li>
            ))}
          </ul>
        ) : (
          <p>Not a member of any group.</p>
        )}
      </section>
    </div>
  );
}
