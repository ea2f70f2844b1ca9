/** Transfer user's confirmation form, shared by the route and the server. Plain module. */
import { z } from "zod";
import { idField } from "../input.ts";

export const transferConfirmSchema = z.object({
  office: idField("Choose an office."),
  /** The review as shown: the POST must find the same. */
  seen: z.string().min(1),
});
export type TransferConfirmInput = z.infer<typeof transferConfirmSchema>;

/** Next, after choosing the office: holds the new number the review will show. */
export const transferHoldSchema = z.object({ office: idField("Choose an office.") });
