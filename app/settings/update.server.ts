/**
 * A person's own account settings (or, while proxying, the proxied user's):
 * name, job title, time zone, language, call forwarding, do-not-disturb and
 * voicemail to email. One transaction, with its audit entry.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import type { Actor } from "../auth/actor.server.ts";
import { recordAudit } from "../audit/record.server.ts";
import { parseTypedNumber, formatNumber } from "../numbers/format.server.ts";
import type { SettingsInput } from "./schema.ts";
import { refused, type Result } from "../refusal.server.ts";

export async function loadSettings(db: Kysely<Database>, actor: Actor) {
  const u = await db
    .selectFrom("users as u")
    .innerJoin("offices as o", "o.id", "u.office_id")
    .select([
      "u.first_name",
      "u.last_name",
      "u.email",
      "u.job_title",
      "u.timezone",
      "u.language",
      "u.forwarding_number",
      "u.do_not_disturb",
      "u.voicemail_to_email",
      "o.timezone as office_timezone",
      "o.country as office_country",
    ])
    .where("u.id", "=", actor.person.id)
    .where("u.company_id", "=", actor.company.id)
    .executeTakeFirstOrThrow();
  return {
    email: u.email!,
    officeCountry: u.office_country,
    values: {
      firstName: u.first_name!,
      lastName: u.last_name!,
      jobTitle: u.job_title ?? "",
      timezone: u.timezone ?? u.office_timezone,
      language: u.language,
      forwardingNumber: formatNumber(u.forwarding_number) ?? "",
      doNotDisturb: u.do_not_disturb,
      voicemailToEmail: u.voicemail_to_email,
    },
  };
}

export type SettingsResult = Result;

export async function updateSettings(
  db: Kysely<Database>,
  actor: Actor,
  input: SettingsInput,
  at: Date,
): Promise<SettingsResult> {
  let forwarding: string | null = null;
  if (input.forwardingNumber) {
    const current = await loadSettings(db, actor);
    forwarding = parseTypedNumber(input.forwardingNumber, current.officeCountry);
    if (!forwarding) {
      return refused(
        "Enter a valid phone number, like +1 415 555 0100, or leave it empty.",
        "invalid",
        "forwardingNumber",
      );
    }
  }
  const next = {
    first_name: input.firstName,
    last_name: input.lastName,
    job_title: input.jobTitle || null,
    timezone: input.timezone,
    language: input.language,
    forwarding_number: forwarding,
    do_not_disturb: input.doNotDisturb,
    voicemail_to_email: input.voicemailToEmail,
  };
  await db.transaction().execute(async (tx) => {
    const before = await tx
      .selectFrom("users")
      .select(Object.keys(next) as (keyof typeof next)[])
      .where("id", "=", actor.person.id)
      .where("company_id", "=", actor.company.id)
      .forNoKeyUpdate()
      .executeTakeFirstOrThrow();
    await tx.updateTable("users").set(next).where("id", "=", actor.person.id).execute();
    const changed = (Object.keys(next) as (keyof typeof next)[]).filter((k) => before[k] !== next[k]);
    if (changed.length === 0) return;
    await recordAudit(
      tx,
      actor,
      {
        action: "user.settings_updated",
        targetType: "user",
        targetId: actor.person.id,
        targetLabel: `${next.first_name} ${next.last_name}`,
        officeId: actor.person.officeId,
        before: Object.fromEntries(changed.map((k) => [k, before[k]])),
        after: Object.fromEntries(changed.map((k) => [k, next[k]])),
      },
      at,
    );
  });
  return { ok: true };
}
