/**
 * The SCIM service's Users (RFC 7644 §3): list with filter and paging, get,
 * create, replace, patch, delete, for one token's company. Every change goes
 * through the admin console's own path (Add User, Edit user, deletion), so a
 * provisioned user is added, changed and deleted exactly as an admin would;
 * what only SCIM keeps (userName, externalId) is in scim_identities.
 */
import { sql, type Kysely, type RawBuilder, type Transaction } from "kysely";
import { scimPatch, type ScimPatchOperation } from "scim-patch";
import type { Database, UserStatus } from "../../db/schema.ts";
import { recordAudit } from "../audit/record.server.ts";
import {
  addUserFailure,
  addUserIn,
  numberChoices,
  type AddedUser,
  type AddUserResult,
} from "../users/add.server.ts";
import { editUserIn, findEditable } from "../users/edit.server.ts";
import { mailInviteAfterCommit } from "../users/invite.server.ts";
import { violates } from "../refusal.server.ts";
import { deleteUsers, lockCompany } from "../users/delete.server.ts";
import { reactivateUserIn, suspendUserIn } from "../users/suspend.server.ts";
import { provisioningDefaults } from "../provisioning/defaults.server.ts";
import { parseId, PLAIN_TEXT } from "../input.ts";
import { filterSql, userNameIs } from "./filter.server.ts";
import { attributeSelection, listResponse, notFound, paging, ScimError } from "./http.server.ts";
import type { ScimActor, ScimCall } from "./actor.server.ts";
import {
  EXTENSION_SCHEMA,
  fromScimUser,
  pick,
  scimBoolean,
  toScimUser,
  USER_SCHEMA,
  type ScimUserInput,
  type ScimUserRow,
} from "./mapping.ts";

const userNotFound = () => notFound("User");
const uniqueness = (detail: string) => new ScimError(409, detail, "uniqueness");

/** The company's users SCIM sees (not deleted: pending, active or suspended), as ScimUserRow. */
function usersQuery(db: Kysely<Database>, companyId: number) {
  return db
    .selectFrom("users as u")
    .leftJoin("scim_identities as si", "si.user_id", "u.id")
    .innerJoin("offices as o", "o.id", "u.office_id")
    .where("u.company_id", "=", companyId)
    .where("u.status", "in", ["active", "pending", "suspended"]);
}

const ROW_COLUMNS = [
  "u.id",
  sql<string>`coalesce(si.user_name, u.email)`.as("user_name"),
  "si.external_id",
  "u.first_name",
  "u.last_name",
  "u.email",
  "u.job_title",
  "u.office_id",
  "o.name as office_name",
  "u.license_type",
  "u.status",
  "u.created_at",
  sql<Date>`coalesce(si.updated_at, u.created_at)`.as("last_modified"),
] as const;

function toRow(r: {
  id: number;
  user_name: string;
  external_id: string | null;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  job_title: string | null;
  office_id: number;
  office_name: string;
  license_type: ScimUserRow["licenseType"];
  status: UserStatus;
  created_at: Date;
  last_modified: Date;
}): ScimUserRow {
  return {
    id: r.id,
    userName: r.user_name,
    externalId: r.external_id,
    firstName: r.first_name!,
    lastName: r.last_name!,
    email: r.email!,
    jobTitle: r.job_title,
    officeId: r.office_id,
    officeName: r.office_name,
    licenseType: r.license_type,
    active: r.status !== "suspended",
    createdAt: r.created_at,
    lastModified: r.last_modified,
  };
}

async function rows(q: ReturnType<typeof usersQuery>): Promise<ScimUserRow[]> {
  return (await q.select(ROW_COLUMNS).execute()).map(toRow);
}

/**
 * sortBy's attributes (RFC 7644 §3.4.2.3), by lower-cased name: the key of a
 * user SCIM knows by an identity row, and of one it does not. Strings sort in
 * any letter case, as they compare. Each is one index on each side (migration
 * 2026-12-02T0820_scim_sort), so a sorted page merges two ordered index scans.
 */
