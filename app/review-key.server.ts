/**
 * The review key, the one encoding of "what the review showed" (docs/domain.md,
 * "Reviews"): the review computes it from the facts it shows, the confirmation
 * carries it back in a hidden `seen` field, and the change, re-reading under
 * lock, recomputes it and refuses as stale if it differs. A digest, so that a
 * bulk review of thousands stays small and the field says nothing readable.
 * Change license type, Transfer user(s) and Transfer Licenses use it; the
 * page side of the protocol is app/ui/review.tsx.
 */
import { createHash } from "node:crypto";
import { Refusal } from "./refusal.server.ts";

/** The key of a review: a digest of the facts it showed, in the order given. */
export function reviewKey(facts: readonly (string | number | boolean | null)[]): string {
  return createHash("sha256").update(JSON.stringify(facts)).digest("base64url").slice(0, 22);
}

/** What one confirmation says it saw of one subject, beside its key as it is now. */
export type Reviewed = { name: string; key: string; seen: string | undefined };

/**
 * The check of a confirmation: refused as "stale" (409; the route shows the
 * review again as it is now) when any subject's key differs from what was
 * seen, the message naming those that changed.
 */
export function refuseIfStale(reviewed: Reviewed[], message: (changed: string[]) => string): void {
  const changed = reviewed.filter((r) => r.seen !== r.key).map((r) => r.name);
  if (changed.length > 0) throw new Refusal(message(changed), "stale");
}
