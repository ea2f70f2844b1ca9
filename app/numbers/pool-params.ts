/**
 * The state of the Reserved Numbers list, as it lives in the URL. Shared by
 * the server (the query) and the page (links that change it).
 */
import { z } from "zod";

export const POOL_PAGE_SIZE = 50;

export const POOL_STATES = { reserved: "Reserved", on_hold: "On hold" } as const;
export type PoolState = keyof typeof POOL_STATES;

export const poolParams = z.object({
  q: z.string().trim().max(200).catch(""),
  office: z.coerce
    .number()
    .int()
    .positive()
    .max(2 ** 31 - 1)
    .optional()
    .catch(undefined),
  kind: z.enum(["local", "toll_free", "fax"]).optional().catch(undefined),
  state: z.enum(["reserved", "on_hold"]).optional().catch(undefined),
  // Newest first by default: the numbers an admin just let go are the ones they look for.
  dir: z.enum(["asc", "desc"]).catch("desc"),
  page: z.coerce.number().int().min(1).max(1_000_000).catch(1),
});
export type PoolParams = z.infer<typeof poolParams>;

export function readPoolParams(url: URL): PoolParams {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(poolParams.shape)) {
    const v = url.searchParams.get(key);
    if (v !== null && v !== "") raw[key] = v;
  }
  return poolParams.parse(raw);
}
