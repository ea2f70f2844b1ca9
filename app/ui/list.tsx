import type { ReactNode } from "react";
import { Link, useNavigation } from "react-router";

/** A list's filter form buttons: the submit, and Clear (the list unfiltered) once anything is filtered. */
export function FilterActions({
  submit,
  clearTo,
  filtered,
}: {
  submit: string;
  clearTo: string;
  filtered: boolean;
}) {
  return (
    <div className="toolbar-actions">
      <button type="submit" className="button primary">
        {submit}
      </button>
      {filtered ? (
        <Link to={clearTo} className="button subtle">
          Clear
        </Link>
      ) : null}
    </div>
  );
}

/** Which rows of how many this page shows, announced when a search comes back. */
export function ResultCount({
  page,
  pageSize,
  total,
  noun,
  none,
}: {
  page: number;
  pageSize: number;
  total: number;
  noun: string;
  none: ReactNode;
}) {
  const searching = useNavigation().state === "loading";
  const first = (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  return (
    <p className="result-count" aria-live="polite" aria-busy={searching}>
      {total === 0
        ? none
        : `Showing ${first}–${last} of ${total.toLocaleString("en-US")} ${noun}${total === 1 ? "" : "s"}`}
    </p>
  );
}
