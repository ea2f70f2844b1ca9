/**
 * The state of the Active or Pending Users list, as it lives in the URL.
 * Shared by the server (the query) and the page (links that change it).
 */
import { z } from "zod";
import { USER_LICENSE_TYPES } from "../../db/schema.ts";
import { cursorField, idField, plainText, readSearchQuery } from "../input.ts";

export const PAGE_SIZE = 50;

/** The list's sorts: each walks an index in order, ties broken by id (list.server.ts, SORT_KEYS). */
export const SORTS = ["name", "email", "office", "license", "status", "added"] as const;

export const PERMISSIONS = {
  company_admin: "Company Admin",
  office_admin: "Office Admin",
  admin: "Any admin",
  proxy: "Proxy access",
  none: "No admin access",
} as const;
export type Permission = keyof typeof PERMISSIONS;

/**
 * The list's state, read from the URL. The search is what a person typed:
 * text it cannot be is refused beside the search box; any other malformed
 * value (made up, never offered by the page) falls back to the default.
 */
export const listParams = z.object({
  q: plainText("the search", 200).default(""),
  license: z.enum(USER_LICENSE_TYPES).optional().catch(undefined),
  permission: z
    .enum(Object.keys(PERMISSIONS) as [Permission, ...Permission[]])
    .optional()
    .catch(undefined),
  status: z.enum(["active", "pending", "suspended"]).optional().catch(undefined),
  office: idField("Choose an office.").optional().catch(undefined),
  sort: z.enum(SORTS).catch("name"),
  dir: z.enum(["asc", "desc"]).catch("asc"),
  cursor: cursorField,
});
export type ListParams = z.infer<typeof listParams>;

/** The list's state, and the search's message if it was refused (the page answers 400 with it). */
export const readListParams = (url: URL) => readSearchQuery(url.searchParams, listParams);
