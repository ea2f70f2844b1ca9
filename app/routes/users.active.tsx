import { useState } from "react";
import { Form, Link, useLocation } from "react-router";
import { USER_LICENSE_TYPES } from "../../db/schema";
import type { Route } from "./+types/users.active";
import { adminList } from "~/http/list-page.server";
import { listUsers } from "~/users/list.server";
import { PERMISSIONS, readListParams, type ListParams } from "~/users/list-params";
import { LICENSE_NAMES, STATUS_NAMES } from "~/ui/format";
import { KeysetPagination } from "~/ui/pagination";
import { ListSearch, KeysetResultCount, totalWords, type Total } from "~/ui/list";
import { ActionsHeader, DataTable, RowLink } from "~/ui/table";
import { UserOptions, UserOptionsForm } from "~/ui/user-options";
import { useHydrated } from "~/ui/hydrated";
import { GetSelect, nameOptions, OfficeFilter } from "~/ui/field";
import { bulkActionsFor } from "~/users/bulk.server";

export const meta: Route.MetaFunction = () => [{ title: "Active or Pending Users · Switchboard" }];

export const loader = ({ request, context }: Route.LoaderArgs) =>
  adminList(context, request, readListParams, async (db, actor, params) => ({
    ...(await listUsers(db, actor, params)),
    // Only the actions this admin may take are offered (the server checks again).
    bulkActions: bulkActionsFor(actor),
  }));

/** The URL of this list (or its export) with some of its state changed (the first page unless a cursor is given). */
function listUrl(params: ListParams, change: Partial<ListParams>, path = "/users"): string {
  const next = { ...params, cursor: undefined, ...change } as Record<string, unknown>;
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(next)) {
    if (v === undefined || v === "" || (k === "sort" && v === "name") || (k === "dir" && v === "asc"))
      continue;
    search.set(k, String(v));
  }
  const s = search.toString();
  return s ? `${path}?${s}` : path;
}

function SortHeader({
  params,
  column,
  label,
}: {
  params: ListParams;
  column: ListParams["sort"];
  label: string;
}) {
  const active = params.sort === column;
  const nextDir = active && params.dir === "asc" ? "desc" : "asc";
  return (
    <th scope="col" aria-sort={active ? (params.dir === "asc" ? "ascending" : "descending") : undefined}>
      <Link to={listUrl(params, { sort: column, dir: nextDir })} className="sort-link">
        {label}
        <span className="visually-hidden">
          {active
            ? `, sorted ${params.dir === "asc" ? "ascending" : "descending"}. Sort ${nextDir === "asc" ? "ascending" : "descending"}`
            : ", sort ascending"}
        </span>
        <span aria-hidden="true" className="sort-mark">
          {active ? (params.dir === "asc" ? "▲" : "▼") : "↕"}
        </span>
      </Link>
    </th>
  );
}

const SORT_NAMES: Record<ListParams["sort"], string> = {
  name: "name",
  email: "email",
  office: "office",
  license: "license",
  status: "status",
  added: "date added",
};

/** The list's filter selects, each a query parameter of the list; left at its first choice, any. */
const FILTERS = [
  {
    name: "license",
    label: "License",
    anyLabel: "Any license",
    options: USER_LICENSE_TYPES.map((l) => ({ value: l, label: LICENSE_NAMES[l] })),
  },
  { name: "permission", label: "Permission", anyLabel: "Any permission", options: nameOptions(PERMISSIONS) },
  {
    name: "status",
    label: "Status",
    anyLabel: "Any status",
    options: nameOptions({ active: "Active", pending: "Pending", suspended: "Suspended" }),
  },
] as const;

