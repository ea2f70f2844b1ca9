/**
 * Numbers and seats are money: a number's state is changed only by the
 * moves of app/numbers/moves.server.ts, and seat pools are written only by
 * app/licenses, so that no copy elsewhere forgets a column. A write that
 * appears anywhere else in app/ fails here, naming the file.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const APP = fileURLToPath(new URL("../../app", import.meta.url));
const files = (readdirSync(APP, { recursive: true }) as string[])
  .filter((f) => /\.tsx?$/.test(f))
  .map((f) => join(APP, f));

/** The files of app/ outside `allowed` that write to `table`, in Kysely or in SQL. */
function writersOf(table: string, allowed: (path: string) => boolean) {
  const write = new RegExp(
    `(updateTable|insertInto|deleteFrom)\\(\\s*"${table}[" ]|\\b(update|insert\\s+into|delete\\s+from)\\s+${table}\\b`,
    "i",
  );
  return files
    .map((f) => relative(APP, f))
    .filter((f) => !allowed(f))
    .filter((f) => write.test(readFileSync(join(APP, f), "utf8")));
}

describe("one place for each rule", () => {
  it("changes a number's state only through the moves of app/numbers", () => {
    expect(writersOf("phone_numbers", (f) => f === join("numbers", "moves.server.ts"))).toEqual([]);
  });

  it("writes seat pools only in app/licenses", () => {
    expect(writersOf("license_pools", (f) => f.startsWith(join("licenses", "/")))).toEqual([]);
  });
});
