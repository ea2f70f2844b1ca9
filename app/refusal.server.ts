/**
 * The one shape a domain rule answers in. A rule that says no is a
 * `Refused`: its kind (what the route answers: see app/http/result.server.ts)
 * and a message for people. Thrown as a `Refusal` inside a transaction so it
 * rolls back, caught by the domain function that started the transaction
 * (`refusing` / `refusable`) and returned to the route: never a 500.
 */
export type RefusalKind =
  /** A rule says no (no free seat, last Company Admin…): 409. */
  | "refused"
  /** What the review showed is no longer true: 409, and the review is shown again as it is now. */
  | "stale"
  /** The target is not in the actor's scope, or no longer exists: 404. */
  | "not_found"
  /** The request itself is wrong (a field taken, a choice out of range): 400. */
  | "invalid"
  /** This actor may never do this to this target (a rule of who may): 403. */
  | "forbidden";

/** `field`: the form field the message belongs beside; none, the message is about the whole form. */
export type Refused = { ok: false; kind: RefusalKind; message: string; field?: string };

/** A domain function's answer: what it did, or why not. */
export type Result<T extends object = object> = ({ ok: true } & T) | Refused;

/** The answer of work whose success is a message for people. */
export type Outcome = Result<{ message: string }>;

export const refused = (message: string, kind: RefusalKind = "refused", field?: string): Refused => ({
  ok: false,
  kind,
  message,
  ...(field && { field }),
});

export class Refusal extends Error {
  constructor(
    message: string,
    readonly kind: RefusalKind = "refused",
  ) {
    super(message);
  }
}

/**
 * Runs `work`; a Refusal thrown inside comes back as a refusal, and so does
 * the schema's overspend backstop when `onOverspend` words it. Anything
 * else stays an error.
 */
export async function refusing<T extends { ok: boolean }>(
  work: () => Promise<T>,
  onOverspend?: () => Promise<string> | string,
): Promise<T | Refused> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof Refusal) return refused(err.message, err.kind);
    if (onOverspend && isOverspend(err)) return refused(await onOverspend());
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
