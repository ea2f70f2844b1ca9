import { Fragment, type ReactNode } from "react";

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
  const table = (
    <table className={["data", compact ? "compact" : null, className].filter(Boolean).join(" ")}>
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
