/**
 * A rule that says no, with a message for people. Thrown inside a
 * transaction so it rolls back, caught by the domain function that started
 * the transaction (`refusing` / `refusable`) and returned to the route as
 * `{ ok: false, message }`: never a 500.
 */
export class Refusal extends Error {
  constructor(
    message: string,
    /** "not_found": the target is not in the actor's scope; routes answer 404. */
    readonly reason: "refused" | "not_found" = "refused",
  ) {
    super(message);
  }
}

export type Outcome =
  { ok: true; message: string } | { ok: false; reason?: "refused" | "not_found"; message: string };

/**
 * Runs `work`; a Refusal thrown inside comes back as a refusal, and so does
 * the schema's overspend backstop when `onOverspend` words it. Anything
 * else stays an error.
 */
export async function refusing<T extends { ok: boolean }>(
  work: () => Promise<T>,
  onOverspend?: () => Promise<string> | string,
): Promise<T | { ok: false; reason: "refused" | "not_found"; message: string }> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof Refusal) return { ok: false, reason: err.reason, message: err.message };
    if (onOverspend && isOverspend(err))
      return { ok: false, reason: "refused", message: await onOverspend() };
    throw err;
  }
}

/** `refusing` for work that answers with its success message. */
export function refusable(work: () => Promise<string>): Promise<Outcome> {
  return refusing(async () => ({ ok: true as const, message: await work() }));
}

/** Whether a database error is the violation of one of these constraints (PostgreSQL and PGlite alike). */
export function violates(err: unknown, ...constraints: string[]): boolean {
  if (!err || typeof err !== "object") return false;
  const e = err as { constraint?: string; message?: string };
  return constraints.some(
    (c) => e.constraint === c || (typeof e.message === "string" && e.message.includes(c)),
  );
}

/** The schema's backstop: more seats assigned than purchased, or a purchase below zero. */
export function isOverspend(err: unknown): boolean {
  return violates(err, "license_pools_no_overspend", "license_pools_purchased_check");
}
