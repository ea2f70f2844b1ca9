/**
 * Migrations are imported one by one in db/connect.ts (so the built server
 * carries them): a file added to db/migrations but not registered there would
 * never run. Every file is registered, under its own name, in name order.
 */
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { migrations } from "../../db/connect.ts";

describe("db/migrations", () => {
  it("registers every migration file, under its file name, in order", () => {
    const files = readdirSync(new URL("../../db/migrations/", import.meta.url))
      .filter((f) => f.endsWith(".ts"))
      .map((f) => f.replace(/\.ts$/, ""))
      .sort();
    expect(Object.keys(migrations)).toEqual(files);
  });
});
