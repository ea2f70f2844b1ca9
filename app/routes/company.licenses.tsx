import { Link } from "react-router";
import type { Route } from "./+types/company.licenses";
import { getDb } from "~/db.server";
import { requireLicenseViewer } from "~/auth/guards.server";
import { mayTransferLicenses } from "~/auth/policy.server";
import { listPools } from "~/licenses/pools.server";
import { CATEGORIES, transferUrl } from "~/licenses/schema";
import { DataTable, NumericHeader } from "~/ui/table";

export const meta: Route.MetaFunction = () => [{ title: "Licenses · Company Settings · Switchboard" }];

export async function loader({ request, context }: Route.LoaderArgs) {
  const actor = requireLicenseViewer(context, request);
  const pools = await listPools(await getDb(), actor);
  return {
    pools,
    isCompanyAdmin: actor.person.isCompanyAdmin,
    canTransfer: mayTransferLicenses(actor).ok,
  };
}

export default function Licenses({
  loaderData: { pools, isCompanyAdmin, canTransfer },
}: Route.ComponentProps) {
  return (
    <div className="page">
      <p className="breadcrumb">
        Company Settings › <span aria-current="page">Licenses</span>
      </p>
      <div className="page-head">
        <h1>Licenses</h1>
        {canTransfer ? (
          <Link to="/company/licenses/transfer" className="button primary">
            Transfer Licenses
          </Link>
        ) : null}
      </div>
      {!isCompanyAdmin ? (
        <p className="callout">
          These are the licenses of the offices you administer. Only Company Admins transfer licenses.
        </p>
      ) : !canTransfer ? (
        <p className="callout">
          Transfer Licenses between offices is available on the Advanced and Premium plans (and the legacy Pro
          and Enterprise plans).
        </p>
      ) : null}
      {CATEGORIES.map((c) => {
        const rows = pools.filter((p) => p.category === c.code);
        return (
          <section key={c.code} aria-labelledby={`category-${c.code}`} className="panel">
            <div className="page-head">
              <h2 id={`category-${c.code}`}>{c.name}</h2>
              {canTransfer ? (
                <Link
                  to={transferUrl("from", { category: c.code })}
                  aria-label={`Transfer ${c.name} licenses`}
                >
                  Transfer Licenses
                </Link>
              ) : null}
            </div>
            <DataTable
              caption={`${c.name} licenses by office`}
              columns={[
                "Office",
                "Price level",
                "License",
                <NumericHeader label="Purchased" />,
                <NumericHeader label="Assigned" />,
                <NumericHeader label="Unassigned" />,
                "Usage",
              ]}
            >
              {rows.map((p) => (
                <tr key={`${p.officeId}-${p.type}`}>
                  <th scope="row">{p.officeName}</th>
                  <td>{p.priceLevelName}</td>
                  <td>{p.typeName}</td>
                  <td className="numeric">{p.purchased}</td>
                  <td className="numeric">{p.assigned}</td>
                  <td className="numeric">{p.unassigned}</td>
                  <td>
                    <span className="usage">
                      <meter
                        min={0}
                        max={Math.max(p.purchased, 1)}
                        value={p.assigned}
                        aria-label={`${p.typeName} licenses used in ${p.officeName}`}
                      />
                      <span>
                        {p.assigned} of {p.purchased} used
                      </span>
                    </span>
                  </td>
                </tr>
              ))}
            </DataTable>
          </section>
        );
      })}
    </div>
  );
}
