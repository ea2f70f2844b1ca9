import {
  Fragment,
  useEffect,
  useRef,
  type AnchorHTMLAttributes,
  type ReactNode,
  type RefObject,
} from "react";
import { useNavigate } from "react-router";

/**
 * A table of rows under one header row, named by a caption that only screen readers hear.
 * A column is its header's text, or a header cell of its own (a sort link, a select-all box,
 * `<ActionsHeader />`). Wide tables scroll sideways in their own box on narrow screens; compact
 * ones sit inside a panel, which they fit.
 */
export function DataTable({
  caption,
  columns,
  compact = false,
  className,
  children,
}: {
  caption: ReactNode;
  columns: ReactNode[];
  compact?: boolean;
  className?: string;
  children: ReactNode;
}) {
  const ref = useRef<HTMLTableElement>(null);
  useRowLinks(ref);
  const table = (
    <table ref={ref} className={["data", compact ? "compact" : null, className].filter(Boolean).join(" ")}>
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          {columns.map((column, i) =>
            typeof column === "string" ? (
              <th key={i} scope="col">
                {column}
              </th>
            ) : (
              <Fragment key={i}>{column}</Fragment>
            ),
          )}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
  return compact ? table : <div className="table-wrap">{table}</div>;
}

/** The header of a row's links and buttons: named for screen readers, blank on screen. */
export function ActionsHeader() {
  return (
    <th scope="col">
      <span className="visually-hidden">Actions</span>
    </th>
  );
}

/** The header of a column of counts, set right as its numbers are. */
export function NumericHeader({ label }: { label: string }) {
  return (
    <th scope="col" className="numeric">
      {label}
    </th>
  );
}

/**
 * A link in a table's row: the anchor React Router's <Link> writes, without
 * its work. A list draws a hundred or more, and each <Link> resolved its path
 * against the matched routes and ran its click and prefetch hooks on the
 * server: a sixth of the users list's render at a million users. With
 * JavaScript, the table's one listener (useRowLinks) navigates inside the app
 * as <Link> would; `data-discover` lets the router learn the route ahead, as
 * it does for <Link>. Use it only inside a DataTable, with a path for `to`.
 */
export function RowLink({ to, ...props }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  return <a href={to} data-discover="true" data-row-link="" {...props} />;
}

/** The click of a RowLink, as <Link> takes one: a plain click navigates in the app; a modified one is the browser's. */
function useRowLinks(ref: RefObject<HTMLTableElement | null>) {
  const navigate = useNavigate();
  useEffect(() => {
    const table = ref.current;
    if (!table) return;
    const onClick = (e: MouseEvent) => {
      const link = e.target instanceof Element ? e.target.closest("a[data-row-link]") : null;
      if (!(link instanceof HTMLAnchorElement) || e.defaultPrevented) return;
      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      void navigate(link.pathname + link.search + link.hash);
    };
    table.addEventListener("click", onClick);
    return () => table.removeEventListener("click", onClick);
  }, [ref, navigate]);
}
