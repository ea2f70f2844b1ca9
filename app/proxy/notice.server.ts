/**
 * The email that tells a person someone proxied into their account, when
 * their company asks for it (Company Settings › Security): who, when (in the
 * person's own time zone) and the reason. startProxy sends it after the
 * proxy session's transaction commits, so nobody is told of a session that
 * did not start. The outbox file names the admin too, so it is erased when
 * either of them is anonymized (app/mail).
 */
import { sendMail } from "../mail/mailer.server.ts";
import { formatDateTime } from "../ui/format.ts";

export interface ProxyNotice {
  user: { id: number; name: string; email: string; timeZone: string };
  admin: { id: number; name: string };
  company: string;
  startedAt: Date;
  /** When the proxy session ends at the latest. */
  expiresAt: Date;
  reason: string | null;
}

export function proxyNoticeMail({ user, admin, company, startedAt, expiresAt, reason }: ProxyNotice) {
  return {
    userId: user.id,
    naming: [admin.id],
    to: `${user.name} <${user.email}>`,
    subject: `${admin.name} used Proxy Login into your Switchboard account`,
    text: [
      `Hello ${user.name},`,
      "",
      `${admin.name}, an admin of ${company}, started a proxy login into your Switchboard account on ${formatDateTime(startedAt, user.timeZone)}.`,
      `Until they end it (${formatDateTime(expiresAt, user.timeZone)} at the latest) they see and can change your account and settings as you would; every change is recorded as made by them on your behalf.`,
      "",
      reason ? `The reason they gave: ${reason}` : "They gave no reason.",
      "",
      `If you did not expect this, ask your company's admins about it.`,
    ].join("\n"),
  };
}

/**
 * Sends the notice. The proxy session has started whatever happens here: a
 * mail server that fails is logged (by user id, never an address: an SMTP
 * error can quote one) rather than turned into an error page for a session
 * that is already open.
 */
export async function mailProxyNotice(notice: ProxyNotice): Promise<void> {
  try {
    await sendMail(proxyNoticeMail(notice));
  } catch (err) {
    console.error(
      `Proxy notice to user ${notice.user.id} not sent: ${(err as { code?: string }).code ?? "mail error"}`,
    );
  }
}
