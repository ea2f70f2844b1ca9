/** Transfer user's confirmation form, shared by the route and the server. Plain module. */
import { z } from "zod";

const id = (message: string) =>
  z.coerce
    .number(message)
    .int(message)
    .positive(message)
    .max(2 ** 31 - 1, message);

export const transferConfirmSchema = z.object({
  office: id("Choose an office."),
  /** The review as shown: the POST must find the same. */
  seen: z.string().min(1),
});
export type TransferConfirmInput = z.infer<typeof transferConfirmSchema>;

/** Next, after choosing the office: holds the new number the review will show. */
export const transferHoldSchema = z.object({ office: id("Choose an office.") });
