/**
 * The number provider: what a carrier does for us. It finds numbers by
 * country and area code, provisions them to a company, and takes them back
 * when released. Production swaps in a carrier behind this interface; the
 * project ships a local provider that serves its own inventory
 * (provider_numbers), which the demo seed fills.
 */
import type { Kysely } from "kysely";
import type { Database, NumberKind } from "../../db/schema.ts";

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
  /** Numbers free to provision, for a person to choose from. */
  findAvailable(db: Kysely<Database>, query: NumberQuery, limit: number): Promise<AvailableNumber[]>;
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
  /** Gives a released number back to the provider. */
  release(tx: Kysely<Database>, e164: string): Promise<void>;
}

export const localNumberProvider: NumberProvider = {
  async findAvailable(db, query, limit) {
    let qb = db
      .selectFrom("provider_numbers")
      .select(["e164", "country", "area_code as areaCode", "kind"])
      .where("provisioned_to_company_id", "is", null)
      .where("country", "=", query.country)
      .where("kind", "=", query.kind);
    if (query.areaCode) qb = qb.where("area_code", "=", query.areaCode);
    return qb.orderBy("e164").limit(limit).execute();
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

  async release(tx, e164) {
    await tx
      .updateTable("provider_numbers")
      .set({ provisioned_to_company_id: null, provisioned_at: null })
      .where("e164", "=", e164)
      .execute();
  },
};
