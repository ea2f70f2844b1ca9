/**
 * Options › Admin › Edit user: a person's name, email, extension and job
 * title, corrected by an admin (docs/domain.md, "Edit user"). One transaction
 * with its audit entry (before and after, the changed fields only); saving
 * what is already there changes nothing and records nothing. A pending user's
 * invite follows a new address: the old link stops working and a new one is
 * mailed there.
 */
import type { Kysely, Transaction } from "kysely";
import type { Database, UserStatus } from "../../db/schema.ts";
import { actingUserId, type Actor } from "../auth/actor.server.ts";
import { currentUserInScope } from "../auth/scopes.server.ts";
import { mayEditUser, reasonOf } from "../auth/policy.server.ts";
import { recordAudit } from "../audit/record.server.ts";
import { issueInvite, mailInviteAfterCommit } from "./invite.server.ts";
import { EMAIL_TAKEN, emailTaken, extensionRefusal, uniquenessRefusal } from "./unique.server.ts";
import type { EditUserInput } from "./edit-schema.ts";
import { refused, type Result } from "../refusal.server.ts";

const FIELDS = ["first_name", "last_name", "email", "extension", "job_title"] as const;
type Field = (typeof FIELDS)[number];

/** The user as the form shows them, within the admin's scope and not deleted; null if not (404). */
export async function findEditable(db: Kysely<Database>, actor: Actor, userId: number) {
  const u = await currentUserInScope(db, actor, userId)
    .select(["u.id", "u.status", "u.is_company_admin", ...FIELDS.map((f) => `u.${f}` as const)])
    .executeTakeFirst();
  if (!u) return null;
  return {
    id: u.id,
    name: `${u.first_name} ${u.last_name}`,
    status: u.status as Exclude<UserStatus, "deleted">,
    refusal: reasonOf(mayEditUser(actor, { isCompanyAdmin: u.is_company_admin })),
    values: {
      firstName: u.first_name!,
      lastName: u.last_name!,
      email: u.email!,
      extension: u.extension ?? "",
      jobTitle: u.job_title ?? "",
    },
  };
}

/**
 * Refused beside `email` or `extension`: taken by someone else.
 * `mailed`: false when the mailer refused the new invite to `invitedTo` (see mailInviteAfterCommit).
 */
export type EditUserResult = Result<{
  name: string;
  changed: Field[];
  invitedTo: string | null;
  mailed: boolean;
}>;

/** What editUserIn did: the result, and the invite to mail once the caller's transaction commits. */
export type EditedUser = Result<{ name: string; changed: Field[]; invitedTo: string | null; token?: string }>;

export async function editUser(
  db: Kysely<Database>,
  actor: Actor,
  userId: number,
  input: EditUserInput,
  origin: string,
  now: Date,
): Promise<EditUserResult> {
  const result: EditedUser = await db
    .transaction()
    .execute((tx) => editUserIn(tx, actor, userId, input, now))
    .catch((err) => editUserFailure(err, input));
  if (!result.ok) return result;
  const { token, ...edited } = result;
  const mailed =
    !token ||
    (await mailInviteAfterCommit(
      origin,
      { userId, name: edited.name, email: input.email, company: actor.company.name },
      token,
    ));
  return { ...edited, mailed };
}

/**
 * Edit user's work inside the caller's transaction. Its refusals come before
 * anything is written; the unique index's error, when another transaction
 * took the email or extension meanwhile, is thrown: editUserFailure words it.
 */
export async function editUserIn(
  tx: Transaction<Database>,
  actor: Actor,
  userId: number,
  input: EditUserInput,
  now: Date,
): Promise<EditedUser> {
  const next = nextValues(input);
  // NO KEY UPDATE: enough against a concurrent edit or deletion, and it lets
  // Resend invite insert an invite (a foreign key to this row) meanwhile.
  const before = await currentUserInScope(tx, actor, userId)
    .select(["u.status", "u.office_id", "u.is_company_admin", ...FIELDS.map((f) => `u.${f}` as const)])
    .forNoKeyUpdate("u")
    .executeTakeFirst();
  if (!before) return refused("This user", "not_found");
  const may = mayEditUser(actor, { isCompanyAdmin: before.is_company_admin });
  if (!may.ok) return refused(may.reason, "forbidden");

  const name = `${next.first_name} ${next.last_name}`;
  const changed = FIELDS.filter((f) => before[f] !== next[f]);
  if (changed.length === 0) return { ok: true, name, changed, invitedTo: null };
  if (changed.includes("email") && (await emailTaken(tx, input.email, userId)))
    return refused(EMAIL_TAKEN, "refused", "email");
  if (changed.includes("extension") && next.extension) {
    const taken = await extensionRefusal(tx, actor.company.id, next.extension, userId);
    if (taken) return refused(taken, "refused", "extension");
  }

  await tx.updateTable("users").set(next).where("id", "=", userId).execute();
  // Another letter case is the same mailbox: the invite already sent there still works.
  const newAddress = before.email!.toLowerCase() !== input.email.toLowerCase();
  const token =
    before.status === "pending" && newAddress
      ? await issueInvite(tx, userId, actingUserId(actor), now)
      : undefined;
  await recordAudit(
    tx,
    actor,
    {
      action: "user.edited",
      targetType: "user",
      targetId: userId,
      targetLabel: name,
      officeId: before.office_id,
      before: Object.fromEntries(changed.map((f) => [f, before[f]])),
      after: Object.fromEntries(changed.map((f) => [f, next[f]])),
    },
    now,
  );
  return { ok: true, name, changed, invitedTo: token ? input.email : null, token };
}

function nextValues(input: EditUserInput): Record<Field, string | null> {
  return {
    first_name: input.firstName,
    last_name: input.lastName,
    email: input.email,
    extension: input.extension ?? null,
    job_title: input.jobTitle ?? null,
  };
}

/** What editUserIn threw, as a refusal once its transaction has rolled back; anything else stays an error. */
function editUserFailure(err: unknown, input: EditUserInput): EditUserResult {
  // Two admins giving one email or extension at the same moment: the unique index decides.
  const taken = uniquenessRefusal(err, input.extension ?? null);
  if (taken) return refused(taken.message, "refused", taken.field);
  throw err;
}
