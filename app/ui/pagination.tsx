import { Link } from "react-router";

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
    <nav aria-label="Pagination" className="pagination">
      {page > 1 ? (
        <Link to={hrefFor(page - 1)} rel="prev">
          Previous page
        </Link>
      ) : (
        <span className="disabled" aria-hidden="true">
          Previous page
        </span>
      )}
      <span>
        Page {page.toLocaleString("en-US")} of {pageCount.toLocaleString("en-US")}
      </span>
      {page < pageCount ? (
        <Link to={hrefFor(page + 1)} rel="next">
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
