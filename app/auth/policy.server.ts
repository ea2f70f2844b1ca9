/**
 * The policy: every "may they?" of the app, each answering the same way, a
 * Decision: allowed, or refused with a reason for people. Pages ask it to
 * enable or disable an item (showing the reason: `reasonOf`), guards and
 * actions ask it again before changing anything.
 *
 * It reads only the actor it is given (a PolicyActor: any Actor is one), so
 * the actor's loading (actor.server.ts), which asks mayProxy on every request
 * of a proxy session, can import it without a cycle.
 *
 * Plans: proxy login, license transfers and user transfers only on a
 * higher-tier plan (Advanced, Premium, and the legacy Pro and Enterprise).
 *
 * Proxy login (docs/domain.md, "People and roles" and "Proxy login"):
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
import type { Plan, UserStatus } from "../../db/schema.ts";
import { BULK_ACTIONS, type BulkAction } from "../users/bulk-actions.ts";

export type Decision = { ok: true } | { ok: false; reason: string };

const ALLOWED: Decision = { ok: true };
const refuse = (reason: string): Decision => ({ ok: false, reason });

/** A refusal's reason, or null when allowed: for a page that says why an item is disabled. */
export const reasonOf = (decision: Decision): string | null => (decision.ok ? null : decision.reason);

/** What the policy reads of an actor (see Actor in actor.server.ts). */
export interface PolicyActor {
  person: { id: number; officeId: number; isCompanyAdmin: boolean; hasProxyAccess: boolean };
  company: { id: number };
  higherTier: boolean;
  /** The offices this person administers: every office for a Company Admin. */
  adminOfficeIds: number[];
  isAdmin: boolean;
  /** Set while proxying. */
  proxy: object | null;
  /** Set when a provisioning token acts (app/scim): for the identity provider, not as the person who made it. */
}

const HIGHER_TIER_PLANS: readonly Plan[] = ["advanced", "premium", "pro", "enterprise"];
/** A plan fact, not a decision: the actor's `higherTier` is read from it once per request. */
export const isHigherTier = (plan: Plan) => HIGHER_TIER_PLANS.includes(plan);

const PLANS = "the Advanced and Premium plans (and the legacy Pro and Enterprise plans)";

/** Transfer Licenses: Company Admins on a higher-tier plan, acting as themselves. */
export function mayTransferLicenses(actor: PolicyActor): Decision {
  if (actor.proxy) return refuse("Transfer Licenses is not available during Proxy Login.");
  if (!actor.person.isCompanyAdmin) return refuse("Only Company Admins transfer licenses between offices.");
  if (!actor.higherTier) return refuse(`Transfer Licenses is available on ${PLANS}.`);
  return ALLOWED;
}

/** Transfer user (and Transfer users): the same rule as Transfer Licenses, in its own words. */
export function mayTransferUsers(actor: PolicyActor): Decision {
  if (actor.proxy) return refuse("Transfer user is not available during Proxy Login.");
  if (!actor.person.isCompanyAdmin) return refuse("Only Company Admins transfer users between offices.");
  if (!actor.higherTier) return refuse(`Transfer user is available on ${PLANS}.`);
  return ALLOWED;
}

/**
 * Company Settings › Provisioning: Company Admins on any plan, acting as
 * themselves (as for Transfer Licenses). Its tokens act for the whole
 * company, so an Office Admin may not.
 */
export function mayManageProvisioning(actor: PolicyActor): Decision {
  if (actor.proxy || !actor.person.isCompanyAdmin)
    return refuse("Company Settings › Provisioning is for Company Admins, signed in as themselves.");
  return ALLOWED;
}

/**
 * Company Settings › Security: Company Admins on any plan, acting as
 * themselves. Its settings bind every admin's Proxy Login, so an Office
 * Admin may not change them (and the page has nothing to show them).
 */
export function mayManageSecurity(actor: PolicyActor): Decision {
  if (actor.proxy || !actor.person.isCompanyAdmin)
    return refuse("Company Settings › Security is for Company Admins, signed in as themselves.");
  return ALLOWED;
}

/**
 * Edit user: any admin for the users in their scope (usersInScope), but a
 * Company Admin's details only by a Company Admin.
 */
