/**
 * One Kysely dialect for both databases: node-postgres. On a PostgreSQL
 * server `pg` talks to it over the network; with DATABASE_URL unset PGlite's
 * own node-postgres adapter stands in for the socket (PGlite itself runs in a
 * thread of its own, pglite-thread.ts), so both return values through the same
 * type parsers (int8 and numeric as numbers, see below).
 */
import { Kysely, Migrator, PostgresDialect, sql, type LogConfig, type Migration } from "kysely";
import { mkdirSync } from "node:fs";
import pg from "pg";
import type { Database } from "./schema.ts";
import { openPgliteThread } from "./pglite-thread.ts";
import * as initial from "./migrations/2026-11-27T1700_initial.ts";
import * as auditLogFilters from "./migrations/2026-11-27T2100_audit_log_filters.ts";
import * as numberHolds from "./migrations/2026-11-28T0000_number_holds.ts";
import * as erasureWords from "./migrations/2026-11-29T1300_erasure_words.ts";
import * as provisioning from "./migrations/2026-12-01T2300_provisioning.ts";
import * as reviewHolds from "./migrations/2026-12-01T2300_review_holds.ts";
import * as suspendedUsers from "./migrations/2026-12-02T0810_suspended_users.ts";
import * as provisioningSettings from "./migrations/2026-12-02T0815_provisioning_settings.ts";
import * as scimSort from "./migrations/2026-12-02T0820_scim_sort.ts";
import * as proxySecurity from "./migrations/2026-12-02T0830_proxy_security.ts";
import * as jobs from "./migrations/2026-12-02T0835_jobs.ts";
import * as userListScale from "./migrations/2026-12-02T1045_user_list_scale.ts";
import * as seatStatementTriggers from "./migrations/2026-12-02T1200_seat_statement_triggers.ts";
import * as importMail from "./migrations/2026-12-02T1430_import_mail.ts";
import * as poolDeletedKeyset from "./migrations/2026-12-03T0810_pool_deleted_keyset.ts";
import * as auditUserRefs from "./migrations/2026-12-05T0300_audit_user_refs.ts";
import * as companyAdminCount from "./migrations/2026-12-05T0330_company_admin_count.ts";
import * as numberLastHolder from "./migrations/2026-12-05T0345_number_last_holder.ts";
import * as dropAuditActorIndex from "./migrations/2026-12-05T0600_drop_audit_actor_index.ts";
import * as erasureVacuumOwed from "./migrations/2026-12-05T0700_erasure_vacuum_owed.ts";

/** Every migration, in order. Imported, not read from disk, so the built server carries them. */
export const migrations: Record<string, Migration> = {
  "2026-11-27T1700_initial": initial,
  "2026-11-27T2100_audit_log_filters": auditLogFilters,
  "2026-11-28T0000_number_holds": numberHolds,
  "2026-11-29T1300_erasure_words": erasureWords,
  "2026-12-01T2300_provisioning": provisioning,
  "2026-12-01T2300_review_holds": reviewHolds,
  "2026-12-02T0810_suspended_users": suspendedUsers,
  "2026-12-02T0815_provisioning_settings": provisioningSettings,
  "2026-12-02T0820_scim_sort": scimSort,
  "2026-12-02T0830_proxy_security": proxySecurity,
  "2026-12-02T0835_jobs": jobs,
  "2026-12-02T1045_user_list_scale": userListScale,
  "2026-12-02T1200_seat_statement_triggers": seatStatementTriggers,
  "2026-12-02T1430_import_mail": importMail,
  "2026-12-03T0810_pool_deleted_keyset": poolDeletedKeyset,
  "2026-12-05T0300_audit_user_refs": auditUserRefs,
  "2026-12-05T0330_company_admin_count": companyAdminCount,
  "2026-12-05T0345_number_last_holder": numberLastHolder,
  "2026-12-05T0600_drop_audit_actor_index": dropAuditActorIndex,
  "2026-12-05T0700_erasure_vacuum_owed": erasureVacuumOwed,
};

// int8 (counts, audit ids) and numeric as JS numbers: our values stay far below 2^53.
const INT8 = 20;
const NUMERIC = 1700;
const types = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === INT8 || oid === NUMERIC) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
};

export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: "pglite" | "postgres";
  close(): Promise<void>;
  /** PGlite only: the data directory as a tarball, to clone a migrated template. */
  dump?(): Promise<Blob>;
}

export interface OpenOptions {
  /** A PostgreSQL URL; unset means the embedded PGlite. */
  url?: string;
  /** PGlite's data folder; "memory://" keeps it in memory. */
  dataDir?: string;
  /** PGlite: start from this dump instead of an empty folder. */
  loadDataDir?: Blob;
  log?: LogConfig;
  poolSize?: number;
  /**
   * PostgreSQL only: what to throw instead of an error that says the server
   * cannot be reached (refused, reset, shut down, timed out). The app throws
   * a 503 page; scripts keep the error as it is.
   */
  unavailable?: (err: Error) => unknown;
}

// Node's socket errors, and SQLSTATE class 08 (connection exception), 57P01-57P03 (the server shutting down or
// starting) and 53300 (too many connections: every slot taken, by this app's processes or others).
const SOCKET_ERRORS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);
const LOST_CONNECTION = /^Connection terminated|timeout exceeded when trying to connect|not queryable/;

