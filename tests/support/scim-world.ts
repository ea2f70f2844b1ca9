/**
 * Where the SCIM domain tests start: a fresh demo database with one token
 * each for Acme (Ada's "Okta") and Globex (Gina's "Entra ID"), and the SCIM
 * actor of each, as a request bearing the token makes it.
 */
import { rmSync } from "node:fs";
import { freshDatabase, type TestDatabase } from "./db.ts";
import { actorFor } from "./actors.ts";
import { seedDemo } from "../../db/seed/demo.ts";
import type { Actor } from "../../app/auth/actor.server.ts";
import { createToken } from "../../app/provisioning/tokens.server.ts";
import { scimActor, type ScimActor } from "../../app/scim/actor.server.ts";

/** A SCIM request that carries `token`, for scimActor. */
export const bearer = (token: string) =>
  new Request("http://sb.test/scim/v2/Users", { headers: { Authorization: `Bearer ${token}` } });

export interface ScimWorld {
  t: TestDatabase;
  ada: Actor;
  gina: Actor;
  acme: ScimActor;
  globex: ScimActor;
  acmeToken: string;
}

/** The world, its mail outbox in `outboxDir` (erased by closeScimWorld). */
export async function openScimWorld(outboxDir: string, now: Date): Promise<ScimWorld> {
  process.env.DATA_DIR = outboxDir;
  const t = await freshDatabase();
  await seedDemo(t.db, now);
  const [ada, gina] = await Promise.all([
    actorFor(t.db, "ada@acme.test", now),
    actorFor(t.db, "gina@globex.test", now),
  ]);
  const a = await createToken(t.db, ada, { name: "Okta" }, now);
  const g = await createToken(t.db, gina, { name: "Entra ID" }, now);
  if (!a.ok || !g.ok) throw new Error("tokens");
  const acme = await scimActor(t.db, bearer(a.token), null, now);
  const globex = await scimActor(t.db, bearer(g.token), null, now);
  return { t, ada, gina, acme, globex, acmeToken: a.token };
}

export async function closeScimWorld(world: ScimWorld | undefined, outboxDir: string): Promise<void> {
  await world?.t.close();
  rmSync(outboxDir, { recursive: true, force: true });
}
