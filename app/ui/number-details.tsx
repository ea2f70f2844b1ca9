/** A reserved number as Delete and Reassign show it before the change. */
import { formatDate, NUMBER_KIND_NAMES } from "./format";
import type { NumberKind } from "../../db/schema";

export function ReservedNumberDetails({
  number,
  country,
}: {
  /** Shown when the page decides by it (Reassign: a number stays in its country). */
  country?: string;
  number: {
    formatted: string;
    e164: string;
    kind: NumberKind;
    officeName: string;
    lastHolderName: string | null;
    unassignedAt: Date | string | null;
  };
}) {
  return (
    <dl className="details">
      <dt>Number</dt>
      <dd>
        {number.formatted} <code className="e164">{number.e164}</code>
      </dd>
      <dt>Kind</dt>
      <dd>{NUMBER_KIND_NAMES[number.kind]}</dd>
      {country !== undefined ? (
        <>
          <dt>Country</dt>
          <dd>{country}</dd>
        </>
      ) : null}
      <dt>Office</dt>
      <dd>{number.officeName}</dd>
      <dt>Last assigned to</dt>
      <dd>{number.lastHolderName ?? "—"}</dd>
      <dt>Date unassigned</dt>
      <dd>{formatDate(number.unassignedAt)}</dd>
    </dl>
  );
}
