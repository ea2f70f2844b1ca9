import { Link } from "react-router";
import type { Route } from "./+types/users.reserved-numbers";
import { now } from "~/clock.server";
import { adminList } from "~/http/list-page.server";
import { listPool } from "~/numbers/pool.server";
import { POOL_STATES, readPoolParams, type PoolParams } from "~/numbers/pool-params";
import { formatDate, formatDateTime, NUMBER_KIND_NAMES } from "~/ui/format";
import { KeysetPagination } from "~/ui/pagination";
import { KeysetResultCount, ListSearch } from "~/ui/list";
import { ActionsHeader, DataTable, RowLink } from "~/ui/table";
import { GetSelect, nameOptions, OfficeFilter } from "~/ui/field";
import { deletedUserHref } from "~/users/deleted-link";

export const meta: Route.MetaFunction = () => [{ title: "Reserved Numbers · Switchboard" }];

export const loader = ({ request, context }: Route.LoaderArgs) =>
  adminList(context, request, readPoolParams, (db, actor, params) =>
    listPool(db, actor, params, now(request)),
  );

const BASE = "/users/reserved-numbers";

/** The URL of this list with some of its state changed (the first page unless a cursor is given). */
function poolUrl(params: PoolParams, change: Partial<PoolParams>): string {
  const next = { ...params, cursor: undefined, ...change } as Record<string, unknown>;
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(next)) {
    if (v === undefined || v === "" || (k === "dir" && v === "desc")) continue;
    search.set(k, String(v));
  }
  const s = search.toString();
  return s ? `${BASE}?${s}` : BASE;
}

/** The list's filter selects, each a query parameter of the list; left at its first choice, any. */
const FILTERS = [
  { name: "kind", label: "Kind", anyLabel: "Any kind", options: nameOptions(NUMBER_KIND_NAMES) },
  { name: "state", label: "State", anyLabel: "Reserved or on hold", options: nameOptions(POOL_STATES) },
] as const;

export default function ReservedNumbers({ loaderData }: Route.ComponentProps) {
  const { numbers, total, atStart, atEnd, prev, next, params, search, offices } = loaderData;
  const filtered = params.q || params.office || params.kind || params.state || search.error;
  const nextDir = params.dir === "asc" ? "desc" : "asc";
  const dirName = (d: string) => (d === "asc" ? "oldest first" : "newest first");
  return (
    <section aria-labelledby="reserved-heading">
      <h2 id="reserved-heading" className="visually-hidden">
        Reserved Numbers
      </h2>
      <p className="muted">
        Numbers your company pays for that nobody uses: who each was last for, in what office, and the date it
        was unassigned. A number is on hold while its former user can still be restored.
      </p>
      <ListSearch
        name="Reserved numbers"
        label="Search reserved numbers"
        search={search}
        placeholder="A number in any format, or a name"
        hint="Digits of a number in any format, or the name of who it was last assigned to."
        clearTo={BASE}
        filtered={Boolean(filtered)}
      >
        <OfficeFilter offices={offices} defaultValue={params.office} />
        {FILTERS.map((f) => (
          <GetSelect key={f.name} {...f} defaultValue={params[f.name]} />
        ))}
        {params.dir !== "desc" ? <input type="hidden" name="dir" value={params.dir} /> : null}
      </ListSearch>

      <KeysetResultCount
        shown={numbers.length}
        total={total}
        atStart={atStart}
        atEnd={atEnd}
        noun="number"
        none="No reserved numbers match."
      />

      {numbers.length > 0 ? (
        <DataTable
          caption={`Reserved numbers, sorted by date unassigned, ${dirName(params.dir)}`}
          columns={[
            "Number",
            "Kind",
            "Country",
            "Office",
            "Last assigned to",
            <th scope="col" aria-sort={params.dir === "asc" ? "ascending" : "descending"}>
              <Link to={poolUrl(params, { dir: nextDir })} className="sort-link">
                Date unassigned
                <span className="visually-hidden">
                  , {dirName(params.dir)}. Sort {dirName(nextDir)}
                </span>
                <span aria-hidden="true" className="sort-mark">
                  {params.dir === "asc" ? "▲" : "▼"}
                </span>
              </Link>
            </th>,
            "State",
            <ActionsHeader />,
          ]}
        >
          {numbers.map((n) => (
            <tr key={n.id}>
              <th scope="row" className="nowrap">
                {n.formatted}
                <br />
                <code className="e164">{n.e164}</code>
              </th>
              <td>{NUMBER_KIND_NAMES[n.kind]}</td>
              <td>{n.country}</td>
              <td>{n.officeName}</td>
              <td>{n.lastHolderName ?? <span className="muted">—</span>}</td>
              <td className="nowrap">{formatDate(n.unassignedAt)}</td>
              <td>
                {n.heldUntil ? (
                  <span className="badge pending">On hold</span>
                ) : n.reviewHold ? (
                  <span className="badge pending">Held for a transfer</span>
                ) : (
                  <span className="badge active">Reserved</span>
                )}
              </td>
              {/* A held number offers nothing to do until the hold ends: its row says why, and until when. */}
              {n.heldUntil ? (
                <td>
                  {n.heldFor ? (
                    <RowLink to={deletedUserHref(n.heldFor.id)}>
                      {n.heldFor.name} can be restored until {formatDateTime(n.heldUntil)}
                    </RowLink>
                  ) : (
                    `Its former user can be restored until ${formatDateTime(n.heldUntil)}`
                  )}
                </td>
              ) : n.reviewHold ? (
                <td>
                  Held until {formatDateTime(n.reviewHold.until)} for {n.reviewHold.userName}'s transfer to{" "}
                  {n.reviewHold.officeName}
                </td>
              ) : (
                <td className="nowrap">
                  <RowLink to={`${BASE}/${n.id}/reassign`}>
                    Reassign<span className="visually-hidden"> {n.formatted}</span>
                  </RowLink>{" "}
                  ·{" "}
                  <RowLink to={`${BASE}/${n.id}/delete`}>
                    Delete<span className="visually-hidden"> {n.formatted}</span>
                  </RowLink>
                </td>
              )}
            </tr>
          ))}
        </DataTable>
      ) : null}
      <KeysetPagination
        first={atStart ? null : poolUrl(params, {})}
        prev={prev ? poolUrl(params, { cursor: prev }) : null}
        next={next ? poolUrl(params, { cursor: next }) : null}
        last={atEnd ? null : poolUrl(params, { cursor: "last" })}
      />
    </section>
  );
}
