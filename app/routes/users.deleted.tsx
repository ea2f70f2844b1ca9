import { Form, Link } from "react-router";
import type { Route } from "./+types/users.deleted";
import { getDb } from "~/db.server";
import { now } from "~/clock.server";
import { requireAdmin } from "~/auth/guards.server";
import { parseId } from "~/input";
import { deletedPageOf, listDeleted } from "~/users/deleted.server";
import { deletedUserAnchor } from "~/users/deleted-link";
import { CsrfField } from "~/ui/csrf";
import { formatDateTime, LICENSE_NAMES } from "~/ui/format";
import { Pagination } from "~/ui/pagination";
import { ActionsHeader, DataTable } from "~/ui/table";

export const meta: Route.MetaFunction = () => [{ title: "Deleted Users · Switchboard" }];

export async function loader({ request, context }: Route.LoaderArgs) {
  const actor = requireAdmin(context, request);
  const db = await getDb();
  const at = now(request);
  const search = new URL(request.url).searchParams;
  // ?user=<id>, a held number's link (deletedUserHref): the page that lists them.
  const shown = parseId(search.get("user"));
  const pageOfShown =
    shown !== null && !search.has("page") ? await deletedPageOf(db, actor, at, shown) : null;
  const page = pageOfShown ?? Math.max(1, Math.min(1_000_000, Number(search.get("page")) || 1));
  return { ...(await listDeleted(db, actor, at, page)), page };
}

function timeLeft(ms: number) {
  const hours = Math.floor(ms / 3600_000);
  const minutes = Math.floor((ms % 3600_000) / 60_000);
  return hours > 0 ? `${hours} h ${minutes} min` : `${minutes} min`;
}

export default function DeletedUsers({ loaderData }: Route.ComponentProps) {
  const { users, total, page, pageCount } = loaderData;
  return (
    <section aria-labelledby="deleted-heading">
      <h2 id="deleted-heading" className="visually-hidden">
        Deleted Users
      </h2>
      <p>
        Users deleted within the last 72 hours. Restore gives them back their license, numbers and groups.
        After 72 hours, users are permanently deleted, and all records associated with them are anonymized.
      </p>
      {users.length === 0 ? (
        <p className="panel">No users were deleted in the last 72 hours.</p>
      ) : (
        <DataTable
          caption={`Deleted users, most recent first (${total})`}
          columns={[
            "Name",
            "Email",
            "Office",
            "License",
            "Deleted by",
            "Deleted",
            "Time left",
            <ActionsHeader />,
          ]}
        >
          {users.map((u) => (
            <tr key={u.id} id={deletedUserAnchor(u.id)}>
              <th scope="row">{u.name}</th>
              <td>{u.email}</td>
              <td>{u.officeName}</td>
              <td>{LICENSE_NAMES[u.licenseType]}</td>
              <td>{u.deletedBy}</td>
              <td className="nowrap">{formatDateTime(u.deletedAt)}</td>
              <td className="nowrap">{timeLeft(u.msLeft)}</td>
              {u.refusal ? (
                // Restore and Permanently delete ask one rule: when it says no, say why instead of either button.
                <td>{u.refusal}</td>
              ) : (
                <td className="nowrap">
                  <Form method="post" action={`/users/deleted/${u.id}/restore`} className="inline">
                    <CsrfField />
                    <button type="submit" className="button" aria-label={`Restore ${u.name}`}>
                      Restore
                    </button>
                  </Form>{" "}
                  <Link
                    to={`/users/deleted/${u.id}/purge`}
                    className="button subtle danger"
                    aria-label={`Permanently delete ${u.name}`}
                  >
                    Permanently delete
                  </Link>
                </td>
              )}
            </tr>
          ))}
        </DataTable>
      )}
      <Pagination page={page} pageCount={pageCount} hrefFor={(n) => `/users/deleted?page=${n}`} />
    </section>
  );
}
