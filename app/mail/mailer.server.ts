/**
 * Outgoing mail through nodemailer: SMTP when SMTP_URL is set (production),
 * otherwise each message is written to the server log and, as an .eml file,
 * to DATA_DIR/outbox, where a developer (or a test) can open it.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import nodemailer from "nodemailer";

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

const FROM = process.env.MAIL_FROM ?? "Switchboard <no-reply@switchboard.test>";

export function outboxDir(): string {
  return join(process.env.DATA_DIR ?? "./data", "outbox");
}

export async function sendMail(mail: Mail): Promise<void> {
  if (process.env.SMTP_URL) {
    await nodemailer.createTransport(process.env.SMTP_URL).sendMail({ from: FROM, ...mail });
    return;
  }
  const info = await nodemailer
    .createTransport({ streamTransport: true, buffer: true })
    .sendMail({ from: FROM, ...mail });
  const dir = outboxDir();
  await mkdir(dir, { recursive: true });
  const file = join(
    dir,
    `${new Date().toISOString().replace(/[:.]/g, "-")}-${info.messageId.replace(/[^\w.-]/g, "")}.eml`,
  );
  await writeFile(file, info.message as Buffer);
  console.log(
    `Mail to ${mail.to}: "${mail.subject}" (not sent: no SMTP_URL) written to ${file}\n${mail.text}`,
  );
}