/** Whether an error from `pg` says the server is out of reach, rather than that a statement failed. */
export function isConnectionError(err: unknown): err is Error {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (
    typeof code === "string" &&
    (SOCKET_ERRORS.has(code) || code.startsWith("08") || /^57P0[123]$|^53300$/.test(code))
  )
    return true;
  return LOST_CONNECTION.test(err.message);
}

/**
 * The pool as Kysely sees it, with connection errors (on connecting, or from a
 * statement) replaced by `unavailable(err)`. A client whose connection broke
 * is not queryable any more, and pg-pool drops such a client on release
 * instead of handing it out again.
 */
function guardedPool(pool: pg.Pool, unavailable: (err: Error) => unknown) {
  const guard = (err: unknown) => {
    throw isConnectionError(err) ? unavailable(err) : err;
  };
  return {
    connect: async () => {
      const client = await pool.connect().catch(guard);
      return {
        query: ((...args: Parameters<pg.PoolClient["query"]>) => {
          const result = (client.query as (...a: unknown[]) => unknown)(...args);
          return result instanceof Promise ? result.catch(guard) : result;
        }) as pg.PoolClient["query"],
        release: (destroy?: boolean) => client.release(destroy),
      };
    },
    end: () => pool.end(),
  };
}

/**
 * A client losing its database (a server's restart or a network cut; PGlite's
 * thread exiting) emits "error": the pool handles it for idle clients; this
 * listener is for the checked-out ones, which would otherwise crash the
 * process. The statement waiting on it fails by itself.
 */
function logConnectionErrors(pool: pg.Pool, name: string) {
  pool.on("error", (err) => console.error(`${name} pool:`, err.message));
  pool.on("connect", (client) =>
    client.on("error", (err) => console.error(`${name} connection:`, err.message)),
  );
}

export async function openDatabase(options: OpenOptions = {}): Promise<DatabaseHandle> {
  if (options.url) {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      types,
      // A server that does not answer (a network cut, not a refusal) fails the request instead of hanging it.
      connectionTimeoutMillis: 5_000,
    });
    logConnectionErrors(pool, "postgres");
    // No JIT compilation: it pays off for long analytical queries, and ours are short. A statement whose
    // estimated cost passed jit_above_cost (an anonymization's, planned for every audit entry of the
    // company) spent 0.7 s of each bulk job batch compiling itself, more than it ran. A SET, queued before
    // anything the client is asked, rather than the startup packet's `options`, which a pooler in front
    // may refuse; a failure shows in the first statement after it.
    pool.on("connect", (client) => void client.query("set jit = off").catch(() => undefined));
    const unavailable = options.unavailable;
    const dialect = new PostgresDialect({ pool: unavailable ? guardedPool(pool, unavailable) : pool });
    const db = new Kysely<Database>({ dialect, log: options.log });
    return { db, kind: "postgres", close: () => db.destroy() };
  }
  const { createPgConfig } = await import("@electric-sql/pglite/node-postgres");
  const dataDir = options.dataDir ?? "memory://";
  if (!dataDir.startsWith("memory://")) mkdirSync(dataDir, { recursive: true });
  const lite = await openPgliteThread(dataDir, options.loadDataDir);
  // PGlite is one connection: a pool of one queues requests, and a
  // transaction holds it until it ends, as a server connection would.
  const pool = new pg.Pool({ ...createPgConfig(lite.pglite as never), max: 1, types });
  logConnectionErrors(pool, "pglite");
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: options.log });
  return {
    db,
    kind: "pglite",
    close: async () => {
      await db.destroy();
      await lite.close();
    },
    dump: () => lite.dump(),
  };
}

/**
 * What CREATE DATABASE is given for Switchboard's databases: UTF-8 text ordered by code point. The users
 * list's name search needs that order (app/users/list.server.ts, `startsWith`: "starts with mar" is the
 * index range from "mar" up to "mas"); template0, because a cluster's template1 may have another locale.
 */
export const DATABASE_OPTIONS = "template template0 encoding 'UTF8' locale 'C.UTF-8'";

/** C, POSIX or C.UTF-8 under libc, or PostgreSQL's builtin provider (C or C.UTF-8): text by code point. */
export function ordersByCodePoint(collation: string, provider: string | null): boolean {
  if (provider === "b") return true;
  return (provider ?? "c") === "c" && /^(C|POSIX)(\.UTF-?8)?$/i.test(collation);
}

/**
 * Refuses a database whose text is not ordered by code point, before any
 * migration: under en_US.UTF-8, say, "Märta" lies between "mar" and "mas",
 * and a search for "mar" would list her. Says how to create one instead.
 */
async function requireCodePointOrder(db: Kysely<Database>): Promise<void> {
  const { rows } = await sql<{ name: string; collation: string; provider: string | null }>`
    select datname as name, datcollate as collation, to_jsonb(d) ->> 'datlocprovider' as provider
      from pg_database d where datname = current_database()`.execute(db);
  const d = rows[0]!;
  if (!ordersByCodePoint(d.collation, d.provider))
    throw new Error(
      `Database ${d.name} orders text by ${d.collation}${d.provider === "i" ? " (ICU)" : ""}; Switchboard needs ` +
        `code-point order. Create it with: CREATE DATABASE <name> ${DATABASE_OPTIONS}`,
    );
}

export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  await requireCodePointOrder(db);
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

/** What the app and the scripts connect to, from the environment. */
export function optionsFromEnv(): OpenOptions {
  const url = process.env.DATABASE_URL || undefined;
  const dataDir = process.env.DATA_DIR ?? "./data";
  return url ? { url } : { dataDir: `${dataDir.replace(/\/$/, "")}/pglite` };
}
