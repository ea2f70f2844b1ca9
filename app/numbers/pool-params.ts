/**
 * The state of the Reserved Numbers list, as it lives in the URL. Shared by
 * the server (the query) and the page (links that change it).
 */
import { z } from "zod";
import { cursorField, idField, plainText, readSearchQuery } from "../input.ts";

export const POOL_PAGE_SIZE = 50;

export const POOL_STATES = { reserved: "Reserved", on_hold: "On hold" } as const;
export type PoolState = keyof typeof POOL_STATES;

export const poolParams = z.object({
  // What a person typed: refused beside the search box (see readQuery); made-up values fall back.
  q: plainText("the search", 200).default(""),
  office: idField("Choose an office.").optional().catch(undefined),
  kind: z.enum(["local", "toll_free", "fax"]).optional().catch(undefined),
  state: z.enum(["reserved", "on_hold"]).optional().catch(undefined),
  // Newest first by default: the numbers an admin just let go are the ones they look for.
  dir: z.enum(["asc", "desc"]).catch("desc"),
  cursor: cursorField,
});
export type PoolParams = z.infer<typeof poolParams>;

/** The list's state, and the search's message if it was refused (the page answers 400 with it). */
export const readPoolParams = (url: URL) => readSearchQuery(url.searchParams, poolParams);
