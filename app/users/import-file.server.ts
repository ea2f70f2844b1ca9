/**
 * Import users: reading the uploaded CSV into rows (docs/domain.md,
 * "Importing users"). UTF-8 with or without a BOM, comma or semicolon (the
 * header line decides), quoted fields, CRLF or LF; headers in any order and
 * letter case. Export CSV's file reads as it is: its read-only columns are
 * skipped and the apostrophe its formula guard puts before = + - @ is taken
 * off again. csv-parse reads the text as a stream of records; nothing here
 * splits strings on commas.
 */
import { Readable } from "node:stream";
import { parse, CsvError } from "csv-parse";
import { MAX_IMPORT_BYTES, MAX_IMPORT_ROWS } from "./import-schema.ts";

/** A record longer than this is no user's row: csv-parse stops there rather than buffer the rest. */
const MAX_RECORD_CHARS = 64 * 1024;

/** The columns an import reads, by the header people see. */
export const IMPORT_COLUMNS = {
  firstName: "First name",
  lastName: "Last name",
  email: "Email",
  office: "Office",
  license: "License",
  extension: "Extension",
  jobTitle: "Job title",
  number: "Number",
} as const;
export type ImportField = keyof typeof IMPORT_COLUMNS;

/** Export CSV's columns that an import skips: what the console shows but an import cannot set. */
const READ_ONLY_COLUMNS = ["admin", "proxy access", "status", "date added", "first signed in"];

/** One row of the file: its line (of the file, the header being line 1) and its cells by field; absent columns are absent. */
export interface ImportRow {
  line: number;
  cells: Partial<Record<ImportField, string>>;
  /** Set when the row itself cannot be read (a field too many): the row is an error as a whole. */
  problem?: string;
}

export type ImportFile =
  { ok: true; columns: ImportField[]; rows: ImportRow[]; exported: boolean } | { ok: false; message: string };

const BY_HEADER = new Map(
  Object.entries(IMPORT_COLUMNS).map(([field, header]) => [header.toLowerCase(), field]),
);
const FORMULA_GUARDED = /^'[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/** A cell as its author meant it: Export CSV's formula guard taken off. */
const unguard = (cell: string) => (FORMULA_GUARDED.test(cell) ? cell.slice(1) : cell);

/** Comma, unless the header line has more semicolons than commas (as spreadsheets in many countries save). */
function delimiterOf(text: string): "," | ";" {
  const end = text.search(/\r?\n/);
  const header = end < 0 ? text : text.slice(0, end);
  const count = (c: string) => header.split(c).length - 1;
  return count(";") > count(",") ? ";" : ",";
}

const fileProblem = (message: string): ImportFile => ({ ok: false, message });

/** Reads an uploaded file into rows, or says why the file as a whole cannot be read. */
export async function readImportFile(file: Blob): Promise<ImportFile> {
  if (file.size === 0)
    return fileProblem("The file is empty. Choose a CSV file with a header line and a row per user.");
  if (file.size > MAX_IMPORT_BYTES)
    return fileProblem("The file is over 20 MB. Split it into files of at most 100,000 rows.");
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(await file.arrayBuffer());
  } catch {
    return fileProblem(
      "This is not a CSV text file in UTF-8. Save it from your spreadsheet as “CSV UTF-8” and try again.",
    );
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.includes("\0"))
    return fileProblem(
      "This is not a CSV text file in UTF-8. Save it from your spreadsheet as “CSV UTF-8” and try again.",
    );
  if (text.trim() === "")
    return fileProblem("The file is empty. Choose a CSV file with a header line and a row per user.");

  const delimiter = delimiterOf(text);
  const parser = Readable.from([text]).pipe(
    parse({
      delimiter,
      relax_column_count: true,
      skip_empty_lines: true,
      max_record_size: MAX_RECORD_CHARS,
      info: true,
    }),
  );
  let fields: (ImportField | null)[] | null = null;
  const rows: ImportRow[] = [];
  let exported = false;
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      if (!fields) {
        const header = headerOf(record);
        if (!header.ok) return fileProblem(header.message);
        fields = header.fields;
        exported = header.exported;
        continue;
      }
      if (rows.length === MAX_IMPORT_ROWS)
        return fileProblem(
          "The file has more than 100,000 rows. Split it into files of at most 100,000 rows.",
        );
      const row: ImportRow = { line: info.lines, cells: {} };
      if (record.length > fields.length)
        row.problem = `${record.length} fields where the header has ${fields.length}. Put quotes around a value with a ${delimiter === ";" ? "semicolon" : "comma"} in it.`;
      fields.forEach((field, i) => {
        if (field && i < record.length) row.cells[field] = unguard(record[i]!.trim());
      });
      rows.push(row);
    }
  } catch (err) {
    if (err instanceof CsvError) return fileProblem(csvProblem(err));
    throw err;
  }
  if (!fields)
    return fileProblem("The file is empty. Choose a CSV file with a header line and a row per user.");
  if (rows.length === 0) return fileProblem("The file has a header line but no rows. Add a row per user.");
  return { ok: true, columns: fields.filter((f): f is ImportField => f !== null), rows, exported };
}

function headerOf(
  record: string[],
): { ok: true; fields: (ImportField | null)[]; exported: boolean } | { ok: false; message: string } {
  const fields: (ImportField | null)[] = [];
  const unknown: string[] = [];
  let exported = false;
  for (const raw of record) {
    const name = raw.trim().toLowerCase().replace(/\s+/g, " ");
    const field = BY_HEADER.get(name) as ImportField | undefined;
    if (field && fields.includes(field))
      return { ok: false, message: `The header line has “${raw.trim()}” twice.` };
    if (!field && READ_ONLY_COLUMNS.includes(name)) exported = true;
    else if (!field && name !== "") unknown.push(raw.trim().slice(0, 40));
    fields.push(field ?? null);
  }
  if (!fields.includes("email"))
    return {
      ok: false,
      message: `The header line has no Email column. The first line names the columns: ${Object.values(IMPORT_COLUMNS).join(", ")}.`,
    };
  if (unknown.length > 0)
    return {
      ok: false,
      message: `The header line has ${unknown.length === 1 ? "a column" : "columns"} an import does not know: ${unknown.map((u) => `“${u}”`).join(", ")}. The columns are ${Object.values(IMPORT_COLUMNS).join(", ")}.`,
    };
  return { ok: true, fields, exported };
}

/** csv-parse's errors about the file's shape, in words for people, with the line. */
function csvProblem(err: CsvError): string {
  const line = (err as CsvError & { lines?: number }).lines;
  const at = line ? `Line ${line}: ` : "";
  switch (err.code) {
    case "CSV_QUOTE_NOT_CLOSED":
      return `${at}a quote opened here is never closed. Close it, or remove it.`;
    case "CSV_INVALID_CLOSING_QUOTE":
    case "CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE":
      return `${at}a quote ends in the middle of a value. Double a quote inside a quoted value ("").`;
    case "CSV_MAX_RECORD_SIZE":
      return `${at}a row is longer than 64 KB. No user's row is that long: check the file.`;
    default:
      return `${at}this line cannot be read as CSV.`;
  }
}
