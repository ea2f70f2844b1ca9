/**
 * Mail a test server sent: without SMTP_URL the app writes each message to
 * DATA_DIR/outbox/*.eml (app/mail), where tests read invite links.
 */
import { readdirSync, readFileSync } from "node:fs";

/** The newest invite link (`/invite/<token>`) mailed to this address from this DATA_DIR. */
export function lastInviteLinkIn(dataDir: string, email: string): string {
  const dir = `${dataDir}/outbox`;
  const mails = readdirSync(dir)
    .sort()
    .map((f) => readFileSync(`${dir}/${f}`, "utf8").replace(/=\r?\n/g, ""))
    .filter((m) => m.includes(email));
  const link = mails.at(-1)?.match(/\/invite\/[A-Za-z0-9_=-]+/)?.[0];
  if (!link) throw new Error(`No invite mailed to ${email}`);
  return link.replace(/=3D/g, "=");
}
