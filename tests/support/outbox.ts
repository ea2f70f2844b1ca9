/**
 * Mail a test server sent: without SMTP_URL the app writes each message to
 * DATA_DIR/outbox/*.eml (app/mail), where tests read invite links and notices.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";

/** Quoted-printable (RFC 2045), as nodemailer writes any text that is not plain ASCII or has long lines. */
const decodeQuotedPrintable = (raw: string) =>
  Buffer.from(
    raw
      .replace(/=\r?\n/g, "")
      .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    "latin1",
  ).toString("utf8");

/** Every message in this DATA_DIR's outbox, oldest first (file name and decoded text); none if nothing was mailed. */
export function outboxIn(dataDir: string): { file: string; text: string }[] {
  const dir = `${dataDir}/outbox`;
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .map((file) => ({ file, text: decodeQuotedPrintable(readFileSync(`${dir}/${file}`, "latin1")) }));
}

/** The newest invite link (`/invite/<token>`) mailed to this address from this DATA_DIR. */
export function lastInviteLinkIn(dataDir: string, email: string): string {
  const link = outboxIn(dataDir)
    .filter((m) => m.text.includes(email))
    .at(-1)
    ?.text.match(/\/invite\/[A-Za-z0-9_=-]+/)?.[0];
  if (!link) throw new Error(`No invite mailed to ${email}`);
  return link;
}
