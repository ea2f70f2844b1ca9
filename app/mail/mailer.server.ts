/**
 * Outgoing mail through nodemailer: SMTP when SMTP_URL is set (production),
 * otherwise each message is written, as an .eml file, to DATA_DIR/outbox,
 * where a developer (or a test) can open it.
 *
 * Personal data: the log says only that a message to a user id went out, and
 * where its file is, never its address, text or links (an invite's link is a
 * password). The outbox keeps a message until its user is anonymized: each
 * file is named for the user it was sent to (and for any other user it names,
 * like the admin of a proxy notice), and anonymization erases those files in
 * its own transaction (eraseOutboxOf), so nothing of an anonymized person
 * stays in DATA_DIR. With SMTP nothing is kept here.
 */
import { mkdir, readdir, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import nodemailer from "nodemailer";

export interface Mail {
  /** The user the message is to: its outbox file is erased with them. */
  userId: number;
  /** Other users the message names: its outbox file is erased with any of them too. */
  naming?: number[];
  to: string;
  subject: string;
  text: string;
}

const FROM = process.env.MAIL_FROM ?? "Switchboard <no-reply@switchboard.test>";

export function outboxDir(): string {
  return join(process.env.DATA_DIR ?? "./data", "outbox");
}

/** `<time>-user-<id>[+<id>…]-<message id>.eml`: sorted by time, found by any user it is to or names. */
const OUTBOX_FILE = /^[\w-]+?-user-(\d+(?:\+\d+)*)-[\w.-]*\.eml$/;

export async function sendMail({ userId, naming = [], ...mail }: Mail): Promise<void> {
  if (process.env.SMTP_URL) {
    await nodemailer.createTransport(process.env.SMTP_URL).sendMail({ from: FROM, ...mail });
    console.log(`Mail to user ${userId} sent.`);
    return;
  }
  const info = await nodemailer
    .createTransport({ streamTransport: true, buffer: true })
    .sendMail({ from: FROM, ...mail });
  const dir = outboxDir();
  await mkdir(dir, { recursive: true });
  const file = join(
    dir,
    `${new Date().toISOString().replace(/[:.]/g, "-")}-user-${[userId, ...naming].join("+")}-${info.messageId.replace(/[^\w.-]/g, "")}.eml`,
  );
  await writeFile(file, info.message as Buffer);
  console.log(`Mail to user ${userId} not sent (no SMTP_URL): written to ${file}`);
}

/** Erases the outbox files of mail sent to these users (see above). */
export async function eraseOutboxOf(userIds: number[]): Promise<void> {
  const ids = new Set(userIds.map(String));
  let files: string[];
  try {
    files = await readdir(outboxDir());
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return; // nothing was ever mailed here
    throw err;
  }
  const dir = outboxDir();
  await Promise.all(
    files
      .filter((f) => (OUTBOX_FILE.exec(f)?.[1]?.split("+") ?? []).some((id) => ids.has(id)))
      .map((f) =>
        unlink(join(dir, f)).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== "ENOENT") throw err; // erased meanwhile by another purge: as good
        }),
      ),
  );
}
