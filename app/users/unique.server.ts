/**
 * What must be unique about a person, asked before a change so the form can
 * say which field is wrong. The schema is the backstop when two admins write
 * at the same moment (users_email_key, users_extension_key): `uniquenessRefusal`
 * words its violation the same way.
 */
import { sql, type Transaction } from "kysely";
import type { Database } from "../../db/schema.ts";
import { violates } from "../refusal.server.ts";

export const EMAIL_TAKEN = "Someone already uses this email.";
const extensionTaken = (ext: string) =>
  `Someone else in your company already has extension ${ext}. Choose another.`;

/** Whether another user (of any company, deleted or not, until anonymized) has this email in any letter case. */
export async function emailTaken(tx: Transaction<Database>, email: string, exceptUserId?: number) {
  let q = tx
    .selectFrom("users")
    .select("id")
    .where(sql<string>`lower(email)`, "=", email.toLowerCase());
  if (exceptUserId !== undefined) q = q.where("id", "<>", exceptUserId);
  return (await q.executeTakeFirst()) !== undefined;
}

/**
 * The refusal for an extension another user of the company has, or null. A
 * deleted user keeps theirs until anonymized (which erases it), so that a
 * restore can give it back: the index (live users only) would refuse the restore.
 */
export async function extensionRefusal(
  tx: Transaction<Database>,
  companyId: number,
  extension: string,
  exceptUserId: number,
): Promise<string | null> {
  const holder = await tx
    .selectFrom("users")
    .select("status")
    .where("company_id", "=", companyId)
    .where("extension", "=", extension)
    .where("id", "<>", exceptUserId)
    // Each branch is one partial index's (users_extension_key, users_deleted_idx): no scan of the company.
    .where((eb) =>
      eb.or([
        eb("status", "<>", "deleted"),
        eb.and([eb("status", "=", "deleted"), eb("anonymized_at", "is", null)]),
      ]),
    )
    .executeTakeFirst();
  if (!holder) return null;
  return holder.status === "deleted"
    ? `Extension ${extension} stays with a deleted user while they can be restored. Choose another.`
    : extensionTaken(extension);
}

/** The unique index a concurrent write ran into, worded for its field; null for any other error. */
export function uniquenessRefusal(
  err: unknown,
  extension: string | null,
): { field: "email" | "extension"; message: string } | null {
  if (violates(err, "users_email_key")) return { field: "email", message: EMAIL_TAKEN };
  if (violates(err, "users_extension_key"))
    return { field: "extension", message: extensionTaken(extension ?? "") };
  return null;
}
