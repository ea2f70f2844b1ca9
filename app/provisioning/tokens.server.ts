/**
 * Provisioning tokens (docs/domain.md, "Provisioning"): the bearer tokens a
 * company's identity provider calls the SCIM service with. A token is 32
 * random bytes, shown once when created; only its SHA-256 is stored, looked
 * up by that hash and compared in constant time. Scoped to one company;
 * created and revoked by Company Admins, each change one transaction with
 * its audit entry.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { sql, type Kysely, type RawBuilder } from "kysely";
import type { Database } from "../../db/schema.ts";
import { actingUserId, type Actor } from "../auth/actor.server.ts";
import { recordAudit } from "../audit/record.server.ts";
import { DELETED_USER } from "../users/anonymize.server.ts";
import type { CreateTokenInput } from "./schema.ts";

/** Tokens start with this, so that a leaked one is recognised (secret scanners, logs). */
const PREFIX = "sbp_";
const TOKEN_BYTES = 32;

/** How a token is named where it acted (the audit log, Deleted Users' "Deleted by"). */
export const provisioningActorName = (tokenName: string) => `Provisioning: ${tokenName}`;

const hashOf = (token: string) => createHash("sha256").update(token).digest("hex");

export async function listTokens(db: Kysely<Database>, companyId: number) {
  return db
    .selectFrom("provisioning_tokens as t")
    .leftJoin("users as u", "u.id", "t.created_by_user_id")
    .select([
      "t.id",
      "t.name",
      "t.created_at",
      "t.expires_at",
      "t.last_used_at",
      "t.revoked_at",
      "u.first_name",
      "u.last_name",
      "u.pseudonym",
    ])
    .where("t.company_id", "=", companyId)
    .orderBy("t.created_at", "desc")
    .orderBy("t.id", "desc")
    .execute()
    .then((rows) =>
      rows.map((r) => ({
        id: r.id,
        name: r.name,
        createdBy:
          r.first_name == null
            ? `${DELETED_USER} ${r.pseudonym ?? ""}`.trim()
            : `${r.first_name} ${r.last_name}`,
        createdAt: r.created_at,
        expiresAt: r.expires_at,
        lastUsedAt: r.last_used_at,
        revokedAt: r.revoked_at,
      })),
    );
}

export type TokenRow = Awaited<ReturnType<typeof listTokens>>[number];

/** A token of the company, revoked or not; null if none (another company's is none). */
export async function findToken(db: Kysely<Database>, companyId: number, tokenId: number) {
  return (await listTokens(db, companyId)).find((t) => t.id === tokenId) ?? null;
}

/** The end of the last day the form names: the token works through that UTC day. */
export function expiryOf(expiresOn: string | undefined): Date | null {
  if (!expiresOn) return null;
  const d = new Date(`${expiresOn}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d;
}

export type CreateTokenResult =
  { ok: true; id: number; name: string; token: string } | { ok: false; field: "expiresOn"; message: string };

export async function createToken(
  db: Kysely<Database>,
  actor: Actor,
  input: CreateTokenInput,
  now: Date,
): Promise<CreateTokenResult> {
  const expiresAt = expiryOf(input.expiresOn);
  if (expiresAt && expiresAt <= now)
    return { ok: false, field: "expiresOn", message: "Choose today or a later day, or leave it empty." };
  const token = PREFIX + randomBytes(TOKEN_BYTES).toString("base64url");
  return db.transaction().execute(async (tx) => {
    const row = await tx
      .insertInto("provisioning_tokens")
      .values({
        company_id: actor.company.id,
        name: input.name,
        token_hash: hashOf(token),
        created_by_user_id: actingUserId(actor),
        created_at: now,
        expires_at: expiresAt,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await recordAudit(
      tx,
      actor,
      {
        action: "provisioning_token.created",
        targetType: "provisioning_token",
        targetId: row.id,
        targetLabel: input.name,
        after: { name: input.name, expires_at: expiresAt?.toISOString() ?? null },
      },
      now,
    );
    return { ok: true as const, id: row.id, name: input.name, token };
  });
}

/** Revokes a live token of the actor's company: false if there is none (unknown, another company's, or already revoked). */
export async function revokeToken(
  db: Kysely<Database>,
  actor: Actor,
  tokenId: number,
  now: Date,
): Promise<{ ok: true; name: string } | { ok: false }> {
  return db.transaction().execute(async (tx) => {
    const row = await tx
      .updateTable("provisioning_tokens")
      .set({ revoked_at: now })
      .where("id", "=", tokenId)
      .where("company_id", "=", actor.company.id)
      .where("revoked_at", "is", null)
      .returning(["id", "name"])
      .executeTakeFirst();
    if (!row) return { ok: false as const };
    await recordAudit(
      tx,
      actor,
      {
        action: "provisioning_token.revoked",
        targetType: "provisioning_token",
        targetId: row.id,
        targetLabel: row.name,
        before: { revoked_at: null },
        after: { revoked_at: now.toISOString() },
      },
      now,
    );
    return { ok: true as const, name: row.name };
  });
}

export interface TokenLookup {
  /**
   * `token as (…), token_used as (…)`, for a statement's `with`. `token` is
   * the live token (id, company_id, name, token_hash): no row if it is
   * unknown, revoked or expired alike. `token_used` marks it used, at most
   * once a minute, so that a burst of requests does not write a row each.
   */
  ctes: RawBuilder<unknown>;
  /** Whether the hash `token` found is the bearer's, compared in constant time. */
  isOf(tokenHash: string): boolean;
}

/**
 * How a bearer value is authenticated, or null if it cannot be a token (then
 * no statement is worth sending). Looked up by its hash (a lookup by the token
 * itself would time the comparison of the secret), then the hashes compared in
 * constant time. A part of a statement rather than a statement of its own, so
 * that a SCIM request authenticates its token, reads its company and spends its
 * budget in one round trip (scimActor, app/scim/actor.server.ts); the rules of
 * a live token stay here. The clock is the request's, not the database's.
 */
export function lookUpToken(bearer: string, now: Date): TokenLookup | null {
  if (!bearer.startsWith(PREFIX) || bearer.length > 100) return null;
  const hash = hashOf(bearer);
  return {
    ctes: sql`token as (
        select id, company_id, name, token_hash from provisioning_tokens
        where token_hash = ${hash}
          and revoked_at is null
          and (expires_at is null or expires_at > ${now}::timestamptz)),
      token_used as (
        update provisioning_tokens set last_used_at = ${now}::timestamptz
        where id = (select id from token)
          and (last_used_at is null or last_used_at <= ${now}::timestamptz - interval '1 minute'))`,
    isOf: (tokenHash) => timingSafeEqual(Buffer.from(tokenHash), Buffer.from(hash)),
  };
}