const SORT_KEYS: Record<string, { known: RawBuilder<unknown>; plain: RawBuilder<unknown> }> = {
  username: { known: sql`lower(si.user_name)`, plain: sql`lower(u.email)` },
  "name.givenname": { known: sql`lower(u.first_name)`, plain: sql`lower(u.first_name)` },
  "name.familyname": { known: sql`lower(u.last_name)`, plain: sql`lower(u.last_name)` },
  "meta.created": { known: sql`u.created_at`, plain: sql`u.created_at` },
  "meta.lastmodified": { known: sql`si.updated_at`, plain: sql`u.created_at` },
  externalid: { known: sql`si.external_id`, plain: sql`null::text` },
};
const CORE_PREFIX = "urn:ietf:params:scim:schemas:core:2.0:user:";

/** sortBy and sortOrder of a list request: the key, and whether descending; none without sortBy. */
function sorting(params: URLSearchParams) {
  const by = params.get("sortBy")?.trim();
  const order = params.get("sortOrder")?.trim().toLowerCase();
  if (order && order !== "ascending" && order !== "descending")
    throw new ScimError(400, 'sortOrder is "ascending" or "descending".', "invalidValue");
  if (!by) return null;
  let name = by.toLowerCase();
  if (name.startsWith(CORE_PREFIX)) name = name.slice(CORE_PREFIX.length);
  const key = Object.hasOwn(SORT_KEYS, name) ? SORT_KEYS[name] : undefined;
  if (!key)
    throw new ScimError(
      400,
      "sortBy is one of userName, name.givenName, name.familyName, meta.created, meta.lastModified, externalId.",
      "invalidValue",
    );
  return { key, descending: order === "descending" };
}

export async function listUsers({ db, actor, baseUrl }: ScimCall, params: URLSearchParams) {
  const { startIndex, count } = paging(params);
  const select = attributeSelection(params);
  const sort = sorting(params);
  const filter = params.get("filter");
  let q = usersQuery(db, actor.company.id);
  if (filter !== null && filter.trim() !== "") q = q.where(filterSql(filter, actor.company.id));
  let page: ScimUserRow[] = [];
  if (count > 0 && !sort)
    page = await rows(
      q
        .orderBy("u.id")
        .offset(startIndex - 1)
        .limit(count),
    );
  else if (count > 0 && sort) {
    // Each side, in its index's order, gives at most the rows up to the page's end; merged,
    // they are sorted again and the page cut. Ties by id in the sort's direction; nulls
    // (externalId) last when ascending, first when descending.
    const direction = sql.raw(sort.descending ? "desc" : "asc");
    const upTo = startIndex - 1 + count;
    const side = (only: typeof q, key: RawBuilder<unknown>) =>
      only
        .select([...ROW_COLUMNS, key.as("sort_key")])
        .orderBy(sql`${key} ${direction}`)
        .orderBy(sql`u.id ${direction}`)
        .limit(upTo);
    // The identity's own company_id (always the user's) lets scim_identities' indexes lead.
    const known = side(q.where("si.company_id", "=", actor.company.id), sort.key.known);
    const plain = side(q.where("si.user_id", "is", null), sort.key.plain);
    const { rows: found } = await sql<Parameters<typeof toRow>[0]>`
      select * from ((${known}) union all (${plain})) t
      order by t.sort_key ${direction}, t.id ${direction} offset ${startIndex - 1} limit ${count}`.execute(
      db,
    );
    page = found.map(toRow);
  }
  // A page that ends short of `count` gives the total itself (unless it is empty past the first
  // index): the existence check an identity provider sends before every create (userName eq, one
  // match or none) is then one statement, not two.
  const total =
    page.length < count && (page.length > 0 || startIndex === 1)
      ? startIndex - 1 + page.length
      : Number(
          (await q.select((eb) => eb.fn.countAll<number>().as("total")).executeTakeFirstOrThrow()).total,
        );
  return listResponse(
    total,
    startIndex,
    page.map((u) => select(toScimUser(u, baseUrl))),
  );
}

/** A user of the actor's company by SCIM id; a malformed, unknown or foreign id is 404. */
async function findUser(db: Kysely<Database>, actor: ScimActor, rawId: string) {
  const id = parseId(rawId);
  if (id === null) throw userNotFound();
  const [found] = await rows(usersQuery(db, actor.company.id).where("u.id", "=", id));
  if (!found) throw userNotFound();
  return found;
}

