/** The Reassign form's fields, shared by the page and the server. */
import { z } from "zod";
import { parseTaggedId, plainText, taggedIdField } from "../input.ts";

const TARGETS = ["user", "group"] as const;

export const reassignSchema = z.object({
  /** "user:<id>" or "group:<id>". */
  target: taggedIdField(TARGETS, "Choose who gets this number."),
  as: z.enum(["primary", "additional"]).default("primary"),
});
export type ReassignInput = z.infer<typeof reassignSchema>;

/** The target of a checked form; anything else is null (the caller's 404 or refusal). */
export function parseTarget(target: string): { type: "user" | "group"; id: number } | null {
  const t = parseTaggedId(target, TARGETS);
  return t && { type: t.tag, id: t.id };
}

/** The page's "Find a user" box (a GET form), refused beside the box like the lists' search. */
export const reassignSearch = z.object({ q: plainText("the search", 200).default("") });
