/**
 * Invites: a pending user gets a single-use link (/invite/:token, valid 7
 * days) to set a password and become active. Only the token's hash is
 * stored. A new invite voids the old one.
 */
import { randomBytes } from "node:crypto";
import { sql, type Kysely, type Transaction } from "kysely";
import type { Database } from "../../db/schema.ts";
import { actingUserId, type Actor } from "../auth/actor.server.ts";
import { createSession, hashToken } from "../auth/session.server.ts";
import { hashPassword } from "../auth/password.server.ts";
import { recordAudit } from "../audit/record.server.ts";
import { sendMail } from "../mail/mailer.server.ts";
import { Refusal, refusing, type Outcome } from "../refusal.server.ts";

const INVITE_DAYS = 7;

/** Voids the user's live invite, if any; returns its id. */
async function voidLiveInvite(tx: Transaction<Database>, userId: number, now: Date): Promise<number | null> {
  const voided = await tx
    .updateTable("invites")
    .set({ voided_at: now })
    .where("user_id", "=", userId)
    .where("used_at", "is", null)
    .where("voided_at", "is", null)
    .returning("id")
    .executeTakeFirst();
  return voided?.id ?? null;
}

/** Issues a new invite inside the caller's transaction, voiding any older one. Returns the token. */
export async function issueInvite(
  tx: Transaction<Database>,
  userId: number,
  createdBy: number | null,
  now: Date,
) {
  await voidLiveInvite(tx, userId, now);
  return insertInvite(tx, userId, createdBy, now);
}

async function insertInvite(tx: Transaction<Database>, userId: number, createdBy: number | null, now: Date) {
  const [token] = await insertInvites(tx, [userId], createdBy, now);
  return token!;
}

/** New invite tokens (only their hashes are stored). */
export const newInviteTokens = (n: number) =>
  Array.from({ length: n }, () => randomBytes(32).toString("base64url"));

/**
 * First invites for new users (Add User, Import users), one statement for
 * any number of them: their tokens, in the order of `userIds`. Invites a job
 * is to mail (`mailPending`, a large import's) get a token nobody is told:
 * the job gives each a new one as it mails it (app/users/import-mail.server.ts).
 */
export async function insertInvites(
  tx: Transaction<Database>,
  userIds: number[],
  createdBy: number | null,
  now: Date,
  mailPending = false,
): Promise<string[]> {
  if (userIds.length === 0) return [];
  const tokens = newInviteTokens(userIds.length);
  await tx
    .insertInto("invites")
    .columns(["user_id", "token_hash", "created_by_user_id", "created_at", "expires_at", "mail_pending"])
    .expression(
      sql<never>`select x.user_id, x.token_hash, ${createdBy}::int, ${now}::timestamptz, ${new Date(
        now.getTime() + INVITE_DAYS * 86400_000,
      )}::timestamptz, ${mailPending}
        from unnest(${userIds}::int[], ${tokens.map(hashToken)}::text[]) as x(user_id, token_hash)`,
    )
    .execute();
  return tokens;
}

/** Whom an invite is mailed to. */
export interface InviteMail {
  userId: number;
  name: string;
  email: string;
}

export async function mailInvite(origin: string, to: InviteMail & { company: string }, token: string) {
  await sendMail({
    userId: to.userId,
    to: `${to.name} <${to.email}>`,
    subject: `You're invited to ${to.company} on Switchboard`,
    text: [
      `Hello ${to.name},`,
      "",
      `You have been added to ${to.company} on Switchboard. Set your password to start:`,
      "",
      `${origin}/invite/${token}`,
      "",
      `This link works once and expires in ${INVITE_DAYS} days.`,
    ].join("\n"),
  });
}

/**
 * Mails an invite once what issued it has committed. A mailer that refuses
 * it (an SMTP outage) undoes nothing and is no error page, since the change
 * is made: it is logged, and false is returned for the admin to be told to
 * send it again with Resend invite. The log names the user by id only: an
 * SMTP error can quote an address. (A large import's invites are a job's,
 * marked to mail again: import-mail.server.ts.)
 */
export async function mailInviteAfterCommit(
  origin: string,
  to: InviteMail & { company: string },
  token: string,
): Promise<boolean> {
  try {
    await mailInvite(origin, to, token);
    return true;
  } catch (err) {
    console.error(
      `Invite to user ${to.userId} not mailed: ${(err as { code?: string }).code ?? "mail error"}`,
    );
    return false;
  }
}

/** What an admin is told when the mailer refused an invite their change issued. */
export const inviteNotMailed = (email: string) =>
  `The mail server refused the invite to ${email}: send it again with Options › Admin › Resend invite.`;

