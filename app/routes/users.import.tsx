import { data, Form, Link } from "react-router";
import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { Route } from "./+types/users.import";
import { getDb } from "~/db.server";
import { now } from "~/clock.server";
import { requireAdmin } from "~/auth/guards.server";
import { redirectWithFlash, refusalReply } from "~/http/result.server";
import { startImport } from "~/users/import-review.server";
import { importFileSchema } from "~/users/import-schema";
import { Breadcrumb, USERS_CRUMB } from "~/ui/breadcrumb";
import { CsrfField } from "~/ui/csrf";
import { FormActions } from "~/ui/form-actions";
import { FormErrors, TextField } from "~/ui/field";
import { DataTable } from "~/ui/table";

export const meta: Route.MetaFunction = () => [{ title: "Import users · Switchboard" }];

export function loader({ request, context }: Route.LoaderArgs) {
  requireAdmin(context, request);
  return null;
}

export async function action({ request, context }: Route.ActionArgs) {
  const actor = requireAdmin(context, request);
  const submission = parseWithZod(await request.formData(), { schema: importFileSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  const started = await startImport(await getDb(), actor, submission.value.file, now(request));
  if (!started.ok) return refusalReply(submission, started);
  redirectWithFlash(
    request,
    `/users/import/${started.jobId}`,
    "The file is uploaded. Nothing is imported yet.",
  );
}

/** What each column may hold, as the page and the README say it. */
const COLUMNS: [string, string][] = [
  [
    "Email",
    "Required: the key. A new email adds a pending user (invited as Add User invites); a known one updates them.",
  ],
  ["First name, Last name", "Required for a new user."],
  ["Office", "Required for a new user: one of your offices, by name."],
  [
    "License",
    "Connect, Sell or Support (Connect when empty). For a user who exists, use Change license type.",
  ],
  ["Extension", "2 to 6 digits, or empty for none."],
  ["Job title", "Optional."],
  [
    "Number",
    "A new user’s number from the office’s Reserved Numbers, or empty for the office’s next number.",
  ],
];

export default function ImportUsers({ actionData }: Route.ComponentProps) {
  const [form, fields] = useForm({
    lastResult: actionData,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: importFileSchema }),
    shouldValidate: "onSubmit",
  });
  return (
    <div className="page narrow">
      <Breadcrumb trail={[USERS_CRUMB]} current="Import users" />
      <h1>Import users</h1>
      <p>
        Upload a CSV file of users: you see what would change, row by row, before anything is imported. A file
        from <strong>Export CSV</strong> imports as it is, so you can export, edit and import to change many
        users at once.
      </p>
      <Form method="post" encType="multipart/form-data" {...getFormProps(form)} className="panel form">
        <CsrfField />
        <FormErrors id={form.errorId} errors={form.errors} />
        <TextField
          meta={fields.file}
          label="CSV file"
          type="file"
          accept=".csv,text/csv"
          hint="UTF-8, comma or semicolon separated, a header line first; at most 20 MB and 100,000 rows."
        />
        <FormActions
          submit={{ label: "Upload and review", busyLabel: "Checking the file…" }}
          cancel={{ to: "/users", className: "button subtle" }}
        />
      </Form>
      <h2>What the file may hold</h2>
      <p>
        Columns in any order, headers in any letter case. Export CSV’s other columns (Admin, Proxy access,
        Status, dates) are skipped.{" "}
        <Link to="/users/import/template" reloadDocument>
          Download a template
        </Link>{" "}
        (the headers and one example row).
      </p>
      <DataTable compact caption="The columns of an import file" columns={["Column", "What it holds"]}>
        {COLUMNS.map(([column, what]) => (
          <tr key={column}>
            <th scope="row">{column}</th>
            <td>{what}</td>
          </tr>
        ))}
      </DataTable>
    </div>
  );
}
