import { redirect } from "react-router";
import { parseWithZod } from "@conform-to/zod/v4";
import type { Route } from "./+types/user.proxy-access";
import { getDb } from "~/db.server";
import { now } from "~/clock.server";
import { idParam, notFound, requireAdmin } from "~/auth/guards.server";
import { redirectWithFlash } from "~/http/result.server";
import { setProxyAccess } from "~/proxy/access.server";
import { proxyAccessSchema } from "~/proxy/schema";

// Give or remove proxy access: a POST from Options > Privileges on the user's
// page. A GET changes nothing and goes back to the user.
export async function loader({ request, context, params }: Route.LoaderArgs) {
  requireAdmin(context, request);
  throw redirect(`/users/${encodeURIComponent(params.userId)}`);
}

export async function action({ request, context, params }: Route.ActionArgs) {
  const actor = requireAdmin(context, request);
  const id = idParam(params.userId, "This user");
  const submission = parseWithZod(await request.formData(), { schema: proxyAccessSchema });
  const back = `/users/${id}`;
  if (submission.status !== "success")
    redirectWithFlash(request, back, "Choose whether to give or remove proxy access.");
  const result = await setProxyAccess(
    await getDb(),
    actor,
    id,
    submission.value.access === "grant",
    now(request),
  );
  if (!result.ok && result.kind === "not_found") notFound(result.message);
  redirectWithFlash(request, back, result.message);
}
