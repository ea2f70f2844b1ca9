/**
 * Transfer Licenses (Company Settings > Licenses), for Company Admins on a
 * higher-tier plan: unassigned seats of one type move from one office's pool
 * to another's at the same price level.
 *
 * The flow is a series of GET steps (category → from → to → type and
 * quantity → review), its state in the URL; `resolveTransferStep` decides
 * which step a URL shows, checking every value entered before it. The review
 * carries the counts it showed, and `transferLicenses` refuses if either pool
 * changed since: the admin confirms numbers they have seen, never others.
 */
import type { Kysely } from "kysely";
import type { Database, LicenseCategory, LicenseType } from "../../db/schema.ts";
import type { Actor } from "../auth/actor.server.ts";
import { mayTransferLicenses } from "../auth/policy.server.ts";
import { recordAudit } from "../audit/record.server.ts";
import {
  CATEGORY_NAMES,
  MAX_TRANSFER,
  TRANSFER_STEPS,
  type TransferParams,
  type TransferStep,
} from "./schema.ts";
import type { PoolRow } from "./pools.server.ts";
import { refused, Refusal, refusing, type Outcome } from "../refusal.server.ts";
import { refuseIfStale, reviewKey } from "../review-key.server.ts";
import { LICENSE_NAMES } from "../ui/format.ts";
import { isOneOf } from "../input.ts";

export type TransferField = "category" | "from" | "to" | "type" | "quantity";

/** An office as Transfer Licenses offers it (Transfer user's new office is users/transfer's TransferOffice). */
export interface LicenseTransferOffice {
  id: number;
  name: string;
  priceLevel: string;
  priceLevelName: string;
}

