/**
 * Export CSV of the Active or Pending Users tab: the users that match the
 * list's search and filters (scoped like the list: an Office Admin's offices
 * only), in the list's order, as a stream.
 *
 * Rows are read in keyset batches of 1,000 rather than through one server-side
 * cursor: a batch is one short query, so a slow download never holds a pooled
 * connection or an open transaction (a cursor needs both for its whole life),
 * and on PGlite, which is a single connection, other requests run between
 * batches instead of waiting for the whole file. Memory holds one batch
 * however many users match; the response's backpressure paces the reads.
 *
 * Each batch goes out as one chunk of CSV. A chunk per row (csv-stringify's
 * stream) was a write and a compression flush per row: at a million users the
 * download slowed from 3,000 to 1,500 rows a second, and the server's memory
 * grew by a gigabyte.
 */
import { Readable } from "node:stream";
import type { Kysely } from "kysely";
import { stringify } from "csv-stringify/sync";
import type { Database } from "../../db/schema.ts";
import type { Actor } from "../auth/actor.server.ts";
import { formatNumber } from "../numbers/format.server.ts";
import { LICENSE_NAMES, STATUS_NAMES } from "../ui/format.ts";
import { hasProxy, roleOf, usersInListOrder } from "./list.server.ts";
import type { ListParams } from "./list-params.ts";

export const EXPORT_BATCH = 1000;

const COLUMNS = [
  "First name",
  "Last name",
  "Email",
  "Number",
  "Extension",
  "Office",
  "License",
  "Admin",
  "Proxy access",
  "Status",
  "Date added",
  "First signed in",
] as const;

/** The matching users, batch by batch, each row as the CSV's cells. */
export async function* exportUserBatches(
  db: Kysely<Database>,
  actor: Actor,
  p: ListParams,
  batchSize = EXPORT_BATCH,
) {
  // The list's keyset walk: its filters leave deleted users out, so anonymized ones (always deleted) too.
  for await (const rows of usersInListOrder(db, actor, p, batchSize)) {
    yield rows.map((r) => [
      r.first_name,
      r.last_name,
      r.email,
      formatNumber(r.primary_e164) ?? "",
      r.extension ?? "",
      r.office_name,
      LICENSE_NAMES[r.license_type],
      roleOf(r) ?? "",
      hasProxy(actor, r) ? "Yes" : "No",
      STATUS_NAMES[r.status],
      r.created_at.toISOString().slice(0, 10),
      r.first_signed_in_at ? r.first_signed_in_at.toISOString() : "",
    ]);
  }
}

/**
 * The CSV as a web stream, for a Response: the header, then a chunk per batch.
 * Cells are escaped by csv-stringify; `escape_formulas` puts an apostrophe
 * before a cell that starts with = + - @, a tab or a carriage return (and
 * their full-width forms), so a name such as `=HYPERLINK(...)` typed into a
 * user's profile opens in a spreadsheet as text instead of running as a
 * formula on the admin's machine (CSV injection). Numbers are written in
 * international format, so they start with + and keep that apostrophe too:
 * the spreadsheet shows them as text, which they are.
 */
export function usersCsv(db: Kysely<Database>, actor: Actor, p: ListParams): ReadableStream<Uint8Array> {
  async function* chunks() {
    yield stringify([], { header: true, columns: [...COLUMNS], bom: true });
    for await (const rows of exportUserBatches(db, actor, p))
      yield stringify(rows, { escape_formulas: true });
  }
  // A download cancelled halfway ends the generator (Node throws an AbortError into it at its yield), so no
  // batch is read for nobody.
  return Readable.toWeb(Readable.from(chunks(), { objectMode: false })) as ReadableStream<Uint8Array>;
}

/** switchboard-users-2026-11-27.csv: the day it was taken, in UTC like every date shown. */
export const exportFilename = (now: Date) => `switchboard-users-${now.toISOString().slice(0, 10)}.csv`;