/**
 * The user a change is about, locked (NO KEY UPDATE, as Edit user locks it)
 * before it is read, so that two PATCHes of one user apply one after the other.
 * The caller has locked the company first (see change).
 */
async function lockUser(tx: Transaction<Database>, actor: ScimActor, rawId: string) {
  const id = parseId(rawId);
  if (id === null) throw userNotFound();
  await tx
    .selectFrom("users")
    .select("id")
    .where("id", "=", id)
    .where("company_id", "=", actor.company.id)
    .forNoKeyUpdate()
    .execute();
  return findUser(tx, actor, rawId);
}

export async function getUser(
  { db, actor, baseUrl }: ScimCall,
  rawId: string,
  params = new URLSearchParams(),
) {
  const select = attributeSelection(params);
  return select(toScimUser(await findUser(db, actor, rawId), baseUrl));
}

/** Whether another user of the company is known to SCIM by this userName (any letter case). */
async function userNameTaken(
  db: Kysely<Database>,
  companyId: number,
  userName: string,
  exceptUserId?: number,
) {
  const taken = await usersQuery(db, companyId)
    .where(userNameIs(companyId, userName))
    .$if(exceptUserId !== undefined, (q) => q.where("u.id", "<>", exceptUserId!))
    .select("u.id")
    .executeTakeFirst();
  return taken !== undefined;
}

/**
 * Records what SCIM calls the user, with its audit entry, in the change's
 * transaction. A taken userName (two creations at once) fails the unique
 * index: scimWriteFailure words it.
 */
async function saveIdentity(
  tx: Transaction<Database>,
  actor: ScimActor,
  user: { id: number; officeId: number; name: string; email: string },
  input: Pick<ScimUserInput, "userName" | "externalId">,
  now: Date,
) {
  const before = await tx
    .selectFrom("scim_identities")
    .select(["user_name", "external_id"])
    .where("user_id", "=", user.id)
    .forUpdate()
    .executeTakeFirst();
  const was = { user_name: before?.user_name ?? user.email, external_id: before?.external_id ?? null };
  const next = { user_name: input.userName, external_id: input.externalId };
  if (before) {
    await tx
      .updateTable("scim_identities")
      .set({ ...next, updated_at: now })
      .where("user_id", "=", user.id)
      .execute();
  } else {
    await tx
      .insertInto("scim_identities")
      .values({ user_id: user.id, company_id: actor.company.id, ...next, updated_at: now })
      .execute();
  }
  if (was.user_name === next.user_name && was.external_id === next.external_id) return;
  await recordAudit(
    tx,
    actor,
    {
      action: "user.provisioning_identity_changed",
      targetType: "user",
      targetId: user.id,
      targetLabel: user.name,
      officeId: user.officeId,
      before: was,
      after: next,
    },
    now,
  );
}

/**
 * What a SCIM change threw, once its transaction has rolled back: a userName
 * or email another request committed meanwhile is SCIM's uniqueness error; a
 * refusal Add User found midway comes back as its refusal; anything else (a
 * ScimError included) stays as it is.
 */
function scimWriteFailure(err: unknown): AddUserResult {
  if (violates(err, "scim_identities_user_name_key")) throw uniqueness(USER_NAME_TAKEN);
  const refusal = addUserFailure(err);
  if (refusal.ok === false && refusal.field === "email") throw uniqueness(refusal.message);
  return refusal;
}

const USER_NAME_TAKEN = "Another user already has this userName.";

/** The office and license a new user gets: the extension's, else the company's defaults (Company Settings › Provisioning). */
async function placement(db: Kysely<Database>, actor: ScimActor, input: ScimUserInput) {
  const defaults = await provisioningDefaults(db, actor.company.id);
  const licenseType = input.licenseType ?? defaults.licenseType;
  if (!input.officeName) return { officeId: defaults.officeId, licenseType };
  const office = await db
    .selectFrom("offices")
    .select("id")
    .where("company_id", "=", actor.company.id)
    .where(sql`lower(name)`, "=", input.officeName.toLowerCase())
    .executeTakeFirst();
  if (!office)
    throw new ScimError(
      400,
      `There is no office named ${input.officeName} in ${actor.company.name}.`,
      "invalidValue",
    );
  return { officeId: office.id, licenseType };
}