export interface ResolvedTransfer {
  step: TransferStep;
  errors: Partial<Record<TransferField, string>>;
  values: { category?: LicenseCategory; from?: number; to?: number; type?: string; quantity?: string };
  /** Set from the "to" step on: the offices and the pool of the chosen type, when known. */
  source?: LicenseTransferOffice;
  destination?: LicenseTransferOffice;
  quantity?: number;
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

/** The offices of the company, from the pool rows of every office (a Company Admin sees all). */
export function officesOf(pools: PoolRow[]): LicenseTransferOffice[] {
  const seen = new Map<number, LicenseTransferOffice>();
  for (const p of pools) {
    if (!seen.has(p.officeId)) {
      seen.set(p.officeId, {
        id: p.officeId,
        name: p.officeName,
        priceLevel: p.priceLevel,
        priceLevelName: p.priceLevelName,
      });
    }
  }
  return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export const poolOf = (pools: PoolRow[], officeId: number | undefined, type: string | undefined) =>
  pools.find((p) => p.officeId === officeId && p.type === type);

/** Unassigned seats of a category in an office: what it could give. */
export const unassignedIn = (pools: PoolRow[], officeId: number, category: LicenseCategory) =>
  pools
    .filter((p) => p.officeId === officeId && p.category === category)
    .reduce((n, p) => n + p.unassigned, 0);

/** Why an office cannot receive from `source`, or null if it can. */
export function destinationRefusal(
  source: LicenseTransferOffice,
  office: LicenseTransferOffice,
): string | null {
  if (office.priceLevel !== source.priceLevel) {
    return `At another price level (${office.priceLevelName}): licenses move only between offices at the same price level as ${source.name} (${source.priceLevelName}).`;
  }
  return null;
}

/**
 * The step a URL shows. A step needs every value before it to be valid; the
 * first that is not sends the admin back to its step, with the reason beside
 * its field. Values of later steps ride along, so Back and Next keep them.
 */
export function resolveTransferStep(pools: PoolRow[], params: TransferParams): ResolvedTransfer {
  const offices = officesOf(pools);
  const values: ResolvedTransfer["values"] = {
    category: params.category,
    from: params.from,
    to: params.to,
    type: params.type || undefined,
    quantity: params.quantity?.trim() || undefined,
  };
  const wanted = TRANSFER_STEPS.indexOf(params.step);
  const at = (step: TransferStep, field?: TransferField, message?: string): ResolvedTransfer => ({
    step,
    values,
    errors: field && message ? { [field]: message } : {},
    source: offices.find((o) => o.id === values.from),
    destination: offices.find((o) => o.id === values.to),
  });
  if (wanted === 0) return at("category");

  const category = values.category;
  if (!category) return at("category", "category", "Choose a category of licenses.");
  if (wanted === 1) return at("from");

  const source = offices.find((o) => o.id === values.from);
  if (!source) return at("from", "from", "Choose the office to transfer licenses from.");
  if (unassignedIn(pools, source.id, category) === 0) {
    return at(
      "from",
      "from",
      `${source.name} has no unassigned ${CATEGORY_NAMES[category]} licenses to transfer.`,
    );
  }
  if (wanted === 2) return at("to");

  const destination = offices.find((o) => o.id === values.to);
  if (!destination || destination.id === source.id)
    return at("to", "to", "Choose the office to transfer licenses to.");
  const why = destinationRefusal(source, destination);
  if (why) return at("to", "to", `${destination.name} cannot be chosen. ${why}`);
  if (wanted === 3) return at("type");

  const pool = poolOf(pools, source.id, values.type);
  if (!pool || pool.category !== category)
    return at("type", "type", "Choose the type of license to transfer.");
  if (pool.unassigned === 0)
    return at("type", "type", `${source.name} has no unassigned ${pool.typeName} licenses.`);
  const quantity = Number(values.quantity);
  if (!values.quantity || !Number.isInteger(quantity) || quantity < 1 || quantity > MAX_TRANSFER) {
    return at("type", "quantity", "Enter how many licenses to transfer: a whole number, at least 1.");
  }
  if (quantity > pool.unassigned) {
    return at(
      "type",
      "quantity",
      `${source.name} has ${plural(pool.unassigned, `unassigned ${pool.typeName} license`)}: transfer at most ${pool.unassigned}.`,
    );
  }
  return { ...at("review"), quantity };
}

interface Counts {
  purchased: number;
  assigned: number;
}

export interface TransferInput {
  from: number;
  to: number;
  type: string;
  quantity: number;
  /** The review key of the counts the review showed (transferReviewKey); omitted, only the unassigned count is checked. */
  seen?: string;
}

/** The review key of Transfer Licenses: the counts of both pools, as the review shows them. */
export const transferReviewKey = (from: Counts, to: Counts) =>
  reviewKey([from.purchased, from.assigned, to.purchased, to.assigned]);

const countsText = (office: string, c: Counts) =>
  `${office}: ${c.purchased} purchased, ${c.assigned} assigned, ${c.purchased - c.assigned} unassigned`;

export async function transferLicenses(
  db: Kysely<Database>,
  actor: Actor,
  input: TransferInput,
  now: Date,
): Promise<Outcome> {
  if (!mayTransferLicenses(actor).ok)
    return refused("Only Company Admins on a higher-tier plan transfer licenses.");
  // An own key only: "constructor" or "__proto__" is on every object, and no license.
  if (!isOneOf(LICENSE_NAMES, input.type)) return refused("Choose the type of license to transfer.");
  const type: LicenseType = input.type;
  const typeName = LICENSE_NAMES[type];
  const offices = await db
    .selectFrom("offices as o")
    .innerJoin("price_levels as pl", "pl.code", "o.price_level")
    .select(["o.id", "o.name", "o.price_level", "pl.name as price_level_name"])
    .where("o.company_id", "=", actor.company.id)
    .where("o.id", "in", [input.from, input.to])
    .execute();
  const source = offices.find((o) => o.id === input.from);
  const destination = offices.find((o) => o.id === input.to);
  if (!source || !destination || source.id === destination.id) {
    return refused("Choose two different offices of your company.");
  }
  if (source.price_level !== destination.price_level) {
    return refused(
      `${destination.name} is at another price level (${destination.price_level_name}) than ${source.name} (${source.price_level_name}): licenses move only between offices at the same price level.`,
    );
  }
  const q = input.quantity;
  if (!Number.isInteger(q) || q < 1 || q > MAX_TRANSFER)
    return refused("Enter a whole number of licenses, at least 1.");

  return refusing(
    () =>
      db.transaction().execute(async (tx) => {
        await tx
          .insertInto("license_pools")
          .values({ office_id: destination.id, license_type: type, purchased: 0 })
          .onConflict((oc) => oc.columns(["office_id", "license_type"]).doNothing())
          .execute();
        // Both pools, locked in office order: two transfers between the same offices never deadlock.
        const locked = await tx
          .selectFrom("license_pools")
          .select(["office_id", "purchased", "assigned"])
          .where("office_id", "in", [source.id, destination.id])
          .where("license_type", "=", type)
          .orderBy("office_id")
          .forUpdate()
          .execute();
        const from: Counts = locked.find((p) => p.office_id === source.id) ?? { purchased: 0, assigned: 0 };
        const to: Counts = locked.find((p) => p.office_id === destination.id)!;
        const now_ = `Now ${countsText(source.name, from)}; ${countsText(destination.name, to)}.`;
        if (input.seen !== undefined) {
          refuseIfStale(
            [{ name: typeName, key: transferReviewKey(from, to), seen: input.seen }],
            () =>
              `The ${typeName} counts changed since you reviewed this transfer, so nothing was transferred. ${now_} Review the new numbers before you confirm.`,
          );
        }
        const unassigned = from.purchased - from.assigned;
        if (q > unassigned) {
          throw new Refusal(
            `${source.name} has ${plural(unassigned, `unassigned ${typeName} license`)}: you cannot transfer ${q}. Only unassigned licenses can be transferred.`,
          );
        }
        await tx
          .updateTable("license_pools")
          .set((eb) => ({ purchased: eb("purchased", "-", q) }))
          .where("office_id", "=", source.id)
          .where("license_type", "=", type)
          .execute();
        await tx
          .updateTable("license_pools")
          .set((eb) => ({ purchased: eb("purchased", "+", q) }))
          .where("office_id", "=", destination.id)
          .where("license_type", "=", type)
          .execute();
        const details = { type, quantity: q, from_office_id: source.id, to_office_id: destination.id };
        await recordAudit(
          tx,
          actor,
          [
            {
              action: "license.transferred_out",
              targetType: "license_pool",
              targetId: `${source.id}:${type}`,
              targetLabel: `${typeName}, ${source.name}`,
              officeId: source.id,
              before: { ...details, purchased: from.purchased, assigned: from.assigned },
              after: { ...details, purchased: from.purchased - q, assigned: from.assigned },
            },
            {
              action: "license.transferred_in",
              targetType: "license_pool",
              targetId: `${destination.id}:${type}`,
              targetLabel: `${typeName}, ${destination.name}`,
              officeId: destination.id,
              before: { ...details, purchased: to.purchased, assigned: to.assigned },
              after: { ...details, purchased: to.purchased + q, assigned: to.assigned },
            },
          ],
          now,
        );
        return {
          ok: true as const,
          message: `Transferred ${plural(q, `${typeName} license`)} from ${source.name} to ${destination.name}.`,
        };
      }),
    () =>
      `${source.name} does not have ${plural(q, `unassigned ${typeName} license`)} any more: nothing was transferred.`,
  );
}
