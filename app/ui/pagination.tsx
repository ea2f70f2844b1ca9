import type { ReactNode } from "react";
import { Link } from "react-router";

/** Numbered pages (a list with a total). */
export function Pagination({
  page,
  pageCount,
  hrefFor,
}: {
  page: number;
  pageCount: number;
  hrefFor: (page: number) => string;
}) {
  if (pageCount <= 1) return null;
  return (
    <PageLinks prev={page > 1 ? hrefFor(page - 1) : null} next={page < pageCount ? hrefFor(page + 1) : null}>
      Page {page.toLocaleString("en-US")} of {pageCount.toLocaleString("en-US")}
    </PageLinks>
  );
}

/** Previous and Next links, for numbered pages or keyset pages (which know only their neighbours). */
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
      {prev ? (
        <Link to={prev} rel="prev">
          Previous page
        </Link>
      ) : (
        <span className="disabled" aria-hidden="true">
          Previous page
        </span>
      )}
      {children ? <span>{children}</span> : null}
      {next ? (
        <Link to={next} rel="next">
          Next page
        </Link>
      ) : (
        <span className="disabled" aria-hidden="true">
          Next page
        </span>
      )}
    </nav>
  );
}
