import { type RouteConfig, index, route } from "@react-router/dev/routes";

export default [
  index("routes/home.tsx"),
  route("healthz", "routes/healthz.tsx"),
  route("login", "routes/login.tsx"),
  route("invite/:token", "routes/invite.tsx"),
  route("logout", "routes/logout.tsx"),
  route("settings", "routes/settings.tsx"),
  route("users", "routes/users.tsx", [
    index("routes/users.active.tsx"),
    route("reserved-numbers", "routes/users.reserved-numbers.tsx"),
    route("deleted", "routes/users.deleted.tsx"),
  ]),
  route("users/new", "routes/users.new.tsx"),
  route("users/bulk", "routes/users.bulk.tsx"),
  route("users/bulk/:resultId", "routes/users.bulk.result.tsx"),
  route("users/reserved-numbers/:numberId/reassign", "routes/reserved-number.reassign.tsx"),
  route("users/reserved-numbers/:numberId/delete", "routes/reserved-number.delete.tsx"),
  route("users/:userId", "routes/user.tsx"),
  route("users/:userId/numbers", "routes/user.numbers.tsx"),
  route("users/:userId/numbers/:numberId/remove", "routes/user.numbers.remove.tsx"),
  route("users/:userId/delete", "routes/user.delete.tsx"),
  route("users/:userId/resend-invite", "routes/user.resend-invite.tsx"),
  route("users/deleted/:userId/restore", "routes/users.deleted.restore.tsx"),
  route("users/deleted/:userId/purge", "routes/users.deleted.purge.tsx"),
  route("*", "routes/not-found.tsx"),
] satisfies RouteConfig;
