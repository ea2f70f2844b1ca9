import type { ReactNode } from "react";
import { Link } from "react-router";

/** Previous and Next links, for pages that know only their neighbours (the audit log's). */
export function PageLinks({
  prev,
  next,
  children,
}: {
  prev: string | null;
  next: string | null;
  children?: ReactNode;
}) {
  if (!prev && !next) return null;
  return (
    <nav aria-label="Pagination" className="pagination">
      <PageLink to={prev} rel="prev" label="Previous page" />
      {children ? <span>{children}</span> : null}
      <PageLink to={next} rel="next" label="Next page" />
    </nav>
  );
}

/**
 * Keyset pages: First, Previous, Next and Last, each a link holding the
 * cursor (null: there is no such page from here).
 */
export function KeysetPagination({
  first,
  prev,
  next,
  last,
}: {
  first: string | null;
  prev: string | null;
  next: string | null;
  last: string | null;
}) {
  if (!prev && !next) return null;
  return (
    <nav aria-label="Pagination" className="pagination">
      <PageLink to={first} rel={null} label="First page" />
      <PageLink to={prev} rel="prev" label="Previous page" />
      <PageLink to={next} rel="next" label="Next page" />
      <PageLink to={last} rel={null} label="Last page" />
    </nav>
  );
}

/** A link to a neighbouring page, or its label greyed out (and silent) when there is none. */
function PageLink({ to, rel, label }: { to: string | null; rel: "prev" | "next" | null; label: string }) {
  return to ? (
    <Link to={to} rel={rel ?? undefined}>
      {label}
    </Link>
  ) : (
    <span className="disabled" aria-hidden="true">
      {label}
    </span>
  );
}
