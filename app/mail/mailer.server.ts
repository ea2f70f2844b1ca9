/**
 * Outgoing mail through nodemailer: SMTP when SMTP_URL is set (production),
 * otherwise each message is written, as an .eml file, to DATA_DIR/outbox,
 * where a developer (or a test) can open it.
 *
 * Personal data: the log says only that a message to a user id went out, and
 * where its file is, never its address, text or links (an invite's link is a
 * password). The outbox keeps a message until its user is anonymized: each
 * file is named for the user it was sent to, and anonymization erases that
 * user's files in its own transaction (eraseOutboxOf), so nothing of an
 * anonymized person stays in DATA_DIR. With SMTP nothing is kept here.
 */
import { mkdir, readdir, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import nodemailer from "nodemailer";

export interface Mail {
  /** The user the message is to: its outbox file is erased with them. */
  userId: number;
  to: string;
  subject: string;
  text: string;
}

const FROM = process.env.MAIL_FROM ?? "Switchboard <no-reply@switchboard.test>";

export function outboxDir(): string {
  return join(process.env.DATA_DIR ?? "./data", "outbox");
}

/** `<time>-user-<id>-<message id>.eml`: sorted by time, found by user. */
const OUTBOX_FILE = /^[\w-]+?-user-(\d+)-[\w.-]*\.eml$/;

export async function sendMail({ userId, ...mail }: Mail): Promise<void> {
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
    `${new Date().toISOString().replace(/[:.]/g, "-")}-user-${userId}-${info.messageId.replace(/[^\w.-]/g, "")}.eml`,
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
      .filter((f) => ids.has(OUTBOX_FILE.exec(f)?.[1] ?? ""))
      .map((f) =>
        unlink(join(dir, f)).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== "ENOENT") throw err; // erased meanwhile by another purge: as good
        }),
      ),
  );
}
