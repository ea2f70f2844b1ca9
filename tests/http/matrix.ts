/**
 * THE AUTHORIZATION MATRIX: every route of app/routes.ts, its GET and its POST
 * (a row per form where an action tells its forms apart by an `intent`
 * field), against every kind of actor, with the answer expected.
 * tests/http/authz-matrix.test.ts walks it over HTTP against the built server
 * on fresh demo data, and fails for a route the server has without a row here.
 *
 * Adding a route: add a row with its pattern exactly as in app/routes.ts
 * (leading slash), one per method it answers, with an answer for all seven
 * actors. A row whose path has a {placeholder} of a target runs once per
 * target (sf, ny, globex) and takes per-target answers.
 *
 * Answers: "200", "403", "404"… or "302 <Location>" (React Router's
 * redirect). LOGIN is the sign-in redirect back to the page asked for.
 *
 * Conventions for POSTs (the answer must show what authorization decided,
 * and the walk must not change what later rows see):
 * - every POST passes the anti-forgery check (see tests/support/http-client.ts);
 * - a POST that would succeed is sent so that the action refuses it *after*
 *   its authorization: an invalid body (400) where the action checks scope
 *   before the body, else a valid body the domain refuses (a stale review
 *   key, a number on hold, a number the user does not hold: 409);
 * - restore and permanent deletion have no body and no such refusal: their
 *   allowed cells are sent for real, each on a user the walker has just
 *   deleted through the app ({fresh}, or {freshCompanyAdmin} for a Company
 *   Admin); refused cells use the standing deleted user ({deletedUser}, or
 *   {deletedCompanyAdmin});
 * - logout and Back (proxy/end) end what they end: they run on a new session.
 */

export const ACTORS = {
  anonymous: "nobody signed in",
  user: "uma@acme.test, a regular user in San Francisco",
  officeAdminWithProxy: "oscar@acme.test, Office Admin of San Francisco, with proxy access",
  officeAdmin: "olive@acme.test, Office Admin of New York, without proxy access",
  companyAdminAdvanced: "ada@acme.test, Company Admin of Acme (Advanced plan)",
  // Gina is also the admin of another company: every Acme target is foreign to her, every Globex one to the others.
  companyAdminStandard: "gina@globex.test, Company Admin of Globex (Standard plan)",
  proxying: "ada@acme.test while proxying as uma@acme.test",
} as const;
export type ActorKind = keyof typeof ACTORS;

/** Whose things a parameterized row is about. */
export const TARGETS = {
  sf: "Acme San Francisco: Marcus Chen; Sienna Walsh (deleted) and her number on hold; Kwame Mensah (made a Company Admin, deleted by Ada before the walk)",
  ny: "Acme New York: Ethan Brooks; Daniel Kim (deleted) and his number on hold; Nadia Petrova (made a Company Admin, deleted by Ada before the walk)",
  globex:
    "Globex Springfield: Walter Price; Carl Lund (deleted by Gina before the walk) and his number on hold; Edna Kowal (made a Company Admin, deleted by Gina before the walk)",
} as const;
export type Target = keyof typeof TARGETS;

/** The ids a path or body may name, per target: see tests/http/authz-matrix.test.ts for where they come from. */
export interface TargetIds {
  user: number;
  userNumber: number;
  mainLineNumber: number;
  office: number;
  deletedUser: number;
  heldNumber: number;
  /** A second Company Admin of the target's office, deleted: what only Company Admins may restore or end. */
  deletedCompanyAdmin: number;
}
/** Ids that are not per target. */
export interface SharedIds {
  /** A bulk action's result page, made by Ada (Kevin Park of Austin made Office Admin). */
  bulkResult: number;
  /** A bulk job's page, made by Ada (admin access for Acme's pending users, who are all skipped). */
  bulkJob: number;
  /** Jasper's invite, resent by Ada before the walk. */
  inviteToken: string;
  /** Uma, whom the proxying actor acts as. */
  proxiedUser: number;
  /** An import's review, of a file Ada uploaded (one new user in San Francisco). */
  importReview: number;
}

