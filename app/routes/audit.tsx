import { data, Form, useLocation } from "react-router";
import { getFormProps, useForm } from "@conform-to/react";
import type { Route } from "./+types/audit";
import { getDb } from "~/db.server";
import { requireAdmin } from "~/auth/guards.server";
import { listAudit, readAuditFilters, type AuditChange } from "~/audit/log.server";
import { listTokens } from "~/provisioning/tokens.server";
import { AUDIT_ACTIONS, auditUrl, FILTER_KEYS, type AuditFilters } from "~/audit/log-params";
import { SelectField, TextField } from "~/ui/field";
import { formatDateTime } from "~/ui/format";
import { PageLinks } from "~/ui/pagination";
import { FilterActions } from "~/ui/list";
import { DataTable } from "~/ui/table";

export const meta: Route.MetaFunction = () => [{ title: "Audit log · Switchboard" }];

export async function loader({ request, context }: Route.LoaderArgs) {
  const actor = requireAdmin(context, request);
  const { filters, reply } = readAuditFilters(new URL(request.url));
  const db = await getDb();
  const [result, tokens] = await Promise.all([
    listAudit(db, actor, filters),
    listTokens(db, actor.company.id),
  ]);
  const kept = Object.fromEntries(FILTER_KEYS.map((k) => [k, filters[k]])) as Partial<AuditFilters>;
  return data(
    {
      ...result,
      tokens: tokens.map((t) => ({ id: t.id, name: t.revokedAt ? `${t.name} (revoked)` : t.name })),
      filters: kept,
      reply,
      scope: actor.person.isCompanyAdmin ? "All offices" : "Your offices",
    },
    // A filter the page could not use is a bad request, shown beside its field.
    { status: reply ? 400 : 200 },
  );
}

function Changes({ changes, side }: { changes: AuditChange[]; side: "before" | "after" }) {
  const shown = changes.filter((c) => c[side] !== null);
  if (shown.length === 0) return <span className="muted">—</span>;
  return (
    <ul className="plain">
      {shown.map((c) => (
        <li key={c.field}>
          <span className="muted">{c.field}:</span> {c[side]}
        </li>
      ))}
    </ul>
  );
}

export default function AuditLog({ loaderData }: Route.ComponentProps) {
  const { entries, newerCursor, olderCursor, filters, reply, scope, filtered, tokens } = loaderData;
  // Uncontrolled fields: each navigation (Filter, a link, Clear) remounts them with the URL's values, and
  // a new form id makes Conform start again from them (it reads defaultValue once per id).
  const formKey = useLocation().key;
  const [form, fields] = useForm<AuditFilters>({
    id: `audit-filters-${formKey}`,
    lastResult: reply,
    defaultValue: filters,
  });
  return (
    <div className="page">
      <p className="breadcrumb">
        Company Settings › <span aria-current="page">Audit log</span> <span className="muted">· {scope}</span>
      </p>
      <h1>Audit log</h1>
      <Form
        key={formKey}
        method="get"
        {...getFormProps(form)}
        role="search"
        aria-label="Audit log"
        className="toolbar"
      >
        <TextField
          meta={fields.who}
          label="Who"
          type="search"
          hint="Name or email of who acted, or on whose behalf"
        />
        {tokens.length > 0 ? (
          <SelectField
            meta={fields.token}
            label="Provisioning token"
            options={[
              { value: "", label: "Any token" },
              ...tokens.map((t) => ({ value: String(t.id), label: t.name })),
            ]}
          />
        ) : null}
        <TextField
          meta={fields.target}
          label="Target"
          type="search"
          hint="A user's name, a number, a license"
        />
        <SelectField
          meta={fields.action}
          label="Action"
          options={[
            { value: "", label: "Any action" },
            ...Object.entries(AUDIT_ACTIONS).map(([value, label]) => ({ value, label })),
          ]}
        />
        <TextField meta={fields.from} label="From" type="date" hint="A day, in UTC" />
        <TextField meta={fields.to} label="To" type="date" hint="A day, in UTC, included" />
        <FilterActions submit="Filter" clearTo="/audit" filtered={Boolean(filtered || reply)} />
      </Form>

      {entries.length === 0 ? (
        <p className="result-count">No entries match.</p>
      ) : (
        <DataTable
          caption="Audit log entries, newest first"
          className="audit"
          columns={["When", "Who", "On behalf of", "What", "Target", "Before", "After", "From where"]}
        >
          {entries.map((e) => (
            <tr key={e.id}>
              <th scope="row" className="nowrap">
                <time dateTime={new Date(e.at).toISOString()}>{formatDateTime(e.at)}</time>
              </th>
              <td>{e.actor}</td>
              <td>{e.onBehalfOf ?? <span className="muted">—</span>}</td>
              <td>{e.action}</td>
              <td>{e.target}</td>
              <td>
                <Changes changes={e.changes} side="before" />
              </td>
              <td>
                <Changes changes={e.changes} side="after" />
              </td>
              <td className="nowrap">{e.ip ?? <span className="muted">—</span>}</td>
            </tr>
          ))}
        </DataTable>
      )}
      <PageLinks
        prev={newerCursor ? auditUrl({ ...filters, after: newerCursor }) : null}
        next={olderCursor ? auditUrl({ ...filters, before: olderCursor }) : null}
      >
        Newest first
      </PageLinks>
    </div>
  );
}
