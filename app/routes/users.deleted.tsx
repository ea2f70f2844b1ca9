import { Form } from "react-router";
import type { Route } from "./+types/users.deleted";
import { getDb } from "~/db.server";
import { now } from "~/clock.server";
import { requireAdmin } from "~/auth/guards.server";
import { cursorField, parseId } from "~/input";
import { deletedCursorOf, listDeleted } from "~/users/deleted.server";
import { deletedUserAnchor } from "~/users/deleted-link";
import { CsrfField } from "~/ui/csrf";
import { formatDateTime, LICENSE_NAMES } from "~/ui/format";
import { KeysetPagination } from "~/ui/pagination";
import { KeysetResultCount } from "~/ui/list";
import { ActionsHeader, DataTable, RowLink } from "~/ui/table";

export const meta: Route.MetaFunction = () => [{ title: "Deleted Users · Switchboard" }];

export async function loader({ request, context }: Route.LoaderArgs) {
  const actor = requireAdmin(context, request);
  const db = await getDb();
  const at = now(request);
  const search = new URL(request.url).searchParams;
  // Keyset pages (?cursor=, a malformed or stale one: the first page); ?user=<id>, a held number's link
  // (deletedUserHref): the page that starts with them.
  const cursor = cursorField.parse(search.get("cursor") ?? undefined);
  const shown = parseId(search.get("user"));
  const cursorOfShown = shown !== null && !cursor ? await deletedCursorOf(db, actor, at, shown) : null;
  return listDeleted(db, actor, at, cursor ?? cursorOfShown ?? undefined);
}

const BASE = "/users/deleted";
const pageUrl = (cursor: string) => `${BASE}?cursor=${encodeURIComponent(cursor)}`;

function timeLeft(ms: number) {
  const hours = Math.floor(ms / 3600_000);
  const minutes = Math.floor((ms % 3600_000) / 60_000);
  return hours > 0 ? `${hours} h ${minutes} min` : `${minutes} min`;
}

export default function DeletedUsers({ loaderData }: Route.ComponentProps) {
  const { users, total, atStart, atEnd, prev, next } = loaderData;
  return (
    <section aria-labelledby="deleted-heading">
      <h2 id="deleted-heading" className="visually-hidden">
        Deleted Users
      </h2>
      <p>
        Users deleted within the last 72 hours. Restore gives them back their license, numbers and groups.
        After 72 hours, users are permanently deleted, and all records associated with them are anonymized.
      </p>
      <KeysetResultCount
        shown={users.length}
        total={total}
        atStart={atStart}
        atEnd={atEnd}
        noun="deleted user"
        none="No users were deleted in the last 72 hours."
      />
      {users.length === 0 ? null : (
        <DataTable
          caption="Deleted users, most recent first"
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
                  <RowLink
                    to={`/users/deleted/${u.id}/purge`}
                    className="button subtle danger"
                    aria-label={`Permanently delete ${u.name}`}
                  >
                    Permanently delete
                  </RowLink>
                </td>
              )}
            </tr>
          ))}
        </DataTable>
      )}
      <KeysetPagination
        first={atStart ? null : BASE}
        prev={prev ? pageUrl(prev) : null}
        next={next ? pageUrl(next) : null}
        last={atEnd ? null : pageUrl("last")}
      />
    </section>
  );
}
