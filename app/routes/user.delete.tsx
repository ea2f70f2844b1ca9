import { data, Form, Link, redirect, useNavigation } from "react-router";
import { z } from "zod";
import type { Route } from "./+types/user.delete";
import { getDb } from "~/db.server";
import { now } from "~/clock.server";
import { idParam, notFound, requireAdmin } from "~/auth/guards.server";
import { flashCookie } from "~/auth/flash.server";
import { getUserProfile } from "~/users/profile.server";
import { planBulk } from "~/users/bulk.server";
import { deleteUsers } from "~/users/delete.server";
import { CsrfField } from "~/ui/csrf";
import { LICENSE_NAMES } from "~/ui/format";

export const meta: Route.MetaFunction = ({ data }) => [
  { title: `Delete ${data?.user.name ?? "user"} · Switchboard` },
];

async function load(request: Request, context: Route.LoaderArgs["context"], userId: string) {
  const actor = requireAdmin(context, request);
  const id = idParam(userId, "This user");
  const db = await getDb();
  const user = await getUserProfile(db, actor, id);
  if (!user) notFound("This user");
  return { actor, db, user };
}

export async function loader({ request, context, params }: Route.LoaderArgs) {
  const { actor, db, user } = await load(request, context, params.userId);
  const [plan] = (await planBulk(db, actor, "delete", [user.id])).outcomes;
  return { user, refusal: plan?.outcome === "skipped" ? plan.detail : null };
}

const schema = z.object({
  license: z.enum(["keep", "remove"], "Choose whether to keep or remove the license."),
});

export async function action({ request, context, params }: Route.ActionArgs) {
  const { actor, db, user } = await load(request, context, params.userId);
  const parsed = schema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return data({ error: parsed.error.issues[0]!.message }, { status: 400 });
  const { outcomes } = await deleteUsers(db, actor, [user.id], parsed.data.license, now(request));
  const outcome = outcomes[0];
  // No outcome: another admin deleted them between this page's load and the lock.
  if (!outcome)
    return data({ error: `${user.name} was deleted by someone else meanwhile.` }, { status: 409 });
  if (outcome.outcome === "skipped") return data({ error: outcome.detail }, { status: 409 });
  const message =
    user.status === "pending"
      ? `${user.name} is deleted for good.`
      : `${user.name} is deleted. You can restore them from Deleted Users for 72 hours.`;
  throw redirect("/users", { headers: { "Set-Cookie": flashCookie(request, message) } });
}

export default function DeleteUser({ loaderData, actionData }: Route.ComponentProps) {
  const { user, refusal } = loaderData;
  const busy = useNavigation().state === "submitting";
  const error = actionData?.error;
  return (
    <div className="page narrow">
      <p className="breadcrumb">
        <Link to="/users">Office › Users</Link> › <Link to={`/users/${user.id}`}>{user.name}</Link> ›{" "}
        <span aria-current="page">Delete</span>
      </p>
      <h1>Delete {user.name}?</h1>
      {refusal ? (
        <>
          <p className="callout danger" role="alert">
            {user.name} cannot be deleted: {refusal}
          </p>
          <p>
            <Link to={`/users/${user.id}`}>Back to {user.name}</Link>
          </p>
        </>
      ) : (
        <Form method="post" className="panel form">
          <CsrfField />
          {user.status === "pending" ? (
            <p>
              {user.name} ({user.email}) has not signed in yet: the deletion is final at once. Their invite
              stops working and{" "}
              {user.numbers.length
                ? "their number goes straight to the Reserved Pool"
                : "they have no number"}
              .
            </p>
          ) : (
            <>
              <p>
                {user.name} ({user.email}, {user.officeName}) will no longer be able to sign in, and their
                sessions end. You can restore them from Deleted Users for 72 hours; after that, they are
                anonymized for good.
              </p>
              <ul>
                <li>
                  {user.numbers.length
                    ? `Their ${user.numbers.length === 1 ? "number" : "numbers"} (${user.numbers.map((n) => n.formatted).join(", ")}) ${user.numbers.length === 1 ? "goes" : "go"} to the Reserved Pool, on hold for a restore.`
                    : "They have no phone number."}
                </li>
                <li>
                  {user.groups.length
                    ? `Their memberships of ${user.groups.map((g) => g.name).join(", ")} are kept on hold for a restore.`
                    : "They are not a member of any group."}
                </li>
              </ul>
            </>
          )}
          <fieldset aria-describedby={error ? "delete-error" : undefined}>
            <legend>Their {LICENSE_NAMES[user.licenseType]} license</legend>
            <label className="choice">
              <input type="radio" name="license" value="keep" defaultChecked /> Keep the license (the seat
              stays purchased, now unassigned)
            </label>
            <label className="choice">
              <input type="radio" name="license" value="remove" /> Remove the license (one fewer seat
              purchased)
            </label>
          </fieldset>
          {error ? (
            <p id="delete-error" className="field-error" role="alert">
              {error}
            </p>
          ) : null}
          <div className="form-actions">
            <button type="submit" className="button danger" disabled={busy}>
              Delete {user.name}
            </button>
            <Link to={`/users/${user.id}`} className="button subtle">
              Cancel
            </Link>
          </div>
        </Form>
      )}
    </div>
  );
}
