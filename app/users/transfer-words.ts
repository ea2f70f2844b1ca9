/**
 * Transfer user(s), the words: what a review says will change, what a done
 * transfer says it did, and the refusals the confirmation gives.
 */
import { formatDateTime, LICENSE_NAMES } from "../ui/format.ts";
import type { TransferPreview } from "./transfer-plan.server.ts";

export const stale = (names: string[]) =>
  `Something changed for ${names.join(", ")} since this review was shown (office, license seats, groups, admin rights or numbers), so nothing was changed. Check the review again below.`;

/** What the transfer will change for this user, line by line, for the bulk review. */
export function transferChanges(p: TransferPreview): string[] {
  const lines = [`${p.from.name} → ${p.to.name}.`];
  lines.push(
    `The ${LICENSE_NAMES[p.user.licenseType]}${p.user.hasMeetingsSeat ? ` and ${LICENSE_NAMES.meetings}` : ""} license seat${p.user.hasMeetingsSeat ? "s move" : " moves"} to ${p.to.name}.`,
  );
  if (p.groupsEnding.length)
    lines.push(`Leaves ${p.groupsEnding.map((g) => g.name).join(", ")} (groups of ${p.from.name}).`);
  if (p.adminRightsEnding) lines.push(`Office Admin rights over ${p.from.name} end.`);
  if (p.numbersMoving.length) lines.push(`Keeps ${p.numbersMoving.map((n) => n.formatted).join(", ")}.`);
  if (p.numbersRemoved.length) {
    lines.push(
      `${p.numbersRemoved.map((n) => n.formatted).join(", ")} ${p.numbersRemoved.length === 1 ? "goes" : "go"} to ${p.from.name}'s Reserved Pool.`,
    );
  }
  if (p.newNumber) {
    lines.push(
      `New local number: ${p.newNumber.formatted} (${p.newNumber.source === "pool" ? `from ${p.to.name}'s Reserved Pool` : "from the number provider"}), held for this user until ${formatDateTime(p.newNumber.heldUntil)}.`,
    );
  }
  return lines;
}

/** What the transfer did, in a sentence or few; `named` for a page of its own, not for a bulk outcome (see above). */
export function doneMessage(p: TransferPreview, named: boolean): string {
  const parts = [named ? `${p.user.name} now works in ${p.to.name}.` : `Now works in ${p.to.name}.`];
  if (p.groupsEnding.length) parts.push(`Removed from ${p.groupsEnding.map((g) => g.name).join(", ")}.`);
  if (p.adminRightsEnding) parts.push(`No longer an Office Admin of ${p.from.name}.`);
  if (p.numbersRemoved.length) {
    parts.push(
      `${p.numbersRemoved.map((n) => n.formatted).join(", ")} went to the ${p.from.name} Reserved Pool.`,
    );
  }
  if (p.newNumber) parts.push(`New number: ${p.newNumber.formatted}.`);
  return parts.join(" ");
}

export const NO_SEAT_ANY_MORE =
  "The new office has no unassigned license or add-on for this transfer any more: nothing was changed. Check the review again below.";