export default function ActiveUsers({ loaderData }: Route.ComponentProps) {
  const { users, total, atStart, atEnd, prev, next, params, search, offices, bulkActions } = loaderData;
  // The form's fields are uncontrolled: a new URL (a link, Clear) remounts them with its values.
  const formKey = useLocation().search;
  const filtered =
    params.q || params.license || params.permission || params.status || params.office || search.error;
  // With JavaScript, the checkboxes are controlled so select-all and the live count work;
  // without it, they are plain form fields of the bulk form.
  const hydrated = useHydrated();
  const [selection, setSelection] = useState<{ key: string; ids: Set<number> }>({
    key: formKey,
    ids: new Set(),
  });
  // A new URL (another page, search or filter) starts with nothing selected.
  const selected = selection.key === formKey ? selection.ids : new Set<number>();
  const setSelected = (ids: Set<number>) => setSelection({ key: formKey, ids });
  return (
    <section aria-labelledby="active-heading">
      <div className="section-head">
        <h2 id="active-heading" className="visually-hidden">
          Active or Pending Users
        </h2>
        {/* A file, not a page: the browser downloads it (reloadDocument keeps the router out of it). */}
        <Link to={listUrl(params, {}, "/users/export")} reloadDocument className="button">
          Export CSV
        </Link>
        <Link to="/users/import" className="button">
          Import users
        </Link>
        <Link to="/users/new" className="button primary">
          Add User
        </Link>
      </div>
      <ListSearch
        name="Users"
        label="Search users"
        search={search}
        placeholder="Name, email, number, or a word like admin or sell"
        hint={
          <>
            Names and emails (any part), numbers in any format, or a permission or license: admin, company
            admin, office admin, proxy, connect, sell, support.
          </>
        }
        clearTo="/users"
        filtered={Boolean(filtered)}
      >
        {FILTERS.map((f) => (
          <GetSelect key={f.name} {...f} defaultValue={params[f.name]} />
        ))}
        <OfficeFilter offices={offices} defaultValue={params.office} />
        {params.sort !== "name" ? <input type="hidden" name="sort" value={params.sort} /> : null}
        {params.dir !== "asc" ? <input type="hidden" name="dir" value={params.dir} /> : null}
      </ListSearch>

      <KeysetResultCount
        shown={users.length}
        total={total}
        atStart={atStart}
        atEnd={atEnd}
        noun="user"
        none="No users match."
      />

      {users.length > 0 ? (
        <BulkBar
          actions={bulkActions}
          params={params}
          total={total}
          onePage={atStart && atEnd}
          pageIds={users.map((u) => u.id)}
          selectedCount={hydrated ? selected.size : null}
        />
      ) : null}

      {users.length > 0 ? (
        <DataTable
          caption={`Active or pending users, sorted by ${SORT_NAMES[params.sort]}, ${params.dir === "asc" ? "ascending" : "descending"}`}
          columns={[
            <td className="select">
              {hydrated ? (
                <input
                  type="checkbox"
                  aria-label="Select all users on this page"
                  checked={selected.size === users.length}
                  ref={(el) => {
                    if (el) el.indeterminate = selected.size > 0 && selected.size < users.length;
                  }}
                  onChange={(e) =>
                    setSelected(e.target.checked ? new Set(users.map((u) => u.id)) : new Set())
                  }
                />
              ) : null}
            </td>,
            <SortHeader params={params} column="name" label="Name" />,
            <SortHeader params={params} column="email" label="Email" />,
            "Number",
            "Ext.",
            <SortHeader params={params} column="office" label="Office" />,
            <SortHeader params={params} column="license" label="License" />,
            "Admin",
            <SortHeader params={params} column="status" label="Status" />,
            <ActionsHeader />,
          ]}
        >
          {users.map((u) => (
            <tr key={u.id}>
              <td className="select">
                <input
                  type="checkbox"
                  form="bulk"
                  name="id"
                  value={u.id}
                  aria-label={`Select ${u.name}`}
                  {...(hydrated
                    ? {
                        checked: selected.has(u.id),
                        onChange: (e: React.ChangeEvent<HTMLInputElement>) => {
                          const next = new Set(selected);
                          if (e.target.checked) next.add(u.id);
                          else next.delete(u.id);
                          setSelected(next);
                        },
                      }
                    : {})}
                />
              </td>
              <th scope="row">
                <RowLink to={`/users/${u.id}`}>{u.name}</RowLink>
              </th>
              <td className="email">{u.email}</td>
              <td className="nowrap">{u.primaryNumber ?? <span className="muted">No number</span>}</td>
              <td>{u.extension ?? <span className="muted">—</span>}</td>
              <td>{u.officeName}</td>
              <td>
                <RowLink
                  to={`/users/${u.id}/license`}
                  aria-label={`Change license of ${u.name}, now ${LICENSE_NAMES[u.licenseType]}`}
                >
                  {LICENSE_NAMES[u.licenseType]}
                </RowLink>
              </td>
              <td>
                {u.role ?? <span className="muted">—</span>}
                {u.hasProxyAccess ? <span className="badge neutral">Proxy</span> : null}
              </td>
              <td>
                <span className={`badge ${u.status}`}>{STATUS_NAMES[u.status]}</span>
              </td>
              <td className="options-cell">
                <UserOptions menu={u.menu} inList />
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      {users.length > 0 ? <UserOptionsForm /> : null}
      <KeysetPagination
        first={atStart ? null : listUrl(params, {})}
        prev={prev ? listUrl(params, { cursor: prev }) : null}
        next={next ? listUrl(params, { cursor: next }) : null}
        last={atEnd ? null : listUrl(params, { cursor: "last" })}
      />
    </section>
  );
}

/**
 * The bulk action bar: an action, what to apply it to, and a button. A GET
 * form: the confirmation page that follows has its own URL and changes
 * nothing until confirmed. "All that match this search" carries the search,
 * not a list of ids.
 */
function BulkBar({
  actions,
  params,
  total,
  onePage,
  pageIds,
  selectedCount,
}: {
  actions: [string, string][];
  params: ListParams;
  total: Total;
  /** The whole list fits on this page: "all that match" would be the page. */
  onePage: boolean;
  pageIds: number[];
  selectedCount: number | null;
}) {
  const [scope, setScope] = useState("selected");
  return (
    <Form id="bulk" method="get" action="/users/bulk" className="bulk-bar" aria-label="Bulk actions">
      <div className="field">
        <label htmlFor="bulk-action">Action</label>
        <select id="bulk-action" name="action" defaultValue="delete">
          {actions.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <fieldset className="inline">
        <legend>Apply to</legend>
        <label>
          <input
            type="radio"
            name="scope"
            value="selected"
            defaultChecked
            onChange={() => setScope("selected")}
          />{" "}
          Selected users{selectedCount !== null ? ` (${selectedCount} selected)` : ""}
        </label>
        <label>
          <input type="radio" name="scope" value="page" onChange={() => setScope("page")} /> All{" "}
          {pageIds.length} users on this page
        </label>
        {!onePage ? (
          <label>
            <input type="radio" name="scope" value="search" onChange={() => setScope("search")} /> All{" "}
            {totalWords(total, "user")} that match this search
          </label>
        ) : null}
      </fieldset>
      {pageIds.map((id) => (
        <input key={id} type="hidden" name="page_id" value={id} />
      ))}
      {Object.entries(params).map(([k, v]) =>
        v === undefined || v === "" || k === "cursor" ? null : (
          <input key={k} type="hidden" name={k} value={String(v)} />
        ),
      )}
      <button type="submit" className="button" disabled={selectedCount === 0 && scope === "selected"}>
        Apply
      </button>
      <p className="live-count visually-hidden" aria-live="polite">
        {selectedCount !== null ? `${selectedCount} selected` : ""}
      </p>
    </Form>
  );
}
