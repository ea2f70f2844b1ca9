import type { ReactNode } from "react";
import { Form, Link, useLocation, useNavigation } from "react-router";
import { SearchField } from "./field";

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

/**
 * A list page's search form (GET: its state is the URL): the search box with a refused search's message
 * beside it, the page's filters (children), Search and Clear. Keyed by the URL, so that a link or Back
 * to another state of the list shows that state in the form, not what was last typed.
 */
export function ListSearch({
  name,
  label,
  search,
  placeholder,
  hint,
  clearTo,
  filtered,
  children,
}: {
  /** The search landmark's name. */
  name: string;
  label: string;
  search: { typed: string; error: string[] | null };
  placeholder: string;
  hint: ReactNode;
  clearTo: string;
  filtered: boolean;
  children: ReactNode;
}) {
  return (
    <Form key={useLocation().search} method="get" role="search" aria-label={name} className="toolbar">
      <SearchField
        label={label}
        defaultValue={search.typed}
        error={search.error}
        placeholder={placeholder}
        hint={hint}
      />
      {children}
      <FilterActions submit="Search" clearTo={clearTo} filtered={filtered} />
    </Form>
  );
}

/**
 * A total as a list knows it without counting every row: exact, "about" (an
 * estimate, two figures) or "more than" (at least this many).
 */
export interface Total {
  n: number;
  is: "exact" | "about" | "more than";
}

/** "9,812 users", "about 9,800 users", "more than 1,000 users". */
export function totalWords(total: Total, noun: string) {
  const n = total.n.toLocaleString("en-US");
  const nouns = total.n === 1 && total.is === "exact" ? noun : `${noun}s`;
  return total.is === "exact" ? `${n} ${nouns}` : `${total.is} ${n} ${nouns}`;
}

/**
 * Which rows of how many a keyset page shows: its place is known on the
 * first page, and on the last when the total is exact; elsewhere only how
 * many it shows. Announced when a search comes back.
 */
export function KeysetResultCount({
  shown,
  total,
  atStart,
  atEnd,
  noun,
  none,
}: {
  shown: number;
  total: Total;
  atStart: boolean;
  atEnd: boolean;
  noun: string;
  none: ReactNode;
}) {
  const searching = useNavigation().state === "loading";
  const of = totalWords(total, noun);
  const range = (first: number) =>
    `${first.toLocaleString("en-US")}–${(first + shown - 1).toLocaleString("en-US")}`;
  return (
    <p className="result-count" aria-live="polite" aria-busy={searching}>
      {shown === 0
        ? none
        : atStart
          ? `Showing ${range(1)} of ${of}`
          : atEnd && total.is === "exact"
            ? `Showing ${range(total.n - shown + 1)} of ${of}`
            : `Showing ${shown} of ${of}`}
    </p>
  );
}
