/**
 * Migrations are imported one by one in db/connect.ts (so the built server
 * carries them): a file added to db/migrations but not registered there would
 * never run. Every file is registered, under its own name, in name order.
 * And they run only on a database that orders text by code point, which the
 * users list's name search needs.
 */
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import pg from "pg";
import { sql } from "kysely";
import { migrateToLatest, migrations, openDatabase, ordersByCodePoint } from "../../db/connect.ts";
import { onServer } from "../support/race.ts";

describe("db/migrations", () => {
  it("registers every migration file, under its file name, in order", () => {
    const files = readdirSync(new URL("../../db/migrations/", import.meta.url))
      .filter((f) => f.endsWith(".ts"))
      .map((f) => f.replace(/\.ts$/, ""))
      .sort();
    expect(Object.keys(migrations)).toEqual(files);
  });
});

describe("a database's text order", () => {
  it("is code point order under C, POSIX, C.UTF-8 or the builtin provider; not under a language's", () => {
    for (const [collation, provider] of [
      ["C", "c"],
      ["POSIX", "c"],
      ["C.UTF-8", "c"],
      ["C.utf8", "c"],
      ["C.UTF-8", "b"],
    ] as const)
      expect(ordersByCodePoint(collation, provider), `${collation} (${provider})`).toBe(true);
    for (const [collation, provider] of [
      ["en_US.UTF-8", "c"],
      ["de_DE.utf8", "c"],
      ["C.UTF-8", "i"],
    ] as const)
      expect(ordersByCodePoint(collation, provider), `${collation} (${provider})`).toBe(false);
  });

  it.runIf(onServer)(
    "refuses, before any migration, a database whose text a language orders (ICU's en-US)",
    async () => {
      const url = new URL(process.env.DATABASE_URL!);
      const name = `${url.pathname.slice(1)}_icu_order`;
      const admin = async (statement: string) => {
        const client = new pg.Client({
          connectionString: Object.assign(new URL(url), { pathname: "/postgres" }).toString(),
        });
        await client.connect();
        try {
          await client.query(statement);
        } finally {
          await client.end();
        }
      };
      await admin(`drop database if exists ${name} with (force)`);
      await admin(
        `create database ${name} template template0 encoding 'UTF8' locale 'C.UTF-8' locale_provider icu icu_locale 'en-US'`,
      );
      const h = await openDatabase({ url: Object.assign(new URL(url), { pathname: `/${name}` }).toString() });
      try {
        await expect(migrateToLatest(h.db)).rejects.toThrow(/needs code-point order/);
        const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from pg_tables where schemaname = 'public'`.execute(h.db);
        expect(rows).toEqual([{ n: 0 }]);
      } finally {
        await h.close();
        await admin(`drop database if exists ${name} with (force)`);
      }
    },
  );
});