/**
 * One attempt at a creation, in the caller's transaction: the user as Add User
 * adds one, the job title through Edit user, the identity row, each with its
 * audit entry. The number is the office's `attempt`-th choice as Add User
 * offers them (its Reserved Pool first, else a new one).
 */
async function createIn(
  tx: Transaction<Database>,
  call: ScimCall,
  input: ScimUserInput,
  attempt: number,
): Promise<AddedUser> {
  const { actor, now } = call;
  // Created deactivated, it is suspended below (suspendUserIn locks the company): the company first, as a deletion takes it.
  if (input.active === false) await lockCompany(tx, actor.company.id);
  if (await userNameTaken(tx, actor.company.id, input.userName)) throw uniqueness(USER_NAME_TAKEN);
  const { officeId, licenseType } = await placement(tx, actor, input);
  const choices = await numberChoices(tx, actor, officeId, now);
  const pool = choices?.pool[attempt];
  const fresh = choices?.fresh[attempt];
  const number = pool ? `pool:${pool.id}` : fresh ? `new:${fresh.e164}` : "none";
  const added = await addUserIn(
    tx,
    actor,
    {
      officeId,
      firstName: input.firstName,
      lastName: input.lastName,
      email: input.email,
      licenseType,
      number,
    },
    now,
  );
  // Refused before it wrote anything: this transaction has nothing to roll back.
  if (!added.ok) return added;
  const user = { id: added.userId, officeId, name: added.name, email: input.email };
  // Add User has no job title: it is set through Edit user, as an admin would right after.
  if (input.jobTitle) await editIn(tx, call, user.id, input);
  await saveIdentity(tx, actor, user, input, now);
  // Created deactivated: added as Add User adds, then suspended in the same transaction.
  if (input.active === false) await applyActive(tx, call, user.id, false);
  return added;
}

/**
 * `active` as sent: false suspends, true reactivates, through the console's
 * own Suspend and Reactivate, in the caller's transaction. Their refusals
 * (no free seat to reactivate, the last active Company Admin) are 409s that
 * say why, and roll the whole request back.
 */
async function applyActive(
  tx: Transaction<Database>,
  { actor, now }: ScimCall,
  userId: number,
  active: boolean,
) {
  const result = active
    ? await reactivateUserIn(tx, actor, userId, now)
    : await suspendUserIn(tx, actor, userId, now);
  if (result.ok) return;
  if (result.kind === "not_found") throw userNotFound();
  throw new ScimError(409, result.message);
}

export async function createUser(call: ScimCall, body: Record<string, unknown>) {
  const { db, actor, origin, baseUrl } = call;
  const input = fromScimUser(body);
  // If another request takes the chosen number meanwhile, the whole attempt rolls back and
  // the next choice is tried.
  let result: AddedUser | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    result = await db
      .transaction()
      .execute((tx) => createIn(tx, call, input, attempt))
      .catch(scimWriteFailure);
    if (result.ok || result.field !== "number") break;
  }
  if (!result!.ok) {
    const { field, message } = result!;
    if (field === "email") throw uniqueness(message);
    if (field === "officeId") throw new ScimError(400, message, "invalidValue");
    // No free seat of the type, or no number left: nothing was written.
    throw new ScimError(409, message);
  }
  const { userId, name, token } = result!;
  // The invite is mailed after the commit, as Add User mails it; not to someone created suspended, who cannot accept it.
  if (token && input.active !== false)
    await mailInviteAfterCommit(
      origin,
      { userId, name, email: input.email, company: actor.company.name },
      token,
    );
  return toScimUser(await findUser(db, actor, String(userId)), baseUrl);
}

