/**
 * How a route answers a domain result (app/refusal.server.ts), the same way
 * everywhere: a refusal of what is not there is the 404 page; any other
 * refusal comes back to the form that was sent, as Conform's reply (beside
 * its field, or over the whole form), with the status of its kind; success
 * redirects, carrying a message the next page shows once.
 */
import { data, redirect } from "react-router";
import type { SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { z } from "zod";
import { notFound } from "~/auth/guards.server";
import { flashCookie } from "~/auth/flash.server";
import { refused, type Refused, type RefusalKind } from "~/refusal.server";

export const REFUSAL_STATUS: Record<RefusalKind, number> = {
  refused: 409,
  stale: 409,
  not_found: 404,
  invalid: 400,
  forbidden: 403,
};

/** What a parsed Conform submission offers: its reply with errors added. */
export interface Replying {
  reply(options?: { formErrors?: string[]; fieldErrors?: Record<string, string[]> }): SubmissionResult;
}

/**
 * The submission of a form with no fields of its own (a confirmation: only
 * the anti-forgery token), so that its refusal is a reply like any other.
 */
export function confirmation(form: FormData | URLSearchParams): Replying {
  return parseWithZod(form, { schema: z.object({}) });
}

/** The reply that shows a refusal: beside its field, or over the whole form. */
const replyWith = (submission: Replying, refusal: Refused) =>
  refusal.field
    ? submission.reply({ fieldErrors: { [refusal.field]: [refusal.message] } })
    : submission.reply({ formErrors: [refusal.message] });

/** A refusal as the route answers it; `not_found`'s message names what is missing ("This user"). */
export function refusalReply(submission: Replying, refusal: Refused) {
  if (refusal.kind === "not_found") notFound(refusal.message);
  return data(replyWith(submission, refusal), { status: REFUSAL_STATUS[refusal.kind] });
}

/**
 * A step reached by a URL it cannot show (a review of an office that cannot
 * be chosen): the step before it, `page`, with the message beside `field` as
 * its form's reply (the same way it shows the action's), and a 400.
 */
export function refusedStep<T extends object>(url: URL, page: T, message: string, field: string) {
  const reply = replyWith(confirmation(url.searchParams), refused(message, "invalid", field));
  return data({ ...page, reply }, { status: REFUSAL_STATUS.invalid });
}

/** A message about the whole form, before any domain function ran (a review sent incomplete): 400. */
export function formError(submission: Replying, message: string, status = 400) {
  return data(submission.reply({ formErrors: [message] }), { status });
}

/** Success: on to `to`, carrying `message` for the next page to show once. */
export function redirectWithFlash(request: Request, to: string, message: string): never {
  throw redirect(to, { headers: { "Set-Cookie": flashCookie(request, message) } });
}
