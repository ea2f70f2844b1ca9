/**
 * The account settings form, shared by the server (the rule) and the
 * browser (the same messages before a round trip, when JavaScript is on).
 */
import { z } from "zod";
import { plainText } from "../input.ts";
import { firstName, jobTitle, lastName } from "../users/person-fields.ts";

export const LANGUAGES = {
  en: "English",
  fr: "Français",
  es: "Español",
  de: "Deutsch",
  ja: "日本語",
} as const;

export const TIMEZONES: readonly string[] = Intl.supportedValuesOf("timeZone");

export const settingsSchema = z.object({
  firstName,
  lastName,
  jobTitle,
  timezone: z
    .string("Choose a time zone.")
    .refine((tz) => TIMEZONES.includes(tz), "Choose a time zone from the list."),
  language: z.enum(Object.keys(LANGUAGES) as [keyof typeof LANGUAGES], "Choose a language from the list."),
  forwardingNumber: plainText("the forwarding number", 40).optional(),
  doNotDisturb: z.boolean().default(false),
  voicemailToEmail: z.boolean().default(false),
});
export type SettingsInput = z.infer<typeof settingsSchema>;