export type Answer = `${number}` | `${number} ${string}`;
export type Cell = Answer | Record<Target, Answer>;

export interface Row {
  /** The pattern as in app/routes.ts, with a leading slash. */
  route: string;
  method: "GET" | "POST";
  /** The path requested, with {placeholders}; the route pattern by default. */
  path?: string;
  body?: Record<string, string>;
  /** Why this body or target (see the conventions above). */
  note?: string;
  /** The request ends its session: it runs on a new one. */
  ownSession?: true;
  /**
   * Cells expecting this answer run on a user deleted just before ({fresh}, {freshCompanyAdmin}); the others
   * on the standing one ({deletedUser}, {deletedCompanyAdmin}).
   */
  fresh?: Answer;
  expect: Record<ActorKind, Cell>;
}

/** Signed out: to the sign-in page, coming back here afterwards. */
export const LOGIN = "302 /login?redirectTo={here}";
const SETTINGS: Answer = "302 /settings";
const USERS: Answer = "302 /users";

/** `ok` in these targets, 404 (not yours, or no such thing) in the others. */
export function only(targets: Target[], ok: Answer): Record<Target, Answer> {
  return { sf: "404", ny: "404", globex: "404", ...Object.fromEntries(targets.map((t) => [t, ok])) };
}

/**
 * The usual answers of an admin page about one target: signed out to sign-in,
 * a regular user 403, the proxying admin back to the proxied settings, each
 * admin `ok` within their scope and 404 outside it.
 */
function adminScoped(ok: Answer): Record<ActorKind, Cell> {
  return {
    anonymous: LOGIN,
    user: "403",
    officeAdminWithProxy: only(["sf"], ok),
    officeAdmin: only(["ny"], ok),
    companyAdminAdvanced: only(["sf", "ny"], ok),
    companyAdminStandard: only(["globex"], ok),
    proxying: SETTINGS,
  };
}

/**
 * What only a Company Admin may do to a target, though an Office Admin sees it
 * (a deleted Company Admin of their office): the Office Admin is refused
 * (403) within their scope, and 404 outside it as ever.
 */
function companyAdminsOnly(ok: Answer): Record<ActorKind, Cell> {
  return {
    ...adminScoped(ok),
    officeAdminWithProxy: only(["sf"], "403"),
    officeAdmin: only(["ny"], "403"),
  };
}

/** An admin page with no target: every admin gets `ok`. */
function adminPage(ok: Answer): Record<ActorKind, Cell> {
  return {
    anonymous: LOGIN,
    user: "403",
    officeAdminWithProxy: ok,
    officeAdmin: ok,
    companyAdminAdvanced: ok,
    companyAdminStandard: ok,
    proxying: SETTINGS,
  };
}

function everyone(answer: Answer): Record<ActorKind, Cell> {
  return Object.fromEntries(Object.keys(ACTORS).map((a) => [a, answer])) as Record<ActorKind, Cell>;
}

/** The stale review key the confirmation forms carry: valid in shape, refused after the scope check. */
const STALE = "stale-review";

