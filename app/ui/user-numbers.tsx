/**
 * A user's phone numbers, as their page and Manage phone numbers show them:
 * each number with its E.164 form, kind and use. Manage phone numbers adds
 * what the primary number is included in and a Remove link for each.
 */
import { Link } from "react-router";
import type { AddonLicenseType, NumberKind, UserLicenseType } from "../../db/schema";
import { LICENSE_NAMES, NUMBER_KIND_NAMES } from "./format";
import { ActionsHeader, DataTable } from "./table";

export interface UserNumber {
  id: number;
  e164: string;
  formatted: string;
  kind: NumberKind;
  isPrimary: boolean;
  addon: AddonLicenseType | null;
}

export function UserNumbersTable({
  user,
  numbers,
  manage = false,
  empty,
}: {
  user: { id: number; name: string; licenseType: UserLicenseType };
  numbers: UserNumber[];
  /** Manage phone numbers: the E.164 form as code, the license the primary is included in, Remove links. */
  manage?: boolean;
  /** What stands in place of the table when the user has no number. */
  empty: string;
}) {
  if (!numbers.length) return <p>{empty}</p>;
  return (
    <DataTable
      compact
      caption={`Phone numbers of ${user.name}`}
      columns={["Number", "Kind", "Use", ...(manage ? [<ActionsHeader />] : [])]}
    >
      {numbers.map((n) => (
        <tr key={n.id}>
          <th scope="row" className="nowrap">
            {n.formatted}{" "}
            {manage ? <code className="e164">{n.e164}</code> : <span className="muted e164">{n.e164}</span>}
          </th>
          <td>{NUMBER_KIND_NAMES[n.kind]}</td>
          <td>
            {n.isPrimary ? "Primary" : "Additional"}
            {n.addon
              ? ` · uses a ${LICENSE_NAMES[n.addon]} add-on`
              : manage && n.isPrimary
                ? ` · included in ${LICENSE_NAMES[user.licenseType]}`
                : ""}
          </td>
          {manage ? (
            <td>
              <Link to={`/users/${user.id}/numbers/${n.id}/remove`} className="button subtle">
                Remove<span className="visually-hidden"> {n.formatted}</span>
              </Link>
            </td>
          ) : null}
        </tr>
      ))}
    </DataTable>
  );
}
