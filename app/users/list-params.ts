/**
 * The state of the Active or Pending Users list, as it lives in the URL.
 * Shared by the server (the query) and the page (links that change it).
 */
import { z } from "zod";
import { USER_LICENSE_TYPES } from "../../db/schema.ts";

export const PAGE_SIZE = 50;

export const PERMISSIONS = {
  company_admin: "Company Admin",
  office_admin: "Office Admin",
  admin: "Any admin",
  proxy: "Proxy access",
  none: "No admin access",
} as const;
export type Permission = keyof typeof PERMISSIONS;

/** The list's state, read from the URL. Anything malformed falls back to the default. */
export const listParams = z.object({
  q: z.string().trim().max(200).catch(""),
  license: z.enum(USER_LICENSE_TYPES).optional().catch(undefined),
  permission: z
    .enum(Object.keys(PERMISSIONS) as [Permission, ...Permission[]])
    .optional()
    .catch(undefined),
  status: z.enum(["active", "pending"]).optional().catch(undefined),
  office: z.coerce
    .number()
    .int()
    .positive()
    .max(2 ** 31 - 1)
    .optional()
    .catch(undefined),
  sort: z.enum(["name", "email", "added"]).catch("name"),
  dir: z.enum(["asc", "desc"]).catch("asc"),
  page: z.coerce.number().int().min(1).max(1_000_000).catch(1),
});
export type ListParams = z.infer<typeof listParams>;

export function readListParams(url: URL): ListParams {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(listParams.shape)) {
    const v = url.searchParams.get(key);
    if (v !== null && v !== "") raw[key] = v;
  }
  return listParams.parse(raw);
}
