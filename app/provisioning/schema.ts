/** The forms of Company Settings › Provisioning (Create token, the defaults), shared by the server and the browser. */
import { z } from "zod";
import { idField, requiredText } from "../input.ts";
import { USER_LICENSE_TYPES } from "../../db/schema.ts";

export const createTokenSchema = z.object({
  name: requiredText("a name for the token, like Okta", 100),
  /** The last day the token works (UTC), YYYY-MM-DD; empty: it does not expire. */
  expiresOn: z
    .string()
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, "Enter the last day as YYYY-MM-DD, or leave it empty.")
    .refine((s) => {
      const d = new Date(`${s}T00:00:00Z`);
      return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
    }, "That day does not exist.")
    .optional(),
});
export type CreateTokenInput = z.infer<typeof createTokenSchema>;

/** The defaults form: where a provisioned user goes, with which license, when the identity provider does not say. */
export const defaultsSchema = z.object({
  officeId: idField("Choose an office."),
  licenseType: z.enum(USER_LICENSE_TYPES, "Choose Connect, Sell or Support."),
});
export type DefaultsInput = z.infer<typeof defaultsSchema>;
