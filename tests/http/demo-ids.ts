/** Ids of the demo data, and the sessions and changes the HTTP suites set up through the app. */
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import type { AppServer } from "../support/app-server.ts";
import { HttpClient } from "../support/http-client.ts";
import type { Target, TargetIds } from "./matrix.ts";

/** The people the targets of the matrix are about (see TARGETS in matrix.ts). */
const TARGET_PEOPLE: Record<Target, { user: string; deleted: string }> = {
  sf: { user: "marcus@acme.test", deleted: "sienna@acme.test" },
  ny: { user: "ethan@acme.test", deleted: "daniel@acme.test" },
  globex: { user: "walter@globex.test", deleted: "carl@globex.test" },
};

export async function signedIn(app: Pick<AppServer, "origin">, email: string): Promise<HttpClient> {
  const client = new HttpClient(app.origin);
  await client.signIn(email);
  return client;
}

/** Deletes a user as an admin does (keeping the license), so they can be restored or purged. */
export async function deleteThroughApp(admin: HttpClient, userId: number): Promise<void> {
  const res = await admin.post(`/users/${userId}/delete`, { license: "keep" });
  if (res.status !== 302)
    throw new Error(`Could not delete user ${userId}: ${res.status} ${await res.text()}`);
}

/** Resend invite, as the user's page sends it: naming the live invite it shows. */
export async function resendInviteThroughApp(admin: HttpClient, userId: number): Promise<void> {
  const page = await (await admin.get(`/users/${userId}`)).text();
  // The Options menu's Resend invite button: its name and value, in either order.
  const button = page.match(/<button[^>]*\bname="invite"[^>]*>/)?.[0];
  const invite = button?.match(/\bvalue="([^"]+)"/)?.[1];
  const res = await admin.post(`/users/${userId}/resend-invite`, { invite: invite ?? "" });
  if (res.status !== 302 || !invite)
    throw new Error(`Could not resend user ${userId}'s invite: ${res.status}`);
}

/**
 * The ids of these people, and of each target's user, their primary number,
 * their office's main line number, the deleted user and the number on hold
 * for them (their primary number, while they are not deleted yet).
 */
export async function demoIds(db: Kysely<Database>, emails: string[]) {
  {
    const people = [...emails, ...Object.values(TARGET_PEOPLE).flatMap((p) => [p.user, p.deleted])];
    const users = await db
      .selectFrom("users")
      .select(["id", "email", "office_id"])
      .where("email", "in", people)
      .execute();
    const byEmail = new Map(users.map((u) => [u.email!, u]));
    // The deleted Company Admins are the matrix's own setup (authz-matrix.test.ts).
    const targets = {} as Record<Target, Omit<TargetIds, "deletedCompanyAdmin">>;
    for (const [target, p] of Object.entries(TARGET_PEOPLE) as [Target, (typeof TARGET_PEOPLE)[Target]][]) {
      const user = byEmail.get(p.user)!;
      const deleted = byEmail.get(p.deleted)!;
      const number = await db
        .selectFrom("phone_numbers")
        .select("id")
        .where("assigned_user_id", "=", user.id)
        .where("is_primary", "=", true)
        .executeTakeFirstOrThrow();
      const mainLine = await db
        .selectFrom("phone_numbers as n")
        .innerJoin("groups as g", "g.id", "n.assigned_group_id")
        .select("n.id")
        .where("g.kind", "=", "main_line")
        .where("g.office_id", "=", user.office_id)
        .orderBy("n.id")
        .executeTakeFirstOrThrow();
      const held = await db
        .selectFrom("phone_numbers")
        .select("id")
        .where((eb) =>
          eb.or([
            eb("held_for_user_id", "=", deleted.id),
            eb.and([eb("assigned_user_id", "=", deleted.id), eb("is_primary", "=", true)]),
          ]),
        )
        .executeTakeFirstOrThrow();
      targets[target] = {
        user: user.id,
        userNumber: number.id,
        mainLineNumber: mainLine.id,
        office: user.office_id,
        deletedUser: deleted.id,
        heldNumber: held.id,
      };
    }
    return { user: Object.fromEntries(users.map((u) => [u.email!, u.id])), targets };
  }
}
