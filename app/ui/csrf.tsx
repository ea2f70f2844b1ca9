import { useRouteLoaderData } from "react-router";

/** The anti-forgery token every POST form carries (checked in app/auth/csrf.server.ts). */
export function CsrfField() {
  const root = useRouteLoaderData("root") as { csrf?: string } | undefined;
  return <input type="hidden" name="csrf" value={root?.csrf ?? ""} />;
}
