/** The Proxy Login form, shared by the server and the browser. */
import { z } from "zod";
import { plainText } from "../input.ts";

export const proxyLoginSchema = z.object({
  reason: plainText("the reason", 200).optional(),
});

export const proxyAccessSchema = z.object({
  access: z.enum(["grant", "remove"], "Choose whether to give or remove proxy access."),
});
