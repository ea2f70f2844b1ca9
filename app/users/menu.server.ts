/**
 * What a user's Options menu offers this admin (app/ui/user-options.tsx):
 * each item asks the policy, from what the page's one query already read of
 * the user, so the list's fifty menus cost no query of their own.
 */
import type { UserStatus } from "../../db/schema.ts";
import type { Actor } from "../auth/actor.server.ts";
import {
  mayChangeProxyAccess,
  mayEditUser,
  mayProxy,
  mayTransferUsers,
  proxyTargetOf,
  reasonOf,
} from "../auth/policy.server.ts";
import type { UserMenu } from "../ui/user-options.tsx";

export interface MenuUser {
  id: number;
  name: string;
  status: Exclude<UserStatus, "deleted">;
  officeId: number;
  isCompanyAdmin: boolean;
  /** The offices they administer (not every office for a Company Admin: their flag says that). */
  adminOffices: { id: number }[];
  proxyAccessGranted: boolean;
  liveInviteId: number | null;
}

export function userMenu(actor: Actor, u: MenuUser): UserMenu {
  const target = proxyTargetOf(u, actor.company.id);
  const grant = !u.proxyAccessGranted;
  return {
    id: u.id,
    name: u.name,
    invite: u.status === "pending" ? String(u.liveInviteId ?? "none") : null,
    proxyLogin: reasonOf(mayProxy(actor, target)),
    proxyAccess: actor.person.isCompanyAdmin
      ? { grant, refusal: reasonOf(mayChangeProxyAccess(actor, target, grant)) }
      : null,
    edit: reasonOf(mayEditUser(actor, u)),
    transfer: reasonOf(mayTransferUsers(actor)),
    suspended: u.status === "suspended",
  };
}
