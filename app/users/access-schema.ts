/** The Admin access form (user.access.tsx), shared by the server and the browser. */
import { z } from "zod";
import { idListField } from "../input.ts";

export const adminAccessSchema = z.object({
  companyAdmin: z.enum(["yes", "no"], "Choose whether they are a Company Admin."),
  // The company has a handful of offices: more ticks than that is not a person's form.
  office: idListField("Choose offices from the list.").pipe(z.array(z.number()).max(1000)),
});
export type AdminAccessInput = z.infer<typeof adminAccessSchema>;