/** Name, email and job title through Edit user (its extension kept), in the caller's transaction. */
async function editIn(
  tx: Transaction<Database>,
  { actor, now }: ScimCall,
  userId: number,
  input: ScimUserInput,
) {
  const current = await findEditable(tx, actor, userId);
  if (!current) throw userNotFound();
  const result = await editUserIn(
    tx,
    actor,
    userId,
    {
      firstName: input.firstName,
      lastName: input.lastName,
      email: input.email,
      extension: current.values.extension || undefined,
      jobTitle: input.jobTitle,
    },
    now,
  );
  if (result.ok) return result;
  if (result.kind === "not_found") throw userNotFound();
  if (result.field === "email") throw uniqueness(result.message);
  throw new ScimError(400, result.message, "invalidValue");
}

/** PUT's work on a locked user, in the caller's transaction; the invite to mail if the email of a pending user changed. */
async function replaceIn(
  tx: Transaction<Database>,
  call: ScimCall,
  current: ScimUserRow,
  body: Record<string, unknown>,
) {
  const { actor, now } = call;
  const input = fromScimUser(body);
  const idInBody = pick(body, "id");
  if (idInBody !== undefined && String(idInBody) !== String(current.id))
    throw new ScimError(400, "id cannot be changed.", "mutability");
  if (await userNameTaken(tx, actor.company.id, input.userName, current.id))
    throw uniqueness(USER_NAME_TAKEN);
  if (input.officeName && input.officeName.toLowerCase() !== current.officeName.toLowerCase())
    throw new ScimError(
      400,
      "Moving a user to another office is done with Transfer user, not SCIM.",
      "mutability",
    );
  if (input.licenseType && input.licenseType !== current.licenseType)
    throw new ScimError(400, "The license type is changed in Switchboard, not over SCIM.", "mutability");
  const edited = await editIn(tx, call, current.id, input);
  const user = { id: current.id, officeId: current.officeId, name: edited.name, email: current.email };
  await saveIdentity(tx, actor, user, input, now);
  if (input.active !== null && input.active !== current.active)
    await applyActive(tx, call, current.id, input.active);
  return { userId: current.id, name: edited.name, email: input.email, token: edited.token };
}

/** Runs PUT's or PATCH's work in one transaction, then mails its invite and answers the user as now stored. */
async function change(
  call: ScimCall,
  rawId: string,
  work: (tx: Transaction<Database>, current: ScimUserRow) => Promise<Record<string, unknown>>,
) {
  const { db, actor, origin, baseUrl } = call;
  const done = await db
    .transaction()
    .execute(async (tx) => {
      // The company before the user, as a deletion locks them (lockCompany): `active` suspends
      // or reactivates, which locks the company, and taking it after the user would deadlock
      // with a deletion holding the company and waiting for this user.
      await lockCompany(tx, actor.company.id);
      const current = await lockUser(tx, actor, rawId);
      return replaceIn(tx, call, current, await work(tx, current));
    })
    // Edit user's refusals are thrown as SCIM errors, and Add User's are not met here.
    .catch((err: unknown) => {
      scimWriteFailure(err);
      throw err;
    });
  if (done.token)
    await mailInviteAfterCommit(
      origin,
      { userId: done.userId, name: done.name, email: done.email, company: actor.company.name },
      done.token,
    );
  return toScimUser(await findUser(db, actor, rawId), baseUrl);
}

export async function replaceUser(call: ScimCall, rawId: string, body: Record<string, unknown>) {
  return change(call, rawId, async () => body);
}

/** The schemas a PATCH path may name: the User's, Switchboard's extension, and the enterprise extension (accepted, not kept). */
const PATH_SCHEMAS = [
  USER_SCHEMA,
  EXTENSION_SCHEMA,
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
].map((s) => s.toLowerCase());
/** attrPath with an optional value filter and sub-attribute (RFC 7644 §3.5.2, RFC 7643 §2.1's ATTRNAME). */
const PATH = /^(?:(urn:[a-z0-9.:_-]+):)?([a-z][\w$-]*)(\[[^\]]*\])?(?:\.([a-z][\w$-]*))?$/i;
const MAX_PATH_LENGTH = 500;

/**
 * A PATCH path, or invalidPath: well formed, at most 500 characters, no control
 * characters, and in a schema Switchboard reads. Attributes it does not keep
 * (phoneNumbers, addresses…) pass, as on POST, and change nothing.
 */
