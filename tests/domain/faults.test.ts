/**
 * Faults, on the PostgreSQL server only: the built app behind a TCP proxy that
 * the test cuts and restores (what the app sees of a stopped server), and two
 * app servers on one database.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import pg from "pg";
import { openDatabase } from "../../db/connect.ts";
import { seedDemo } from "../../db/seed/demo.ts";
import { seedScale } from "../../db/seed/scale.ts";
import { loadActor } from "../../app/auth/actor.server.ts";
import { createSession, hashToken } from "../../app/auth/session.server.ts";
import { deleteUsers } from "../../app/users/delete.server.ts";
import { purgeExpired } from "../../app/users/anonymize.server.ts";
import { actorFor } from "../support/actors.ts";
import { requireBuild, startServer, type RunningServer } from "../support/app-server.ts";
import { HttpClient } from "../support/http-client.ts";
import { freshDatabase, serverUrl, type TestDatabase } from "../support/db.ts";
import { untilLocksWait } from "../support/race.ts";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.ts";

const HOUR = 3600_000;

/** Polls until `check` holds: the app reconnects when it next needs the database, not on a timer. */
async function until(check: () => Promise<boolean>, what: string, tries = 150): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`Gave up waiting for ${what}.`);
}

describe.runIf(!!process.env.DATABASE_URL)("faults on the PostgreSQL server", () => {
  let database: TestDatabase;
  let directUrl: string;
  let proxy: TcpProxy;
  const servers: RunningServer[] = [];
  let a: RunningServer;

  beforeAll(async () => {
    requireBuild();
    database = await freshDatabase();
    await seedDemo(database.db, new Date());
    directUrl = serverUrl(database.name);
    const url = new URL(directUrl);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.hostname = "127.0.0.1";
    url.port = String(proxy.port);
    a = await startServer(url.toString(), { SWITCHBOARD_JOBS: "off" });
    servers.push(a);
  });

  afterAll(async () => {
    for (const s of servers) s.stop();
    await proxy?.close();
    await database?.close();
  });

  test("a database lost mid-request: 503 pages, no partial write, and recovery on its own", async () => {
    const ada = new HttpClient(a.origin);
    await ada.signIn("ada@acme.test");
    const priya = await database.db
      .selectFrom("users")
      .select(["id", "office_id", "license_type"])
      .where("email", "=", "priya@acme.test")
      .executeTakeFirstOrThrow();
    const auditCount = async () =>
      (
        await database.db
          .selectFrom("audit_log")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .executeTakeFirstOrThrow()
      ).n;
    const auditBefore = await auditCount();
    const numbersOf = () =>
      database.db.selectFrom("phone_numbers").select("id").where("assigned_user_id", "=", priya.id).execute();
    const numbersBefore = await numbersOf();
    expect(numbersBefore.length).toBeGreaterThan(0);

    // The delete updates Priya's row, and its seat trigger then waits on her license pool,
    // which the test holds: the request is inside its transaction when the database goes away.
    const blocker = new pg.Client({ connectionString: directUrl });
    await blocker.connect();
    await blocker.query("begin");
    await blocker.query("select 1 from license_pools where office_id = $1 and license_type = $2 for update", [
      priya.office_id,
      priya.license_type,
    ]);
    const deleting = ada.post(`/users/${priya.id}/delete`, { license: "keep" });
    await untilLocksWait(database.db, 1, "the delete to wait on the pool's lock");

    proxy.cut();
    await blocker.query("rollback");
    await blocker.end();

    const interrupted = await deleting;
    expect(interrupted.status).toBe(503);
    expect(await interrupted.text()).toContain("Temporarily unavailable");
    const page = await ada.get("/users");
    expect(page.status).toBe(503);
    expect(await page.text()).toContain("Switchboard cannot reach its database right now");
    // A hydrated page's data request.
    expect((await ada.get("/users.data")).status).toBe(503);
    expect((await fetch(`${a.origin}/healthz`)).status).toBe(503);
    expect(a.process.exitCode).toBeNull();

    // Nothing of the interrupted delete was kept.
    const after = await database.db
      .selectFrom("users")
      .select("status")
      .where("id", "=", priya.id)
      .executeTakeFirstOrThrow();
    expect(after.status).toBe("active");
    expect(await numbersOf()).toEqual(numbersBefore);
    expect(await auditCount()).toBe(auditBefore);

    proxy.restore();
    await until(
      async () => (await fetch(`${a.origin}/healthz`)).status === 200,
      "/healthz to answer 200 again",
    );
    const back = await ada.get("/users");
    expect(back.status).toBe(200);
    expect(await back.text()).toContain("Priya Raman");
    const retried = await ada.post(`/users/${priya.id}/delete`, { license: "keep" });
    expect(retried.status).toBe(302);
    const deleted = await database.db
      .selectFrom("users")
      .select("status")
      .where("id", "=", priya.id)
      .executeTakeFirstOrThrow();
    expect(deleted.status).toBe("deleted");
    const audits = await database.db
      .selectFrom("audit_log")
      .select("action")
      .where("target_type", "=", "user")
      .where("target_id", "=", String(priya.id))
      .where("action", "=", "user.deleted")
      .execute();
    expect(audits).toHaveLength(1);
  });

  test("two servers on one database share sessions", async () => {
    const b = await startServer(directUrl, { SWITCHBOARD_JOBS: "off" });
    servers.push(b);
    const gina = new HttpClient(a.origin);
    await gina.signIn("gina@globex.test");
    const ginaOnB = gina.clone(b.origin); // the same session cookie, sent to the other server
    const onB = await ginaOnB.get("/users");
    expect(onB.status).toBe(200);
    expect(await onB.text()).toContain("Globex");
    const signedOut = await gina.post("/logout", {});
    expect(signedOut.status).toBe(302);
    const afterSignOut = await ginaOnB.get("/users");
    expect(afterSignOut.headers.get("location")).toMatch(/^\/login/);
  });

  test("deleting a pending user takes the numbers they held before the pools, as Add User and Reassign do", async () => {
    // Jasper is pending: deleted, he is anonymized at once, and a number he once held loses his name.
    const jasper = await database.db
      .selectFrom("users")
      .select(["id", "office_id"])
      .where("email", "=", "jasper@acme.test")
      .executeTakeFirstOrThrow();
    const number = await database.db
      .updateTable("phone_numbers")
      .set({ last_holder_user_id: jasper.id, last_holder_name: "Jasper" })
      .where("id", "=", (eb) =>
        eb
          .selectFrom("phone_numbers")
          .select("id")
          .where("office_id", "=", jasper.office_id)
          .where("state", "=", "reserved")
          .limit(1),
      )
      .returning("id")
      .executeTakeFirstOrThrow();

    // An Add User has locked that number and is about to lock the office's pools.
    const adding = new pg.Client({ connectionString: directUrl });
    await adding.connect();
    await adding.query("begin");
    await adding.query("select 1 from phone_numbers where id = $1 for update", [number.id]);
    const ada = await actorFor(database.db, "ada@acme.test");
    const deleting = deleteUsers(database.db, ada, [jasper.id], "keep", new Date());
    await untilLocksWait(database.db, 1, "the delete to wait on the number");
    // It waits holding none of the pools: the Add User takes them (a deadlock otherwise).
    await adding.query("select 1 from license_pools where office_id = $1 for no key update nowait", [
      jasper.office_id,
    ]);
    await adding.query("commit");
    await adding.end();
    expect((await deleting).outcomes[0]!.outcome).toBe("done");
  });

  test("two servers' purge jobs at once anonymize each expired user once", async () => {
    const past = new Date(Date.now() - 100 * HOUR);
    await seedScale(database.db, 200, () => undefined);
    const ada = await database.db
      .selectFrom("users")
      .select("id")
      .where("email", "=", "ada@acme.test")
      .executeTakeFirstOrThrow();
    const request = new Request("http://localhost/");
    const cookie = (await createSession(database.db, request, null, ada.id, past))!;
    const token = decodeURIComponent(cookie.split(";")[0]!.split("=")[1]!);
    const actor = (await loadActor(database.db, null, hashToken(token), past))!;
    const ids = (
      await database.db
        .selectFrom("users")
        .select("id")
        .where("email", "like", "%.%@acme.test")
        .orderBy("id")
        .limit(200)
        .execute()
    ).map((r) => r.id);
    await deleteUsers(database.db, actor, ids, "keep", past);
    // Pending users are anonymized at deletion; the rest, and the demo's user deleted 80 hours ago, wait for the purge.
    const now = new Date();
    const expired = (
      await database.db
        .selectFrom("users")
        .select("id")
        .where("status", "=", "deleted")
        .where("anonymized_at", "is", null)
        .where("deleted_at", "<=", new Date(now.getTime() - 72 * HOUR))
        .execute()
    ).map((r) => r.id);
    expect(expired.length).toBeGreaterThan(100);

    // Each "server" with a pool of its own, in batches small enough that the two interleave.
    const first = await openDatabase({ url: directUrl });
    const second = await openDatabase({ url: directUrl });
    try {
      const [n1, n2] = await Promise.all([purgeExpired(first.db, now, 20), purgeExpired(second.db, now, 20)]);
      expect(n1 + n2).toBe(expired.length);
    } finally {
      await first.close();
      await second.close();
    }
    const left = await database.db
      .selectFrom("users")
      .select("id")
      .where("id", "in", expired)
      .where("anonymized_at", "is", null)
      .execute();
    expect(left).toEqual([]);
    const entries = await database.db
      .selectFrom("audit_log")
      .select(["target_id", (eb) => eb.fn.countAll<number>().as("n")])
      .where("action", "=", "user.anonymized")
      .where("target_id", "in", expired.map(String))
      .groupBy("target_id")
      .execute();
    expect(entries).toHaveLength(expired.length);
    expect(entries.every((e) => e.n === 1)).toBe(true);
  });
});
