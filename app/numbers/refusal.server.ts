/**
 * A rule that says no, with a message for people. Thrown inside a
 * transaction to roll it back, caught where the transaction is run and
 * returned to the route as `{ ok: false, message }`, never a 500.
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

export type Outcome = { ok: true; message: string } | { ok: false; reason: "refused" | "not_found"; message: string };

/** Runs work that may refuse; a Refusal becomes an outcome, anything else stays an error. */
export async function refusable(work: () => Promise<string>): Promise<Outcome> {
  try {
    return { ok: true, message: await work() };
  } catch (err) {
    if (err instanceof Refusal) return { ok: false, reason: err.reason, message: err.message };
    throw err;
  }
}

/** Whether a database error is the violation of this constraint (PostgreSQL and PGlite alike). */
export function violates(err: unknown, constraint: string): boolean {
  if (!err || typeof err !== "object") return false;
  const e = err as { constraint?: string; message?: string };
  return e.constraint === constraint || (typeof e.message === "string" && e.message.includes(constraint));
}
