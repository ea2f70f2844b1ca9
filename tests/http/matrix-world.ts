/**
 * The world the authorization matrix (matrix.ts) is about, shared by the
 * suites that walk it: the built server on fresh demo data with what the
 * demo lacks (more Company Admins, made in the database before the server
 * starts; then, through the app, a deleted Globex user, a deleted Company
 * Admin per target, an invite link, a bulk result), the ids of the targets, a session of each kind of actor, and
 * the filling of a row's {placeholders}. authz-matrix.test.ts walks the rows;
 * fuzz.test.ts sends generated values to the same routes as the same actors.
 */
import { startAppServer, type AppServer } from "../support/app-server.ts";
import { HttpClient } from "../support/http-client.ts";
import { lastInviteLinkIn } from "../support/outbox.ts";
import { demoIds, deleteThroughApp, resendInviteThroughApp, signedIn } from "./demo-ids.ts";
import type { ActorKind, Row, SharedIds, Target, TargetIds } from "./matrix.ts";

export interface MatrixWorld {
  app: AppServer<unknown>;
  targets: Record<Target, TargetIds>;
  shared: SharedIds;
  /** The ids of the people asked for, by email. */
  user: Record<string, number>;
  /** A new session of this kind of actor. */
  sessionOf(kind: ActorKind): Promise<HttpClient>;
  /** The template with its {placeholders} filled: `extra` first, then the target's ids, then the shared ones. */
  fill(template: string, target: Target | undefined, extra?: Record<string, string | number>): string;
}

const EMAIL: Record<Exclude<ActorKind, "anonymous" | "proxying">, string> = {
  user: "uma@acme.test",
  officeAdminWithProxy: "oscar@acme.test",
  officeAdmin: "olive@acme.test",
  companyAdminAdvanced: "ada@acme.test",
  companyAdminStandard: "gina@globex.test",
};

/**
 * Users of each target's office made Company Admins before the server starts (the demo data has one per
 * company): the first is deleted before the walk ({deletedCompanyAdmin}), the others are the matrix
 * walk's to delete on demand for {freshCompanyAdmin} cells.
 */
export const MADE_COMPANY_ADMINS: Record<Target, string[]> = {
  sf: ["kwame@acme.test", "tom@acme.test", "fatima@acme.test"],
  ny: ["nadia@acme.test", "samuel@acme.test", "liam@acme.test"],
  globex: ["edna@globex.test", "denise@globex.test", "marco@globex.test"],
};

/** Starts the server on database `name` and prepares the world; `emails` are more people whose ids the suite needs. */
export async function startMatrixWorld(
  name: string,
  port: number,
  emails: string[] = [],
): Promise<MatrixWorld> {
  const app = await startAppServer(name, port, async (db) => {
    // No page makes a Company Admin: the database does, before the server starts.
    await db
      .updateTable("users")
      .set({ is_company_admin: true })
      .where("email", "in", Object.values(MADE_COMPANY_ADMINS).flat())
      .execute();
    return demoIds(db, [
      ...emails,
      ...Object.values(MADE_COMPANY_ADMINS).flat(),
      "carl@globex.test",
      "jasper@acme.test",
      "uma@acme.test",
      "kevin@acme.test",
    ]);
  });
  const ids = app.prepared;
  const ada = await signedIn(app, "ada@acme.test");
  const gina = await signedIn(app, "gina@globex.test");
  await deleteThroughApp(gina, ids.user["carl@globex.test"]!);
  const targets = {} as Record<Target, TargetIds>;
  for (const t of Object.keys(MADE_COMPANY_ADMINS) as Target[]) {
    const deletedCompanyAdmin = ids.user[MADE_COMPANY_ADMINS[t][0]!]!;
    await deleteThroughApp(t === "globex" ? gina : ada, deletedCompanyAdmin);
    targets[t] = { ...ids.targets[t], deletedCompanyAdmin };
  }
  await resendInviteThroughApp(ada, ids.user["jasper@acme.test"]!);
  const bulk = await ada.post("/users/bulk", {
    action: "add_admin",
    id: String(ids.user["kevin@acme.test"]),
  });
  const bulkResult = Number(bulk.headers.get("location")?.match(/^\/users\/bulk\/(\d+)$/)?.[1]);
  if (!bulkResult) throw new Error(`No bulk result: ${bulk.status}`);
  // Acme's 7 pending users, skipped by admin access: more than a test server's request applies, so a job.
  const search = "/users/bulk?action=add_admin&scope=search&status=pending";
  const count = (await (await ada.get(search)).text()).match(/name="count" value="(\d+)"/)?.[1];
  const job = await ada.post(search, { action: "add_admin", scope: "search", count: count ?? "" });
  const bulkJob = Number(job.headers.get("location")?.match(/^\/users\/bulk\/job\/(\d+)$/)?.[1]);
  if (!bulkJob) throw new Error(`No bulk job: ${job.status}`);
  const imported = await ada.upload("/users/import", {
    field: "file",
    name: "people.csv",
    content: "First name,Last name,Email,Office\nMatrix,Walker,matrix.walker@acme.test,San Francisco\n",
  });
  const importReview = Number(imported.headers.get("location")?.match(/^\/users\/import\/(\d+)$/)?.[1]);
  if (!importReview) throw new Error(`No import review: ${imported.status}`);
  const shared: SharedIds = {
    bulkResult,
    bulkJob,
    importReview,
    inviteToken: lastInviteLinkIn(app.dataDir, "jasper@acme.test").replace("/invite/", ""),
    proxiedUser: ids.user["uma@acme.test"]!,
  };

  async function sessionOf(kind: ActorKind): Promise<HttpClient> {
    if (kind === "anonymous") return new HttpClient(app.origin);
    if (kind !== "proxying") return signedIn(app, EMAIL[kind]);
    const ada = await signedIn(app, "ada@acme.test");
    const res = await ada.post(`/users/${shared.proxiedUser}/proxy`, { reason: "" });
    if (res.headers.get("location") !== "/settings")
      throw new Error(`Ada could not proxy as Uma: ${res.status}`);
    return ada;
  }

  function fill(template: string, target: Target | undefined, extra: Record<string, string | number> = {}) {
    return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
      const value =
        extra[name] ??
        (target ? targets[target][name as keyof TargetIds] : undefined) ??
        shared[name as keyof SharedIds];
      if (value === undefined)
        throw new Error(`No value for ${whole} in ${template}${target ? ` (target ${target})` : ""}`);
      return String(value);
    });
  }

  return { app, targets, shared, user: ids.user, sessionOf, fill };
}

/** The placeholders that name a target's things (and {fresh}…, a user of the target deleted just before). */
const TARGET_FIELDS = new Set([
  "user",
  "userNumber",
  "mainLineNumber",
  "office",
  "deletedUser",
  "heldNumber",
  "deletedCompanyAdmin",
  "fresh",
  "freshCompanyAdmin",
]);

/** Whether a row names a target, and so runs once per target. */
export const isPerTarget = (row: Row) =>
  [row.path ?? "", ...Object.values(row.body ?? {})].some((s) =>
    [...s.matchAll(/\{(\w+)\}/g)].some((m) => TARGET_FIELDS.has(m[1]!)),
  );
