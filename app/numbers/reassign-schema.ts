/** The Reassign form's fields, shared by the page and the server. */
import { z } from "zod";

export const reassignSchema = z.object({
  target: z
    .string({ error: "Choose who gets this number." })
    .regex(/^(user|group):[1-9][0-9]{0,9}$/, "Choose who gets this number."),
  as: z.enum(["primary", "additional"]).default("primary"),
});
export type ReassignInput = z.infer<typeof reassignSchema>;

export function parseTarget(target: string): { type: "user" | "group"; id: number } {
  const [type, id] = target.split(":");
  return { type: type as "user" | "group", id: Number(id) };
}
