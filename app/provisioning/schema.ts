/** The Create token form of Company Settings › Provisioning, shared by the server and the browser. */
import { z } from "zod";
import { requiredText } from "../input.ts";

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
