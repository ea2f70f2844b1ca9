/** Ids of the demo data (db/seed/demo.ts), read by name as a person would say them. */
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";

/** One of Acme's offices (Globex has its own Springfield). */
export const acmeOfficeId = (db: Kysely<Database>, name: string) =>
  db
    .selectFrom("offices as o")
    .innerJoin("companies as c", "c.id", "o.company_id")
    .select("o.id")
    .where("o.name", "=", name)
    .where("c.name", "=", "Acme")
    .executeTakeFirstOrThrow()
    .then((o) => o.id);

export const userIdOf = (db: Kysely<Database>, email: string) =>
  db
    .selectFrom("users")
    .select("id")
    .where("email", "=", email)
    .executeTakeFirstOrThrow()
    .then((u) => u.id);