export const MATRIX: Row[] = [
  {
    route: "/",
    method: "GET",
    expect: {
      anonymous: "302 /login",
      user: SETTINGS,
      officeAdminWithProxy: USERS,
      officeAdmin: USERS,
      companyAdminAdvanced: USERS,
      companyAdminStandard: USERS,
      proxying: SETTINGS,
    },
  },
  { route: "/healthz", method: "GET", expect: everyone("200") },
  {
    route: "/login",
    method: "GET",
    expect: {
      anonymous: "200",
      user: SETTINGS,
      officeAdminWithProxy: USERS,
      officeAdmin: USERS,
      companyAdminAdvanced: USERS,
      companyAdminStandard: USERS,
      proxying: SETTINGS,
    },
  },
  {
    route: "/login",
    method: "POST",
    body: { email: "not an email" },
    note: "invalid body; a signed-in actor is sent home, as by the GET",
    expect: {
      anonymous: "400",
      user: SETTINGS,
      officeAdminWithProxy: USERS,
      officeAdmin: USERS,
      companyAdminAdvanced: USERS,
      companyAdminStandard: USERS,
      proxying: SETTINGS,
    },
  },
  {
    route: "/invite/:token",
    method: "GET",
    path: "/invite/{inviteToken}",
    note: "a live invite: the token is the authorization",
    expect: everyone("200"),
  },
  { route: "/invite/:token", method: "GET", path: "/invite/no-such-token", expect: everyone("404") },
  {
    route: "/invite/:token",
    method: "POST",
    path: "/invite/{inviteToken}",
    body: { password: "short", confirm: "short" },
    note: "invalid body: the invite stays unused",
    expect: everyone("400"),
  },
  { route: "/logout", method: "GET", expect: everyone("302 /") },
  { route: "/logout", method: "POST", ownSession: true, expect: everyone("302 /login") },
  {
    route: "/settings",
    method: "GET",
    expect: { ...everyone("200"), anonymous: LOGIN },
  },
  {
    route: "/settings",
    method: "POST",
    body: { firstName: "" },
    note: "invalid body",
    expect: { ...everyone("400"), anonymous: LOGIN },
  },
  { route: "/users", method: "GET", expect: adminPage("200") },
  { route: "/users/reserved-numbers", method: "GET", expect: adminPage("200") },
  { route: "/users/deleted", method: "GET", expect: adminPage("200") },
  { route: "/users/new", method: "GET", expect: adminPage("200") },
  {
    route: "/users/new",
    method: "POST",
    body: { firstName: "" },
    note: "invalid body",
    expect: adminPage("400"),
  },
  { route: "/users/bulk", method: "GET", note: "no selection: the page says so", expect: adminPage("200") },
  {
    route: "/users/bulk",
    method: "POST",
    body: { action: "delete" },
    note: "invalid body (no ids)",
    expect: adminPage("400"),
  },
  {
    route: "/users/bulk",
    method: "GET",
    path: "/users/bulk?action=transfer&id={user}",
    note: "Transfer users: Company Admins on a higher tier only; ids not theirs are simply not listed",
    expect: { ...adminPage("403"), companyAdminAdvanced: "200" },
  },
  {
    route: "/users/bulk",
    method: "POST",
    body: { action: "transfer", id: "{user}" },
    note: "Transfer users, invalid body (no office, no review)",
    expect: { ...adminPage("403"), companyAdminAdvanced: "400" },
  },
  {
    route: "/users/bulk",
    method: "POST",
    path: "/users/bulk?action=transfer&id={user}",
    body: { intent: "next", to: "{office}" },
    note: "Transfer users' Next (which holds new numbers) to the users' own office; ids not theirs are not listed",
    expect: { ...adminPage("403"), companyAdminAdvanced: "400" },
  },
  {
    route: "/users/export",
    method: "GET",
    note: "the list's scope, as a CSV file",
    expect: adminPage("200"),
  },
  { route: "/users/import", method: "GET", expect: adminPage("200") },
  {
    route: "/users/import",
    method: "POST",
    body: {},
    note: "invalid body (no file)",
    expect: adminPage("400"),
  },
  { route: "/users/import/template", method: "GET", expect: adminPage("200") },
  {
    route: "/users/import/:jobId",
    method: "GET",
    path: "/users/import/{importReview}",
    note: "an import's review is its uploader's only",
    expect: { ...adminPage("404"), companyAdminAdvanced: "200" },
  },
  {
    route: "/users/import/:jobId",
    method: "POST",
    path: "/users/import/{importReview}",
    body: { seen: "not-the-review-key" },
    note: "Confirm import: the uploader's only; a key not the review's is refused (409), nothing written",
    expect: { ...adminPage("404"), companyAdminAdvanced: "409" },
  },
  {
    route: "/users/import/:jobId/errors",
    method: "GET",
    path: "/users/import/{importReview}/errors",
    note: "an import's errors are its uploader's only",
    expect: { ...adminPage("404"), companyAdminAdvanced: "200" },
  },
  {
    route: "/audit",
    method: "GET",
    note: "Office Admins: their offices' entries only",
    expect: adminPage("200"),
  },
  {
    route: "/users/bulk/:resultId",
    method: "GET",
    path: "/users/bulk/{bulkResult}",
    note: "a result is its author's only",
    expect: { ...adminPage("404"), companyAdminAdvanced: "200" },
  },
  {
    route: "/users/bulk/job/:jobId",
    method: "GET",
    path: "/users/bulk/job/{bulkJob}",
    note: "a bulk job's progress and result are its author's only",
    expect: { ...adminPage("404"), companyAdminAdvanced: "200" },
  },
  {
    route: "/users/bulk",
    method: "POST",
    path: "/users/bulk?action=add_admin&scope=search&status=pending",
    body: { action: "add_admin", scope: "search", count: "1" },
    note: "everyone a search matches: a count not the one they match is asked again (409), nothing changed",
    expect: adminPage("409"),
  },
  {
    route: "/users/reserved-numbers/:numberId/reassign",
    method: "GET",
    path: "/users/reserved-numbers/{heldNumber}/reassign",
    expect: adminScoped("200"),
  },
  {
    route: "/users/reserved-numbers/:numberId/reassign",
    method: "POST",
    path: "/users/reserved-numbers/{heldNumber}/reassign",
    body: { target: "user:{user}" },
    note: "a number on hold cannot be reassigned: refused after the scope check",
    expect: adminScoped("409"),
  },
  {
    route: "/users/reserved-numbers/:numberId/delete",
    method: "GET",
    path: "/users/reserved-numbers/{heldNumber}/delete",
    expect: adminScoped("200"),
  },
  {
    route: "/users/reserved-numbers/:numberId/delete",
    method: "POST",
    path: "/users/reserved-numbers/{heldNumber}/delete",
    note: "a number on hold cannot be deleted: refused after the scope check",
    expect: adminScoped("409"),
  },
  { route: "/users/:userId", method: "GET", path: "/users/{user}", expect: adminScoped("200") },
  {
    route: "/users/:userId/options",
    method: "GET",
    path: "/users/{user}/options",
    expect: adminScoped("200"),
  },
  {
    route: "/users/:userId/numbers",
    method: "GET",
    path: "/users/{user}/numbers",
    expect: adminScoped("200"),
  },
  {
    route: "/users/:userId/numbers/:numberId/remove",
    method: "GET",
    path: "/users/{user}/numbers/{userNumber}/remove",
    expect: adminScoped("200"),
  },
  {
    route: "/users/:userId/numbers/:numberId/remove",
    method: "POST",
    path: "/users/{user}/numbers/{mainLineNumber}/remove",
    note: "the main line's number is not the user's: refused after the scope check",
    expect: adminScoped("409"),
  },
  { route: "/users/:userId/delete", method: "GET", path: "/users/{user}/delete", expect: adminScoped("200") },
  {
    route: "/users/:userId/delete",
    method: "POST",
    path: "/users/{user}/delete",
    note: "invalid body (keep or remove?)",
    expect: adminScoped("400"),
  },
  {
    route: "/users/:userId/resend-invite",
    method: "GET",
    path: "/users/{user}/resend-invite",
    note: "only points at the user's page, which decides",
    expect: everyone("302 /users/{user}"),
  },
  {
    route: "/users/:userId/resend-invite",
    method: "POST",
    path: "/users/{user}/resend-invite",
    note: "an active user: back with a message, nothing sent",
    expect: adminScoped("302 /users/{user}"),
  },
  { route: "/users/:userId/edit", method: "GET", path: "/users/{user}/edit", expect: adminScoped("200") },
  {
    route: "/users/:userId/edit",
    method: "GET",
    path: "/users/{deletedUser}/edit",
    note: "a deleted user cannot be edited: the same 404 as an id out of scope",
    expect: adminPage("404"),
  },
  {
    route: "/users/:userId/edit",
    method: "POST",
    path: "/users/{user}/edit",
    body: { firstName: "" },
    note: "invalid body (no name): the scope is checked first",
    expect: adminScoped("400"),
  },
  {
    route: "/users/:userId/edit",
    method: "POST",
    path: "/users/{deletedUser}/edit",
    body: { firstName: "" },
    note: "a deleted user, even with an invalid body: 404 before the body is read",
    expect: adminPage("404"),
  },
  { route: "/users/:userId/access", method: "GET", path: "/users/{user}/access", expect: adminScoped("200") },
  {
    route: "/users/:userId/access",
    method: "GET",
    path: "/users/{deletedUser}/access",
    note: "a deleted user's access is not shown: the same 404 as an id out of scope",
    expect: adminPage("404"),
  },
  {
    route: "/users/:userId/access",
    method: "POST",
    path: "/users/{user}/access",
    body: { companyAdmin: "maybe" },
    note: "invalid body: a Company Admin's 400 comes after the scope (404) and who may (an Office Admin's 403)",
    expect: companyAdminsOnly("400"),
  },
  {
    route: "/users/:userId/access",
    method: "POST",
    path: "/users/{deletedUser}/access",
    body: { companyAdmin: "maybe" },
    note: "a deleted user, even with an invalid body: 404 before the body is read",
    expect: adminPage("404"),
  },
  {
    route: "/users/:userId/suspend",
    method: "GET",
    path: "/users/{user}/suspend",
    expect: adminScoped("200"),
  },
  {
    route: "/users/:userId/suspend",
    method: "POST",
    path: "/users/{user}/suspend",
    note: "invalid body (without the status the page showed): the scope is checked first",
    expect: adminScoped("400"),
  },
  {
    route: "/users/:userId/reactivate",
    method: "GET",
    path: "/users/{user}/reactivate",
    note: "the page says they are not suspended",
    expect: adminScoped("200"),
  },
  {
    route: "/users/:userId/reactivate",
    method: "POST",
    path: "/users/{user}/reactivate",
    note: "the user is not suspended: refused after the scope check",
    expect: adminScoped("409"),
  },
  {
    route: "/users/deleted/:userId/restore",
    method: "GET",
    path: "/users/deleted/{deletedUser}/restore",
    expect: adminScoped("200"),
  },
  {
    route: "/users/deleted/:userId/restore",
    method: "POST",
    path: "/users/deleted/{fresh}/restore",
    fresh: "302 /users/deleted",
    expect: adminScoped("302 /users/deleted"),
  },
  {
    route: "/users/deleted/:userId/purge",
    method: "GET",
    path: "/users/deleted/{deletedUser}/purge",
    expect: adminScoped("200"),
  },
  {
    route: "/users/deleted/:userId/purge",
    method: "POST",
    path: "/users/deleted/{fresh}/purge",
    fresh: "302 /users/deleted",
    expect: adminScoped("302 /users/deleted"),
  },
  // A deleted Company Admin: restore and permanent deletion obey one rule, so an Office Admin is refused both.
  {
    route: "/users/deleted/:userId/restore",
    method: "GET",
    path: "/users/deleted/{deletedCompanyAdmin}/restore",
    note: "an Office Admin sees the page, which says why there is no button",
    expect: adminScoped("200"),
  },
  {
    route: "/users/deleted/:userId/restore",
    method: "POST",
    path: "/users/deleted/{freshCompanyAdmin}/restore",
    fresh: "302 /users/deleted",
    expect: companyAdminsOnly("302 /users/deleted"),
  },
  {
    route: "/users/deleted/:userId/purge",
    method: "GET",
    path: "/users/deleted/{deletedCompanyAdmin}/purge",
    note: "an Office Admin sees the page, which says why there is no button",
    expect: adminScoped("200"),
  },
  {
    route: "/users/deleted/:userId/purge",
    method: "POST",
    path: "/users/deleted/{freshCompanyAdmin}/purge",
    fresh: "302 /users/deleted",
    expect: companyAdminsOnly("302 /users/deleted"),
  },
  {
    route: "/users/:userId/license",
    method: "GET",
    path: "/users/{user}/license",
    expect: adminScoped("200"),
  },
  {
    route: "/users/:userId/license",
    method: "POST",
    path: "/users/{user}/license",
    body: { to: "sell", seen: STALE },
    note: "a stale confirmation: refused after the scope check",
    expect: adminScoped("409"),
  },
  {
    route: "/users/:userId/transfer",
    method: "GET",
    path: "/users/{user}/transfer",
    note: "Company Admins on a higher tier only: refused before any lookup",
    expect: { ...adminPage("403"), companyAdminAdvanced: only(["sf", "ny"], "200") },
  },
  {
    route: "/users/:userId/transfer",
    method: "POST",
    path: "/users/{user}/transfer",
    body: { office: "{office}", seen: STALE },
    note: "a stale review: refused after the scope check",
    expect: { ...adminPage("403"), companyAdminAdvanced: only(["sf", "ny"], "409") },
  },
  {
    route: "/users/:userId/transfer",
    method: "POST",
    path: "/users/{user}/transfer",
    body: { intent: "next", office: "{office}" },
    note: "Next (which holds a new number) to the user's own office: refused after the scope check",
    expect: { ...adminPage("403"), companyAdminAdvanced: only(["sf", "ny"], "400") },
  },
  {
    route: "/company/licenses",
    method: "GET",
    note: "while proxying: 403, not the redirect of the Office > Users pages",
    expect: { ...adminPage("200"), proxying: "403" },
  },
  {
    route: "/company/licenses/transfer",
    method: "GET",
    note: "Company Admins on a higher tier only",
    expect: { ...adminPage("403"), companyAdminAdvanced: "200", proxying: "403" },
  },
  {
    route: "/company/licenses/transfer",
    method: "POST",
    body: { category: "dialpad" },
    note: "invalid body",
    expect: { ...adminPage("403"), companyAdminAdvanced: "400", proxying: "403" },
  },
  {
    route: "/company/provisioning",
    method: "GET",
    note: "Company Admins on any plan, as themselves",
    expect: {
      ...adminPage("403"),
      companyAdminAdvanced: "200",
      companyAdminStandard: "200",
      proxying: "403",
    },
  },
  {
    route: "/company/provisioning",
    method: "POST",
    body: { name: "" },
    note: "invalid body (no name)",
    expect: {
      ...adminPage("403"),
      companyAdminAdvanced: "400",
      companyAdminStandard: "400",
      proxying: "403",
    },
  },
  {
    route: "/company/provisioning",
    method: "POST",
    body: { intent: "defaults", licenseType: "sell" },
    note: "the defaults for provisioned users, invalid body (no office)",
    expect: {
      ...adminPage("403"),
      companyAdminAdvanced: "400",
      companyAdminStandard: "400",
      proxying: "403",
    },
  },
  {
    route: "/company/provisioning/:tokenId/revoke",
    method: "GET",
    path: "/company/provisioning/999999/revoke",
    note: "no such token: 404 after the check that they may",
    expect: {
      ...adminPage("403"),
      companyAdminAdvanced: "404",
      companyAdminStandard: "404",
      proxying: "403",
    },
  },
  {
    route: "/company/provisioning/:tokenId/revoke",
    method: "POST",
    path: "/company/provisioning/999999/revoke",
    note: "no such token: 404 after the check that they may",
    expect: {
      ...adminPage("403"),
      companyAdminAdvanced: "404",
      companyAdminStandard: "404",
      proxying: "403",
    },
  },
  {
    route: "/company/security",
    method: "GET",
    note: "Company Admins on any plan, as themselves",
    expect: {
      ...adminPage("403"),
      companyAdminAdvanced: "200",
      companyAdminStandard: "200",
      proxying: "403",
    },
  },
  {
    route: "/company/security",
    method: "POST",
    body: { reasonRequired: "yes" },
    note: "invalid body (a checkbox sends on or nothing): the settings stay",
    expect: {
      ...adminPage("403"),
      companyAdminAdvanced: "400",
      companyAdminStandard: "400",
      proxying: "403",
    },
  },
  {
    route: "/users/:userId/proxy",
    method: "GET",
    path: "/users/{user}/proxy",
    note: "the page says whether proxying is possible",
    expect: adminScoped("200"),
  },
  {
    route: "/users/:userId/proxy",
    method: "POST",
    path: "/users/{user}/proxy",
    body: { reason: "bell\u0007" },
    note: "invalid body (a control character): no proxy session starts",
    expect: adminScoped("400"),
  },
  {
    route: "/users/:userId/proxy-access",
    method: "GET",
    path: "/users/{user}/proxy-access",
    note: "only points at the user's page, which decides",
    expect: { ...adminPage("302 /users/{user}"), proxying: SETTINGS },
  },
  {
    route: "/users/:userId/proxy-access",
    method: "POST",
    path: "/users/{user}/proxy-access",
    body: { access: "remove" },
    note: "removing access nobody gave: back to the user with a message (a refusal for anyone but Ada), nothing changes",
    expect: adminScoped("302 /users/{user}"),
  },
  {
    route: "/proxy/end",
    method: "GET",
    expect: {
      anonymous: LOGIN,
      user: SETTINGS,
      officeAdminWithProxy: USERS,
      officeAdmin: USERS,
      companyAdminAdvanced: USERS,
      companyAdminStandard: USERS,
      proxying: SETTINGS,
    },
  },
  {
    route: "/proxy/end",
    method: "POST",
    ownSession: true,
    note: "Back: only a proxy session has something to end",
    expect: {
      anonymous: LOGIN,
      user: SETTINGS,
      officeAdminWithProxy: USERS,
      officeAdmin: USERS,
      companyAdminAdvanced: USERS,
      companyAdminStandard: USERS,
      proxying: "302 /users/{proxiedUser}",
    },
  },
  // The SCIM service takes a provisioning token, never a session: every signed-in actor is 401
  // (tests/http/scim.test.ts covers the tokens).
  { route: "/scim/v2/Users", method: "GET", expect: everyone("401") },
  { route: "/scim/v2/Users", method: "POST", expect: everyone("401") },
  { route: "/scim/v2/Users/:userId", method: "GET", path: "/scim/v2/Users/{user}", expect: everyone("401") },
  { route: "/scim/v2/Users/:userId", method: "POST", path: "/scim/v2/Users/{user}", expect: everyone("401") },
  { route: "/scim/v2/Groups", method: "GET", expect: everyone("401") },
  { route: "/scim/v2/Groups", method: "POST", expect: everyone("401") },
  {
    route: "/scim/v2/Groups/:groupId",
    method: "GET",
    path: "/scim/v2/Groups/987654",
    expect: everyone("401"),
  },
  {
    route: "/scim/v2/Groups/:groupId",
    method: "POST",
    path: "/scim/v2/Groups/987654",
    expect: everyone("401"),
  },
  { route: "/scim/v2/*", method: "GET", path: "/scim/v2/ServiceProviderConfig", expect: everyone("401") },
  { route: "/scim/v2/*", method: "POST", path: "/scim/v2/Schemas", expect: everyone("401") },
  { route: "/*", method: "GET", path: "/no/such/page", expect: everyone("404") },
  { route: "/*", method: "POST", path: "/no/such/page", expect: everyone("404") },
];
