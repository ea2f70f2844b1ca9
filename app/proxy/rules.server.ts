/**
 * Who may proxy into whom, and who may give or remove proxy access: the one
 * place these rules live. The user's page asks them to enable or disable its
 * menu items (showing the reason), the actions ask them before changing
 * anything, and loadActor asks mayProxy again on every request of a proxy
 * session, so a right taken away ends the proxy on the next click.
 *
 * The rules (docs/domain.md, "People and roles" and "Proxy login"):
 * - only on a higher-tier plan;
 * - the admin has proxy access: granted, or a Company Admin (who has it without a grant);
 * - never from inside another proxy, never into oneself;
 * - only into active users of the admin's company and offices;
 * - never into someone with more privileges: an Office Admin cannot proxy into a
 *   Company Admin, nor into an admin of an office they do not administer themselves.
 *   A Company Admin may proxy into another Company Admin: the same privileges.
 * A regular user who was granted proxy access administers no office, so has
 * nobody in scope: the grant matters for Office Admins.
 */
import type { UserStatus } from "../../db/schema.ts";
import type { Actor } from "../auth/actor.server.ts";

export type Decision = { ok: true } | { ok: false; reason: string };

/** The person an admin would proxy into, as the rule needs them. */
export interface ProxyTarget {
  id: number;
  companyId: number;
  officeId: number;
  name: string;
  status: UserStatus;
  isCompanyAdmin: boolean;
  /** The offices the target administers (not every office for a Company Admin: their flag says that). */
  adminOfficeIds: number[];
}

type RuleActor = Pick<Actor, "person" | "company" | "higherTier" | "adminOfficeIds" | "proxy">;

export const HIGHER_TIER_ONLY =
  "Proxy login is available on the Advanced and Premium plans (and the legacy Pro and Enterprise plans) only.";

export const ALREADY_PROXYING = "You are already proxying. Select Back to return to your own account first.";

const refuse = (reason: string): Decision => ({ ok: false, reason });

/** Proxy access: granted, or a Company Admin on a higher-tier plan. */
export const hasProxyAccess = (actor: RuleActor) =>
  actor.higherTier && (actor.person.hasProxyAccess || actor.person.isCompanyAdmin);

export function mayProxy(actor: RuleActor, target: ProxyTarget): Decision {
  if (actor.proxy) return refuse(ALREADY_PROXYING);
  if (!actor.higherTier) return refuse(HIGHER_TIER_ONLY);
  if (!hasProxyAccess(actor))
    return refuse("You do not have proxy access. A Company Admin can give it to you.");
  if (target.id === actor.person.id) return refuse("You cannot proxy into your own account.");
  const inScope =
    target.companyId === actor.company.id &&
    (actor.person.isCompanyAdmin || actor.adminOfficeIds.includes(target.officeId));
  if (!inScope) return refuse(`${target.name} is not in your offices.`);
  if (target.status === "pending")
    return refuse(`${target.name} has not signed in yet: only active users can be proxied into.`);
  if (target.status === "deleted")
    return refuse(`${target.name} is deleted: only active users can be proxied into.`);
  if (!actor.person.isCompanyAdmin) {
    if (target.isCompanyAdmin)
      return refuse(`${target.name} is a Company Admin: an Office Admin cannot proxy into a Company Admin.`);
    if (target.adminOfficeIds.some((o) => !actor.adminOfficeIds.includes(o))) {
      return refuse(
        `${target.name} administers offices you do not: you cannot proxy into someone with more privileges.`,
      );
    }
  }
  return { ok: true };
}

/** Give or remove proxy access: Company Admins only, on a higher-tier plan, for users who have signed in. */
export function mayChangeProxyAccess(actor: RuleActor, target: ProxyTarget, grant: boolean): Decision {
  if (actor.proxy) return refuse("Proxy access cannot be changed while you are proxying.");
  if (!actor.person.isCompanyAdmin) return refuse("Only a Company Admin can give or remove proxy access.");
  if (!actor.higherTier) return refuse(HIGHER_TIER_ONLY);
  if (target.companyId !== actor.company.id) return refuse(`${target.name} is not in your company.`);
  if (target.status === "pending") {
    return refuse(`${target.name} has not signed in yet: their permissions can be changed once they have.`);
  }
  if (target.status === "deleted") return refuse(`${target.name} is deleted.`);
  if (grant && target.isCompanyAdmin)
    return refuse(`${target.name} is a Company Admin, who has proxy access without a grant.`);
  return { ok: true };
}

/** The rule's view of a user as the user's page loaded them (within the admin's scope). */
export function proxyTargetOf(
  user: {
    id: number;
    officeId: number;
    name: string;
    status: UserStatus;
    isCompanyAdmin: boolean;
    adminOffices: { id: number }[];
  },
  companyId: number,
): ProxyTarget {
  return {
    id: user.id,
    companyId,
    officeId: user.officeId,
    name: user.name,
    status: user.status,
    isCompanyAdmin: user.isCompanyAdmin,
    adminOfficeIds: user.adminOffices.map((o) => o.id),
  };
}
