/**
 * The account settings form, shared by the server (the rule) and the
 * browser (the same messages before a round trip, when JavaScript is on).
 */
import { z } from "zod";
import { PLAIN_TEXT } from "../ui/plain-text.ts";

export const LANGUAGES = {
  en: "English",
  fr: "Français",
  es: "Español",
  de: "Deutsch",
  ja: "日本語",
} as const;

export const TIMEZONES: readonly string[] = Intl.supportedValuesOf("timeZone");

const personText = (label: string, max: number) =>
  z
    .string(`Enter ${label}.`)
    .trim()
    .min(1, `Enter ${label}.`)
    .max(max, `Keep ${label} under ${max} characters.`)
    .regex(PLAIN_TEXT, `Remove the control and text-direction characters from ${label}.`);

export const settingsSchema = z.object({
  firstName: personText("a first name", 100),
  lastName: personText("a last name", 100),
  jobTitle: z
    .string()
    .trim()
    .max(100, "Keep the job title under 100 characters.")
    .regex(PLAIN_TEXT, "Remove the control and text-direction characters from the job title.")
    .optional(),
  timezone: z
    .string("Choose a time zone.")
    .refine((tz) => TIMEZONES.includes(tz), "Choose a time zone from the list."),
  language: z.enum(Object.keys(LANGUAGES) as [keyof typeof LANGUAGES], "Choose a language from the list."),
  forwardingNumber: z.string().trim().max(40, "That is too long for a phone number.").optional(),
  doNotDisturb: z.boolean().default(false),
  voicemailToEmail: z.boolean().default(false),
});
export type SettingsInput = z.infer<typeof settingsSchema>;
