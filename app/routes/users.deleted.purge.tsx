import { data, Form, Link, redirect } from "react-router";
import type { Route } from "./+types/users.deleted.purge";
import { getDb } from "~/db.server";
import { now } from "~/clock.server";
import { idParam, notFound, requireAdmin } from "~/auth/guards.server";
import { flashCookie } from "~/auth/flash.server";
import { findDeleted, permanentlyDelete } from "~/users/deleted.server";
import { CsrfField } from "~/ui/csrf";

export const meta: Route.MetaFunction = () => [{ title: "Permanently delete user · Switchboard" }];

async function load(request: Request, context: Route.LoaderArgs["context"], raw: string) {
  const actor = requireAdmin(context, request);
  const id = idParam(raw, "This deleted user");
  const db = await getDb();
  const user = await findDeleted(db, actor, id, now(request));
  if (!user) notFound("This deleted user");
  return { actor, db, user };
}

export async function loader({ request, context, params }: Route.LoaderArgs) {
  const { user } = await load(request, context, params.userId);
  return { user };
}

export async function action({ request, context, params }: Route.ActionArgs) {
  const { actor, db, user } = await load(request, context, params.userId);
  // The same rule as restore, asked again under the row lock.
  const result = await permanentlyDelete(db, actor, user.id, now(request));
  if (!result.ok) return data({ error: result.message }, { status: result.forbidden ? 403 : 409 });
  throw redirect("/users/deleted", {
    headers: {
      "Set-Cookie": flashCookie(request, "The user is permanently deleted and their records are anonymized."),
    },
  });
}

export default function PurgeUser({ loaderData: { user }, actionData }: Route.ComponentProps) {
  const refusal = actionData?.error ?? user.refusal;
  return (
    <div className="page narrow">
      <p className="breadcrumb">
        <Link to="/users/deleted">Office › Users › Deleted Users</Link> ›{" "}
        <span aria-current="page">Permanently delete</span>
      </p>
      <h1>Permanently delete {user.name}?</h1>
      {refusal ? (
        <>
          <p className="callout danger" role="alert">
            {user.name} cannot be permanently deleted: {refusal}
          </p>
          <p>
            <Link to="/users/deleted">Back to Deleted Users</Link>
          </p>
        </>
      ) : (
        <Form method="post" className="panel form">
          <CsrfField />
          <p className="callout danger">
            {user.name} ({user.email}) can no longer be restored after this. Their name, email, settings and
            every other personal detail are erased everywhere and replaced by "Deleted user". The numbers held
            for them become available in the Reserved Pool. This cannot be undone.
          </p>
          <div className="form-actions">
            <button type="submit" className="button danger">
              Permanently delete {user.name}
            </button>
            <Link to="/users/deleted" className="button subtle">
              Cancel
            </Link>
          </div>
        </Form>
      )}
    </div>
  );
}
