/**
 * A rule that says no, thrown inside a transaction so it rolls back, and
 * caught by the domain function that started it, which returns it as
 * `{ ok: false, message }` for people (never a 500).
 */
export class Refusal extends Error {}

export type Outcome = { ok: true; message: string } | { ok: false; message: string };

/** The schema's backstop: more seats assigned than purchased, or a purchase below zero. */
export function isOverspend(err: unknown): boolean {
  const e = err as { constraint?: string; message?: string } | null;
  const names = ["license_pools_no_overspend", "license_pools_purchased_check"];
  return !!e && (names.includes(e.constraint ?? "") || names.some((n) => e.message?.includes(n)));
}

/** Runs `work`; a Refusal thrown inside comes back as a refusal. */
export async function refusing(work: () => Promise<Outcome>, onOverspend: () => Promise<string> | string): Promise<Outcome> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof Refusal) return { ok: false, message: err.message };
    if (isOverspend(err)) return { ok: false, message: await onOverspend() };
    throw err;
  }
}
