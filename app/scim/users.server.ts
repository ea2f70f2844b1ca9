/**
 * The SCIM service's Users (RFC 7644 §3): list with filter and paging, get,
 * create, replace, patch, delete, for one token's company. Every change goes
 * through the admin console's own path (Add User, Edit user, deletion), so a
 * provisioned user is added, changed and deleted exactly as an admin would;
 * what only SCIM keeps (userName, externalId) is in scim_identities.
 */
import { sql, type Kysely, type Transaction } from "kysely";
import { scimPatch, type ScimPatchOperation } from "scim-patch";
import type { Database } from "../../db/schema.ts";
import { recordAudit } from "../audit/record.server.ts";
import {
  addUserFailure,
  addUserIn,
  numberChoices,
  type AddedUser,
  type AddUserResult,
} from "../users/add.server.ts";
import { editUserIn, findEditable } from "../users/edit.server.ts";
import { mailInvite } from "../users/invite.server.ts";
import { violates } from "../refusal.server.ts";
import { deleteUsers } from "../users/delete.server.ts";
import { parseId } from "../input.ts";
import { filterSql } from "./filter.server.ts";
import { attributeSelection, listResponse, notFound, paging, ScimError } from "./http.server.ts";
import type { ScimActor, ScimCall } from "./actor.server.ts";
import {
  fromScimUser,
  pick,
  scimBoolean,
  toScimUser,
  type ScimUserInput,
  type ScimUserRow,
} from "./mapping.ts";

const userNotFound = () => notFound("User");
const uniqueness = (detail: string) => new ScimError(409, detail, "uniqueness");

/** The company's users SCIM sees (not deleted), as ScimUserRow. */
function usersQuery(db: Kysely<Database>, companyId: number) {
  return db
    .selectFrom("users as u")
    .leftJoin("scim_identities as si", "si.user_id", "u.id")
    .innerJoin("offices as o", "o.id", "u.office_id")
    .where("u.company_id", "=", companyId)
    .where("u.status", "in", ["active", "pending"]);
}

async function rows(q: ReturnType<typeof usersQuery>): Promise<ScimUserRow[]> {
  const found = await q
    .select([
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
      "u.created_at",
      sql<Date>`coalesce(si.updated_at, u.created_at)`.as("last_modified"),
    ])
    .execute();
  return found.map((r) => ({
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
    createdAt: r.created_at,
    lastModified: r.last_modified,
  }));
}

export async function listUsers({ db, actor, baseUrl }: ScimCall, params: URLSearchParams) {
  const { startIndex, count } = paging(params);
  const select = attributeSelection(params);
  const filter = params.get("filter");
  let q = usersQuery(db, actor.company.id);
  if (filter !== null && filter.trim() !== "") q = q.where(filterSql(filter));
  const [{ total }] = (await q.select((eb) => eb.fn.countAll<number>().as("total")).execute()) as [
    { total: number },
  ];
  const page =
    count === 0
      ? []
      : await rows(
          q
            .orderBy("u.id")
            .offset(startIndex - 1)
            .limit(count),
        );
  return listResponse(
    Number(total),
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
    .where(
      sql<boolean>`(lower(si.user_name) = ${userName.toLowerCase()} or (si.user_id is null and lower(u.email) = ${userName.toLowerCase()}))`,
    )
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

/** The office and license a new user gets: the extension's, else the company's first office and Connect. */
async function placement(db: Kysely<Database>, actor: ScimActor, input: ScimUserInput) {
  const offices = await db
    .selectFrom("offices")
    .select(["id", "name"])
    .where("company_id", "=", actor.company.id)
    .orderBy("id")
    .execute();
  const office = input.officeName
    ? offices.find((o) => o.name.toLowerCase() === input.officeName!.toLowerCase())
    : offices[0];
  if (!office)
    throw new ScimError(
      400,
      `There is no office named ${input.officeName} in ${actor.company.name}.`,
      "invalidValue",
    );
  return { officeId: office.id, licenseType: input.licenseType ?? ("connect" as const) };
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
  return added;
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
  // The invite is mailed after the commit, as Add User mails it.
  if (token)
    await mailInvite(origin, { userId, name, email: input.email, company: actor.company.name }, token);
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
      const current = await lockUser(tx, actor, rawId);
      return replaceIn(tx, call, current, await work(tx, current));
    })
    // Edit user's refusals are thrown as SCIM errors, and Add User's are not met here.
    .catch((err: unknown) => {
      scimWriteFailure(err);
      throw err;
    });
  if (done.token)
    await mailInvite(
      origin,
      { userId: done.userId, name: done.name, email: done.email, company: actor.company.name },
      done.token,
    );
  return toScimUser(await findUser(db, actor, rawId), baseUrl);
}

export async function replaceUser(call: ScimCall, rawId: string, body: Record<string, unknown>) {
  return change(call, rawId, async () => body);
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
        ops.push({ op: lower, path: key, value: v });
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