/**
 * Options > Admin > Resend invite: a new link, the old one void. `shown` is
 * the live invite the admin's page showed: if another has been sent since
 * (a double click, a replay, another admin), nothing is sent and it says so.
 */
export async function resendInvite(
  db: Kysely<Database>,
  actor: Actor,
  user: { id: number; name: string; email: string; officeId: number },
  shown: number | null,
  origin: string,
  now: Date,
): Promise<Outcome> {
  let token = "";
  const outcome = await refusing(() =>
    db.transaction().execute(async (tx) => {
      // Concurrent resends of the same page queue on the invite's row: the second finds it void.
      if ((await voidLiveInvite(tx, user.id, now)) !== shown) {
        throw new Refusal(`A newer invite was sent to ${user.email} meanwhile: nothing more was sent.`);
      }
      token = await insertInvite(tx, user.id, actingUserId(actor), now);
      await recordAudit(
        tx,
        actor,
        {
          action: "user.invite_resent",
          targetType: "user",
          targetId: user.id,
          targetLabel: user.name,
          officeId: user.officeId,
        },
        now,
      );
      return {
        ok: true as const,
        message: `A new invite is on its way to ${user.email}. The old link no longer works.`,
      };
    }),
  );
  if (
    outcome.ok &&
    !(await mailInviteAfterCommit(
      origin,
      { userId: user.id, name: user.name, email: user.email, company: actor.company.name },
      token,
    ))
  )
    return {
      ok: true,
      message: `A new invite was made; the old link no longer works. ${inviteNotMailed(user.email)}`,
    };
  return outcome;
}

/** The invite a link names, if it can still be used. */
export async function findInvite(db: Kysely<Database>, token: string, now: Date) {
  return db
    .selectFrom("invites as i")
    .innerJoin("users as u", "u.id", "i.user_id")
    .innerJoin("companies as c", "c.id", "u.company_id")
    .select(["i.id", "u.id as user_id", "u.first_name", "u.last_name", "u.email", "c.name as company_name"])
    .where("i.token_hash", "=", hashToken(token))
    .where("i.used_at", "is", null)
    .where("i.voided_at", "is", null)
    .where("i.expires_at", ">", now)
    .where("u.status", "=", "pending")
    .executeTakeFirst();
}

/**
 * Sets the password, makes the user active and signs them in (their session's cookie); the invite is used
 * up. Null if it no longer can be. The session is opened in the same transaction, under the lock on their
 * row: an admin's suspension or deletion waits for it, and then ends the session with the others.
 */
export async function acceptInvite(
  db: Kysely<Database>,
  request: Request,
  token: string,
  password: string,
  ip: string | null,
  now: Date,
) {
  const passwordHash = await hashPassword(password);
  return db.transaction().execute(async (tx) => {
    const invite = await tx
      .selectFrom("invites as i")
      .innerJoin("users as u", "u.id", "i.user_id")
      .select([
        "i.id",
        "u.id as user_id",
        "u.company_id",
        "u.office_id",
        "u.first_name",
        "u.last_name",
        "u.email",
      ])
      .where("i.token_hash", "=", hashToken(token))
      .where("i.used_at", "is", null)
      .where("i.voided_at", "is", null)
      .where("i.expires_at", ">", now)
      .where("u.status", "=", "pending")
      .forNoKeyUpdate()
      .executeTakeFirst();
    if (!invite) return null;
    await tx.updateTable("invites").set({ used_at: now }).where("id", "=", invite.id).execute();
    await tx
      .updateTable("users")
      .set({ status: "active", password_hash: passwordHash, first_signed_in_at: now })
      .where("id", "=", invite.user_id)
      .execute();
    const name = `${invite.first_name} ${invite.last_name}`;
    await recordAudit(
      tx,
      {
        company: { id: invite.company_id, name: "", plan: "standard" },
        person: {
          id: invite.user_id,
          firstName: invite.first_name!,
          lastName: invite.last_name!,
          email: invite.email!,
          officeId: invite.office_id,
          isCompanyAdmin: false,
          hasProxyAccess: false,
        },
        proxy: null,
        ip,
      },
      {
        action: "user.activated",
        targetType: "user",
        targetId: invite.user_id,
        targetLabel: name,
        officeId: invite.office_id,
        before: { status: "pending" },
        after: { status: "active" },
      },
      now,
    );
    const cookie = await createSession(tx, request, ip, invite.user_id, now);
    if (!cookie) throw new Error(`User ${invite.user_id}, activated under lock, has no session.`);
    return { userId: invite.user_id, cookie };
  });
}