export function mayEditUser(actor: PolicyActor, target: { isCompanyAdmin: boolean }): Decision {
  if (target.isCompanyAdmin && !actor.person.isCompanyAdmin)
    return refuse("Only a Company Admin can edit a Company Admin.");
  return ALLOWED;
}

/**
 * Suspend user and Reactivate user: as for Delete user, any admin for the
 * users in their scope (usersInScope), a Company Admin only by a Company
 * Admin, and never oneself (nobody could reactivate you as you). A
 * provisioning token is no person (SYSTEM_PERSON_ID), so it may deactivate
 * the admin who made it: they left, say.
 */
export function maySuspend(actor: PolicyActor, target: { id: number; isCompanyAdmin: boolean }): Decision {
  if (target.id === actor.person.id) return refuse("You cannot suspend or reactivate yourself.");
  if (target.isCompanyAdmin && !actor.person.isCompanyAdmin)
    return refuse("Only a Company Admin can suspend or reactivate a Company Admin.");
  return ALLOWED;
}

/** A bulk action, by its registry entry's `who`: any admin, or who may transfer users. */
export function mayRunBulk(actor: PolicyActor, action: BulkAction): Decision {
  if (!actor.isAdmin || actor.proxy) return refuse("Office > Users is for Company Admins and Office Admins.");
  return BULK_ACTIONS[action].who === "admin" ? ALLOWED : mayTransferUsers(actor);
}

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

export const HIGHER_TIER_ONLY =
  "Proxy login is available on the Advanced and Premium plans (and the legacy Pro and Enterprise plans) only.";

export const ALREADY_PROXYING = "You are already proxying. Select Back to return to your own account first.";

/** Proxy access: granted, or a Company Admin on a higher-tier plan. */
export const hasProxyAccess = (actor: PolicyActor) =>
  actor.higherTier && (actor.person.hasProxyAccess || actor.person.isCompanyAdmin);

export function mayProxy(actor: PolicyActor, target: ProxyTarget): Decision {
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
  if (target.status === "suspended")
    return refuse(`${target.name} is suspended: only active users can be proxied into.`);
  if (!actor.person.isCompanyAdmin) {
    if (target.isCompanyAdmin)
      return refuse(`${target.name} is a Company Admin: an Office Admin cannot proxy into a Company Admin.`);
    if (target.adminOfficeIds.some((o) => !actor.adminOfficeIds.includes(o))) {
      return refuse(
        `${target.name} administers offices you do not: you cannot proxy into someone with more privileges.`,
      );
    }
  }
  return ALLOWED;
}

/** The refusal for changing the permissions of someone who has not signed in yet. */
const notSignedInYet = (name: string) =>
  refuse(`${name} has not signed in yet: their permissions can be changed once they have.`);

/**
 * Admin access (Company Admin yes/no, Office Admin of which offices): Company
 * Admins only, acting as themselves, for users who have signed in. Office
 * Admins see it read-only. Outside the admin's company is the 404 of a missing
 * user (usersInScope); the last active Company Admin is the change's own rule
 * (setAdminAccess), counted under the company's lock.
 */
export function mayChangeAdminAccess(
  actor: PolicyActor,
  target: { name: string; status: UserStatus },
): Decision {
  if (actor.proxy) return refuse("Admin access cannot be changed while you are proxying.");
  if (!actor.person.isCompanyAdmin) return refuse("Only a Company Admin can change admin access.");
  if (target.status === "pending") return notSignedInYet(target.name);
  if (target.status === "deleted") return refuse(`${target.name} is deleted.`);
  return ALLOWED;
}

/** Give or remove proxy access: Company Admins only, on a higher-tier plan, for users who have signed in. */
export function mayChangeProxyAccess(actor: PolicyActor, target: ProxyTarget, grant: boolean): Decision {
  if (actor.proxy) return refuse("Proxy access cannot be changed while you are proxying.");
  if (!actor.person.isCompanyAdmin) return refuse("Only a Company Admin can give or remove proxy access.");
  if (!actor.higherTier) return refuse(HIGHER_TIER_ONLY);
  if (target.companyId !== actor.company.id) return refuse(`${target.name} is not in your company.`);
  if (target.status === "pending") return notSignedInYet(target.name);
  if (target.status === "deleted") return refuse(`${target.name} is deleted.`);
  if (grant && target.isCompanyAdmin)
    return refuse(`${target.name} is a Company Admin, who has proxy access without a grant.`);
  return ALLOWED;
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
