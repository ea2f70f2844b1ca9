/** The Proxy Login form, shared by the server and the browser. */
import { z } from "zod";
import { PLAIN_TEXT } from "../ui/plain-text.ts";

export const proxyLoginSchema = z.object({
  reason: z
    .string()
    .trim()
    .max(200, "Keep the reason under 200 characters.")
    .regex(PLAIN_TEXT, "Remove the control and text-direction characters from the reason.")
    .optional(),
});

export const proxyAccessSchema = z.object({
  access: z.enum(["grant", "remove"], "Choose whether to give or remove proxy access."),
});
