import { data, Form, Link, redirect } from "react-router";
import type { Route } from "./+types/users.deleted.restore";
import { getDb } from "~/db.server";
import { now } from "~/clock.server";
import { idParam, notFound, requireAdmin } from "~/auth/guards.server";
import { flashCookie } from "~/auth/flash.server";
import { findDeleted, restoreUser } from "~/users/deleted.server";
import { CsrfField } from "~/ui/csrf";

export const meta: Route.MetaFunction = () => [{ title: "Restore user · Switchboard" }];

export async function loader({ request, context, params }: Route.LoaderArgs) {
  const actor = requireAdmin(context, request);
  const user = await findDeleted(
    await getDb(),
    actor,
    idParam(params.userId, "This deleted user"),
    now(request),
  );
  if (!user) notFound("This deleted user");
  return { user };
}

export async function action({ request, context, params }: Route.ActionArgs) {
  const actor = requireAdmin(context, request);
  const db = await getDb();
  const at = now(request);
  const id = idParam(params.userId, "This deleted user");
  const user = await findDeleted(db, actor, id, at);
  if (!user) notFound("This deleted user");
  const result = await restoreUser(db, actor, id, at);
  if (!result.ok) return data({ error: result.message }, { status: result.forbidden ? 403 : 409 });
  throw redirect("/users/deleted", {
    headers: {
      "Set-Cookie": flashCookie(
        request,
        `${result.name} is restored, with their license, numbers and groups.`,
      ),
    },
  });
}

export default function RestoreUser({ loaderData, actionData }: Route.ComponentProps) {
  const { user } = loaderData;
  return (
    <div className="page narrow">
      <p className="breadcrumb">
        <Link to="/users/deleted">Office › Users › Deleted Users</Link> ›{" "}
        <span aria-current="page">Restore</span>
      </p>
      <h1>Restore {user.name}?</h1>
      {actionData?.error || user.refusal ? (
        <p className="callout danger" role="alert">
          {actionData?.error ?? `${user.name} cannot be restored: ${user.refusal}`}
        </p>
      ) : null}
      {user.refusal ? (
        // The rule restore and permanent deletion share says no: no button to press only to be refused.
        <p>
          <Link to="/users/deleted">Back to Deleted Users</Link>
        </p>
      ) : (
        <Form method="post" className="panel form">
          <CsrfField />
          <p>
            {user.name} ({user.email}, {user.officeName}) gets back their account, their license, the numbers
            held for them and their group memberships.
          </p>
          <div className="form-actions">
            <button type="submit" className="button primary">
              Restore {user.name}
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
