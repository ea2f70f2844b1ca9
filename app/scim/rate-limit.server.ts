/**
 * Each provisioning token's request budget: a token bucket that holds `burst`
 * requests and refills at `perSecond`. A request past it is answered 429 in
 * SCIM's error shape with Retry-After, the seconds until the bucket holds one
 * request again. Microsoft Entra ID asks a SCIM endpoint to take at least 25
 * requests a second per provisioning job and, on a 429, pauses that job for
 * Retry-After before retrying only what failed; Okta reports the change as a
 * failed provisioning task, to be retried. So the default is generous (50 a
 * second, bursts of 100): it stops a runaway or leaked token, never a
 * provider at its normal pace.
 * `SCIM_RATE_LIMIT` (requests a second; bursts twice that) changes it.
 *
 * The bucket is a row of scim_rate_limits, spent by one atomic upsert per
 * request, so every app server spends from the same budget: with two servers
 * behind a load balancer a token still gets its rate, not twice it. The cost
 * is one single-row write per SCIM request; concurrent requests of one token
 * queue on that row only for the statement. The upsert is sent as a part of
 * the statement that authenticates the token (scimActor,
 * app/scim/actor.server.ts), so spending costs no round trip of its own, and
 * a token that is not live spends nothing.
 */
import { sql, type RawBuilder } from "kysely";
import { ScimError } from "./http.server.ts";

export interface Budget {
  perSecond: number;
  burst: number;
}

const DEFAULT_PER_SECOND = 50;

/** The budget every token has: SCIM_RATE_LIMIT a second if it is a positive integer, else the default. */
export function configuredBudget(env: NodeJS.ProcessEnv = process.env): Budget {
  const raw = env.SCIM_RATE_LIMIT?.trim() ?? "";
  const perSecond = /^[1-9]\d{0,6}$/.test(raw) ? Number(raw) : DEFAULT_PER_SECOND;
  return { perSecond, burst: 2 * perSecond };
}

/**
 * Spends one request of the budget of each token `tokenIds` selects (a query
 * of a column `id`) at `now`: the upsert, for a statement's `with`, returning
 * each token_id and the allowance left, negative if the request did not fit
 * (refuseOverBudget). The bucket refills for the time since it was last
 * checked (never backwards, whatever a server's clock says); a refused request
 * leaves it at most one request in debt, so a provider that keeps knocking
 * waits no longer for it than one that waits.
 */
export function spendRequest(tokenIds: RawBuilder<unknown>, now: Date, { perSecond, burst }: Budget) {
  return sql<{ token_id: number; allowance: number }>`
    insert into scim_rate_limits as r (token_id, allowance, checked_at)
    select id, ${burst - 1}::float8, ${now}::timestamptz from (${tokenIds}) spender
    on conflict (token_id) do update set
      allowance = greatest(
        least(${burst}::float8,
              r.allowance + greatest(0, extract(epoch from (${now}::timestamptz - r.checked_at))::float8) * ${perSecond}::float8
        ) - 1,
        -1),
      checked_at = greatest(r.checked_at, ${now}::timestamptz)
    returning token_id, allowance`;
}

/** Nothing if the spent request fitted the budget (`allowance`, what spendRequest left), else SCIM's 429 with Retry-After. */
export function refuseOverBudget(allowance: number, { perSecond }: Budget): void {
  if (allowance >= 0) return;
  // It holds one request again once (1 - allowance) requests have been refilled.
  const retryAfterSeconds = Math.max(1, Math.ceil((1 - allowance) / perSecond));
  throw new ScimError(
    429,
    `Too many requests with this token: at most ${perSecond} a second. Retry after ${retryAfterSeconds} s.`,
    undefined,
    { "Retry-After": String(retryAfterSeconds) },
  );
}