function checkPath(path: string): string {
  const match = path.length <= MAX_PATH_LENGTH && PLAIN_TEXT.test(path) ? PATH.exec(path) : null;
  const [, urn, attribute] = match ?? [];
  const known =
    match &&
    (urn === undefined ||
      PATH_SCHEMAS.includes(urn.toLowerCase()) ||
      PATH_SCHEMAS.includes(`${urn}:${attribute}`.toLowerCase()));
  if (!known)
    throw new ScimError(400, `"${path.slice(0, 100)}" is not a path Switchboard knows.`, "invalidPath");
  return path;
}

/**
 * PATCH operations as the identity providers really send them, made standard
 * for scim-patch: Entra ID's capitalised `op` ("Replace"), "True"/"False"
 * for booleans, and a path-less replace whose value has dotted keys
 * ({"name.givenName": "Ada"}) split into one operation per key.
 */
export function normalizeOperations(raw: unknown): ScimPatchOperation[] {
  if (!Array.isArray(raw) || raw.length === 0)
    throw new ScimError(400, "Operations must be a non-empty list.", "invalidSyntax");
  if (raw.length > 100) throw new ScimError(400, "At most 100 operations per request.", "tooMany");
  const ops: ScimPatchOperation[] = [];
  for (const o of raw) {
    const op = pick(o, "op");
    if (typeof op !== "string" || !/^(add|replace|remove)$/i.test(op))
      throw new ScimError(400, 'Each operation\'s op is "add", "replace" or "remove".', "invalidSyntax");
    const lower = op.toLowerCase() as "add" | "replace" | "remove";
    const path = pick(o, "path");
    if (path !== undefined && typeof path !== "string")
      throw new ScimError(400, "path must be a string.", "invalidPath");
    if (path) checkPath(path);
    let value = pick(o, "value");
    if (lower === "remove") {
      if (!path) throw new ScimError(400, "remove needs a path.", "noTarget");
      ops.push({ op: "remove", path, ...(value === undefined ? {} : { value }) });
      continue;
    }
    if (path) {
      if (path.toLowerCase() === "active" || path.toLowerCase().endsWith(":active"))
        value = scimBoolean(value) ?? value;
      ops.push({ op: lower, path, value });
      continue;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value))
      throw new ScimError(400, "An operation without a path needs an object as its value.", "invalidValue");
    const plain: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      const isActive = key.toLowerCase() === "active";
      // A URN key is an extension schema's object; another dotted or filtered key is a path.
      if (!key.toLowerCase().startsWith("urn:") && /[.[]/.test(key))
        ops.push({ op: lower, path: checkPath(key), value: v });
      else plain[key] = isActive ? (scimBoolean(v) ?? v) : v;
    }
    if (Object.keys(plain).length) ops.push({ op: lower, value: plain });
  }
  return ops;
}

export async function patchUser(call: ScimCall, rawId: string, body: Record<string, unknown>) {
  const operations = normalizeOperations(pick(body, "Operations"));
  return change(call, rawId, async (_tx, row) => {
    const current = toScimUser(row, call.baseUrl);
    try {
      return scimPatch(
        {
          ...current,
          meta: {
            ...current.meta,
            created: new Date(current.meta.created),
            lastModified: new Date(current.meta.lastModified),
          },
        },
        operations,
        { mutateDocument: false, treatMissingAsAdd: true },
      ) as unknown as Record<string, unknown>;
    } catch (err) {
      const e = err as { message?: string; scimType?: string };
      throw new ScimError(
        400,
        e.message ?? "The patch cannot be applied.",
        e.scimType === "noTarget" ? "noTarget" : "invalidValue",
      );
    }
  });
}

export async function deleteUser({ db, actor, now }: ScimCall, rawId: string) {
  const user = await findUser(db, actor, rawId);
  const { outcomes } = await deleteUsers(db, actor, [user.id], "keep", now);
  const outcome = outcomes[0];
  if (!outcome) throw userNotFound();
  if (outcome.outcome === "skipped") throw new ScimError(409, outcome.detail);
}
