/**
 * The number provider: what a carrier does for us. It finds numbers by
 * country and area code, provisions them to a company, and takes them back
 * when released. Production swaps in a carrier behind this interface; the
 * project ships a local provider that serves its own inventory
 * (provider_numbers), which the demo seed fills.
 */
import { sql, type Kysely } from "kysely";
import type { Database, NumberKind } from "../../db/schema.ts";
import { notHeldForReview } from "./review-holds.server.ts";

export interface AvailableNumber {
  e164: string;
  country: string;
  areaCode: string;
  kind: NumberKind;
}

export interface NumberQuery {
  country: string;
  kind: NumberKind;
  areaCode?: string;
}

export interface NumberProvider {
  /**
   * Numbers free to provision, for a person to choose from, leaving out
   * those held at `now` for a transfer review (app/numbers/review-holds.server.ts).
   */
  findAvailable(
    db: Kysely<Database>,
    query: NumberQuery,
    limit: number,
    now: Date,
  ): Promise<AvailableNumber[]>;
  /**
   * Provisions one number to the company, inside the caller's transaction:
   * the one asked for, or any that fits the query. Null when none is free
   * (or the one asked for was just taken by someone else).
   */
  provision(
    tx: Kysely<Database>,
    companyId: number,
    request: { e164: string } | NumberQuery,
    at: Date,
  ): Promise<AvailableNumber | null>;
  /**
   * Provisions the next `count` free numbers that fit the query (by number),
   * in one call however many: fewer when the provider has fewer free.
   */
  provisionNext(
    tx: Kysely<Database>,
    companyId: number,
    query: NumberQuery,
    count: number,
    at: Date,
  ): Promise<AvailableNumber[]>;
  /**
   * The first `limit` of these numbers (by number) still free to
   * provision, locked until the caller's transaction ends; one being
   * provisioned or locked by another caller right now counts as taken. A
   * hold takes its numbers this way, so that a hold and a provisioning
   * cannot both win (see review-holds.server.ts).
   */
  claimable(tx: Kysely<Database>, e164s: string[], limit: number): Promise<string[]>;
  /** Gives a released number back to the provider. */
  release(tx: Kysely<Database>, e164: string): Promise<void>;
}

export const localNumberProvider: NumberProvider = {
  async findAvailable(db, query, limit, now) {
    let qb = db
      .selectFrom("provider_numbers as pn")
      .select(["pn.e164", "pn.country", "pn.area_code as areaCode", "pn.kind"])
      .where("pn.provisioned_to_company_id", "is", null)
      .where(notHeldForReview("pn.e164", now))
      .where("pn.country", "=", query.country)
      .where("pn.kind", "=", query.kind);
    if (query.areaCode) qb = qb.where("pn.area_code", "=", query.areaCode);
    return qb.orderBy("pn.e164").limit(limit).execute();
  },

  async claimable(tx, e164s, limit) {
    if (e164s.length === 0 || limit < 1) return [];
    const rows = await tx
      .selectFrom("provider_numbers")
      .select("e164")
      .where("e164", "in", e164s)
      .where("provisioned_to_company_id", "is", null)
      .orderBy("e164")
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
    return rows.map((r) => r.e164);
  },

  async provision(tx, companyId, request, at) {
    // SKIP LOCKED: two admins provisioning at once get different numbers
    // instead of waiting on, then fighting over, the same row.
    let pick = tx
      .selectFrom("provider_numbers")
      .select("e164")
      .where("provisioned_to_company_id", "is", null)
      .limit(1)
      .forUpdate()
      .skipLocked();
    if ("e164" in request) {
      pick = pick.where("e164", "=", request.e164);
    } else {
      pick = pick.where("country", "=", request.country).where("kind", "=", request.kind).orderBy("e164");
      if (request.areaCode) pick = pick.where("area_code", "=", request.areaCode);
    }
    const row = await pick.executeTakeFirst();
    if (!row) return null;
    return tx
      .updateTable("provider_numbers")
      .set({ provisioned_to_company_id: companyId, provisioned_at: at })
      .where("e164", "=", row.e164)
      .returning(["e164", "country", "area_code as areaCode", "kind"])
      .executeTakeFirstOrThrow();
  },

  async provisionNext(tx, companyId, query, count, at) {
    if (count < 1) return [];
    // SKIP LOCKED, as provision: numbers another admin is provisioning right now are passed over.
    const { rows } = await sql<AvailableNumber>`
      update provider_numbers set provisioned_to_company_id = ${companyId}, provisioned_at = ${at}
       where e164 in (select e164 from provider_numbers
                       where provisioned_to_company_id is null and country = ${query.country} and kind = ${query.kind}
                         ${query.areaCode ? sql`and area_code = ${query.areaCode}` : sql``}
                       order by e164 limit ${count} for update skip locked)
      returning e164, country, area_code as "areaCode", kind`.execute(tx);
    return rows.sort((a, b) => a.e164.localeCompare(b.e164));
  },

  async release(tx, e164) {
    await tx
      .updateTable("provider_numbers")
      .set({ provisioned_to_company_id: null, provisioned_at: null })
      .where("e164", "=", e164)
      .execute();
  },
};
