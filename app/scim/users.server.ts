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
import { addUser, numberChoices } from "../users/add.server.ts";
import { editUser, findEditable } from "../users/edit.server.ts";
import { deleteUsers } from "../users/delete.server.ts";
import { parseId } from "../input.ts";
import { filterSql } from "./filter.server.ts";
import { notFound, ScimError } from "./http.server.ts";
import type { ScimActor, ScimCall } from "./actor.server.ts";
import {
  fromScimUser,
  pick,
  scimBoolean,
  toScimUser,
  type ScimUserInput,
  type ScimUserRow,
} from "./mapping.ts";

export const MAX_COUNT = 1_000;
const DEFAULT_COUNT = 100;

const userNotFound = () => notFound("User");
const uniqueness = (detail: string) => new ScimError(409, detail, "uniqueness");

/** The company's users SCIM sees (not deleted), as ScimUserRow. */
function usersQuery(db: Kysely<Database> | Transaction<Database>, companyId: number) {
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

/** A positive integer query parameter, or the default; anything else is invalidValue. */
function intParam(raw: string | null, fallback: number, name: string, min: number): number {
  if (raw === null || raw === "") return fallback;
  if (!/^\d{1,9}$/.test(raw.trim())) throw new ScimError(400, `${name} must be an integer.`, "invalidValue");
  return Math.max(min, Number(raw.trim()));
}

export async function listUsers({ db, actor, baseUrl }: ScimCall, params: URLSearchParams) {
  const startIndex = intParam(params.get("startIndex"), 1, "startIndex", 1);
  const count = Math.min(intParam(params.get("count"), DEFAULT_COUNT, "count", 0), MAX_COUNT);
  const filter = params.get("filter");
  let q = usersQuery(db, actor.company.id);
  if (filter !== null && filter.trim() !== "") {
    const where = filterSql(filter);
    q = q.where(where);
  }
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
  return {
    schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
    totalResults: Number(total),
    startIndex,
    itemsPerPage: page.length,
    Resources: page.map((u) => toScimUser(u, baseUrl)),
  };
}

/** A user of the actor's company by SCIM id; a malformed, unknown or foreign id is 404. */
async function findUser(db: Kysely<Database> | Transaction<Database>, actor: ScimActor, rawId: string) {
  const id = parseId(rawId);
  if (id === null) throw userNotFound();
  const [found] = await rows(usersQuery(db, actor.company.id).where("u.id", "=", id));
  if (!found) throw userNotFound();
  return found;
}

export async function getUser({ db, actor, baseUrl }: ScimCall, rawId: string) {
  return toScimUser(await findUser(db, actor, rawId), baseUrl);
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
 * Records what SCIM calls the user, in its own transaction with its audit
 * entry. Nothing is stored for a user SCIM knows by their email and no
 * externalId; a taken userName (two creations at once) is a uniqueness error.
 */
async function saveIdentity(
  db: Kysely<Database>,
  actor: ScimActor,
  user: { id: number; officeId: number; name: string; email: string },
  input: Pick<ScimUserInput, "userName" | "externalId">,
  now: Date,
) {
  await db
    .transaction()
    .execute(async (tx) => {
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
    })
    .catch((err: unknown) => {
      if ((err as { constraint?: string }).constraint === "scim_identities_user_name_key")
        throw uniqueness(`Another user already has the userName ${input.userName}.`);
      throw err;
    });
}

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

export async function createUser(call: ScimCall, body: Record<string, unknown>) {
  const { db, actor, origin, baseUrl, now } = call;
  const input = fromScimUser(body);
  if (await userNameTaken(db, actor.company.id, input.userName))
    throw uniqueness(`Another user already has the userName ${input.userName}.`);
  const { officeId, licenseType } = await placement(db, actor, input);
  // A number as Add User gives one: the office's Reserved Pool first, else a new one; if another
  // request takes it meanwhile, the next choice.
  let result: Awaited<ReturnType<typeof addUser>> | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const choices = await numberChoices(db, actor, officeId, now);
    const pool = choices?.pool[attempt];
    const fresh = choices?.fresh[attempt];
    const number = pool ? `pool:${pool.id}` : fresh ? `new:${fresh.e164}` : "none";
    result = await addUser(
      db,
      actor,
      {
        officeId,
        firstName: input.firstName,
        lastName: input.lastName,
        email: input.email,
        licenseType,
        number,
      },
      origin,
      now,
    );
    if (result.ok || result.field !== "number") break;
  }
  if (!result!.ok) {
    const { field, message } = result!;
    if (field === "email") throw uniqueness(message);
    if (field === "officeId") throw new ScimError(400, message, "invalidValue");
    // No free seat of the type, or no number left: nothing was written.
    throw new ScimError(409, message);
  }
  const user = { id: result!.userId, officeId, name: result!.name, email: input.email };
  // Add User has no job title: it is set through Edit user, as an admin would right after.
  if (input.jobTitle) await edit(call, user.id, input);
  await saveIdentity(db, actor, user, input, now);
  return toScimUser(await findUser(db, actor, String(user.id)), baseUrl);
}

/** Name, email and job title through Edit user (its extension kept). */
async function edit({ db, actor, origin, now }: ScimCall, userId: number, input: ScimUserInput) {
  const current = await findEditable(db, actor, userId);
  if (!current) throw userNotFound();
  const result = await editUser(
    db,
    actor,
    userId,
    {
      firstName: input.firstName,
      lastName: input.lastName,
      email: input.email,
      extension: current.values.extension || undefined,
      jobTitle: input.jobTitle,
    },
    origin,
    now,
  );
  if (result.ok) return;
  if (result.kind === "not_found") throw userNotFound();
  if (result.field === "email") throw uniqueness(result.message);
  throw new ScimError(400, result.message, "invalidValue");
}

export async function replaceUser(call: ScimCall, rawId: string, body: Record<string, unknown>) {
  const { db, actor, baseUrl, now } = call;
  const current = await findUser(db, actor, rawId);
  const input = fromScimUser(body);
  const idInBody = pick(body, "id");
  if (idInBody !== undefined && String(idInBody) !== String(current.id))
    throw new ScimError(400, "id cannot be changed.", "mutability");
  if (await userNameTaken(db, actor.company.id, input.userName, current.id))
    throw uniqueness(`Another user already has the userName ${input.userName}.`);
  if (input.officeName && input.officeName.toLowerCase() !== current.officeName.toLowerCase())
    throw new ScimError(
      400,
      "Moving a user to another office is done with Transfer user, not SCIM.",
      "mutability",
    );
  if (input.licenseType && input.licenseType !== current.licenseType)
    throw new ScimError(400, "The license type is changed in Switchboard, not over SCIM.", "mutability");
  await edit(call, current.id, input);
  const user = {
    id: current.id,
    officeId: current.officeId,
    name: `${input.firstName} ${input.lastName}`,
    email: current.email,
  };
  await saveIdentity(db, actor, user, input, now);
  return toScimUser(await findUser(db, actor, rawId), baseUrl);
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
  const current = await getUser(call, rawId);
  const operations = normalizeOperations(pick(body, "Operations"));
  let patched: Record<string, unknown>;
  try {
    patched = scimPatch(
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
  return replaceUser(call, rawId, patched);
}

export async function deleteUser({ db, actor, now }: ScimCall, rawId: string) {
  const user = await findUser(db, actor, rawId);
  const { outcomes } = await deleteUsers(db, actor, [user.id], "keep", now);
  const outcome = outcomes[0];
  if (!outcome) throw userNotFound();
  if (outcome.outcome === "skipped") throw new ScimError(409, outcome.detail);
}
