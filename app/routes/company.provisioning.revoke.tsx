import { Form, Link, redirect } from "react-router";
import type { Route } from "./+types/company.provisioning.revoke";
import { getDb } from "~/db.server";
import { now } from "~/clock.server";
import { idParam, notFound, requireProvisioningAdmin } from "~/auth/guards.server";
import { flashCookie } from "~/auth/flash.server";
import { findToken, revokeToken } from "~/provisioning/tokens.server";
import { CsrfField } from "~/ui/csrf";

export const meta: Route.MetaFunction = () => [{ title: "Revoke token · Provisioning · Switchboard" }];

export async function loader({ request, context, params }: Route.LoaderArgs) {
  const actor = requireProvisioningAdmin(context, request);
  const token = await findToken(await getDb(), actor.company.id, idParam(params.tokenId, "This token"));
  if (!token) notFound("This token");
  return { token: { id: token.id, name: token.name, revoked: token.revokedAt !== null } };
}

export async function action({ request, context, params }: Route.ActionArgs) {
  const actor = requireProvisioningAdmin(context, request);
  const id = idParam(params.tokenId, "This token");
  const db = await getDb();
  const token = await findToken(db, actor.company.id, id);
  if (!token) notFound("This token");
  const result = await revokeToken(db, actor, id, now(request));
  const message = result.ok
    ? `Token ${result.name} is revoked: requests with it are refused from now on.`
    : `Token ${token.name} was already revoked.`;
  throw redirect("/company/provisioning", { headers: { "Set-Cookie": flashCookie(request, message) } });
}

export default function RevokeToken({ loaderData: { token } }: Route.ComponentProps) {
  return (
    <div className="page narrow">
      <p className="breadcrumb">
        Company Settings › <Link to="/company/provisioning">Provisioning</Link> ›{" "}
        <span aria-current="page">Revoke token</span>
      </p>
      <h1>Revoke token {token.name}?</h1>
      {token.revoked ? (
        <p className="callout">This token is already revoked.</p>
      ) : (
        <>
          <p>
            The identity provider that uses it is refused from the next request on, and the token cannot be
            used again. Users it provisioned stay as they are.
          </p>
          <Form method="post" className="form">
            <CsrfField />
            <div className="form-actions">
              <button type="submit" className="button danger">
                Revoke token
              </button>{" "}
              <Link to="/company/provisioning" className="button">
                Cancel
              </Link>
            </div>
          </Form>
        </>
      )}
    </div>
  );
}
