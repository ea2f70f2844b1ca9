import { Outlet } from "react-router";
import type { Route } from "./+types/users";
import { requireAdmin } from "~/auth/guards.server";
import { TabBar } from "~/ui/tabs";

export async function loader({ request, context }: Route.LoaderArgs) {
  const actor = requireAdmin(context, request);
  return { scope: actor.person.isCompanyAdmin ? "All offices" : "Your offices" };
}

export default function UsersLayout({ loaderData }: Route.ComponentProps) {
  return (
    <div className="page">
      <p className="breadcrumb">
        Office › <span aria-current="page">Users</span> <span className="muted">· {loaderData.scope}</span>
      </p>
      <h1>Users</h1>
      <TabBar
        label="Users"
        tabs={[
          { to: "/users", label: "Active or Pending Users", end: true },
          { to: "/users/reserved-numbers", label: "Reserved Numbers" },
          { to: "/users/deleted", label: "Deleted Users" },
        ]}
      />
      <Outlet />
    </div>
  );
}
