import { type RouteConfig, index, route } from "@react-router/dev/routes";

export default [
  index("routes/home.tsx"),
  route("healthz", "routes/healthz.tsx"),
  route("login", "routes/login.tsx"),
  route("logout", "routes/logout.tsx"),
  route("settings", "routes/settings.tsx"),
  route("users", "routes/users.tsx", [
    index("routes/users.active.tsx"),
    route("reserved-numbers", "routes/users.reserved-numbers.tsx"),
    route("deleted", "routes/users.deleted.tsx"),
  ]),
  route("users/:userId", "routes/user.tsx"),
  route("users/:userId/proxy", "routes/user.proxy.tsx"),
  route("users/:userId/proxy-access", "routes/user.proxy-access.tsx"),
  route("proxy/end", "routes/proxy.end.tsx"),
  route("*", "routes/not-found.tsx"),
] satisfies RouteConfig;
