/** The Proxy Login and Company Settings › Security forms, shared by the server and the browser. */
import { z } from "zod";
import { plainText } from "../input.ts";

/** The shortest reason a company that requires one accepts: "Ticket 4521", not "x". */
export const REASON_MIN = 5;
export const REASON_MAX = 200;

/**
 * Proxy Login's form. The reason is kept with the proxy session; whether it
 * is required is the company's Security setting (see app/proxy/security.server.ts).
 */
export function proxyLoginSchema(reasonRequired: boolean) {
  const reason = plainText("the reason", REASON_MAX);
  return z.object({
    reason: reasonRequired
      ? reason.min(
          REASON_MIN,
          `Give a reason of ${REASON_MIN} to ${REASON_MAX} characters, like a support ticket.`,
        )
      : reason.optional(),
  });
}

export const proxyAccessSchema = z.object({
  access: z.enum(["grant", "remove"], "Choose whether to give or remove proxy access."),
});

/** Company Settings › Security: two checkboxes (an unticked box is not sent: off). */
const checkbox = z.boolean("Tick the box, or leave it empty.").default(false);
export const proxySecuritySchema = z.object({ reasonRequired: checkbox, notice: checkbox });
export type ProxySecurity = z.infer<typeof proxySecuritySchema>;
