import { randomBytes } from "node:crypto";
import { withActingContext } from "./acting-context.js";
import { createRolesSql, isSandboxDbRole } from "./db-roles.js";
import { DEMO_READ_RELATIONS, demoIndexesSql, demoSchemaSql } from "./demo-schema.js";
import { demoSeedFingerprint, seedDemoData, type DemoSeedScale } from "./demo-seed.js";
import { introspectTables, type IntrospectedTable } from "./introspect.js";
import { createPostgresDriver } from "./pg-driver.js";
import { createPgliteDriver } from "./pglite-driver.js";
import { PgliteSnapshotCache, pgliteSnapshots } from "./pglite-snapshot-cache.js";
import { quoteIdent } from "./sql-fragment.js";
import { relationNames } from "./table-relations.js";
import type { ActingUser, Queryable, SqlDriver, TableInfo } from "./types.js";

/** Options of {@link openDatabase}. */
export interface OpenDatabaseOptions {
  /** Postgres server URL (the connection user must be a superuser); absent = embedded PGlite in memory. */
  url?: string;
  /** `"demo"` fills the demo tables; `false` creates them empty. */
  seed: "demo" | false;
  /** Row counts of the demo seed. */
  scale?: DemoSeedScale;
  /**
   * Schema holding the tables. Default: `dfsb` on PGlite; a fresh `dfsb_<random>` on a server so several
   * sandboxes can share it (the schema is dropped on close). Lower-case letters, digits and `_` only.
   */
  schema?: string;
  /**
   * PGlite only: start from a cached snapshot of an identical database (same DDL, seed and scale) instead of
   * running initdb and the seed — ≈0.6 s instead of ≈3 s. Snapshots live in memory and in the OS temp
   * directory (see pglite-snapshot-cache.ts). @default true
   */
  cache?: boolean;
}

/** The sandbox's database: schema, introspected tables and per-user transactions. */
export interface SandboxDatabase {
  readonly driver: SqlDriver;
  readonly schema: string;
  /** Every table, sorted by name, as introspected from the catalog after the DDL. */
  tables(): TableInfo[];
  /** The table named `name` (case-insensitive). */
  table(name: string): TableInfo | undefined;
  /**
   * Runs `fn` in one transaction as `user`: `SET LOCAL ROLE <dbRole>` plus the transaction-local settings
   * `app.user_id`, `app.user_email`, `app.user_team` ("" for null) and `search_path` = the schema, so row-level
   * security and column privileges really apply. Rolls back when `fn` throws. Only the roles of db-roles.ts
   * are accepted (anything else is a TypeError: the role name is never taken from request text).
   */
  asUser<T>(user: ActingUser, fn: (q: Queryable) => Promise<T>): Promise<T>;
  /** Columns of `table` the database role may SELECT (`has_column_privilege`, through the read relation), cached. */
  readableColumns(dbRole: string, table: string): Promise<string[]>;
  /** Drops the schema (server mode) and closes the driver. Idempotent. */
  close(): Promise<void>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,50}$/;

const SET_USER_SQL = `SELECT set_config('role', $1, true), set_config('app.user_id', $2, true),
  set_config('app.user_email', $3, true), set_config('app.user_team', $4, true),
  set_config('search_path', $5, true)`;

const READABLE_SQL = `
SELECT a.attname AS name FROM pg_attribute a
WHERE a.attrelid = $2::regclass AND a.attnum > 0 AND NOT a.attisdropped
  AND has_column_privilege($1, a.attrelid, a.attnum, 'SELECT')
ORDER BY a.attnum`;

class Database implements SandboxDatabase {
  readonly #tables: IntrospectedTable[];
  readonly #readable = new Map<string, Promise<string[]>>();
  readonly #dropSchemaOnClose: boolean;
  #closing: Promise<void> | undefined;

  constructor(
    readonly driver: SqlDriver,
    readonly schema: string,
    tables: IntrospectedTable[],
    dropSchemaOnClose: boolean,
  ) {
    this.#tables = tables;
    this.#dropSchemaOnClose = dropSchemaOnClose;
  }

  tables(): TableInfo[] {
    return [...this.#tables];
  }

  table(name: string): TableInfo | undefined {
    const lower = name.toLowerCase();
    return this.#tables.find((t) => t.name.toLowerCase() === lower);
  }

  asUser<T>(user: ActingUser, fn: (q: Queryable) => Promise<T>): Promise<T> {
    if (!isSandboxDbRole(user.dbRole)) {
      return Promise.reject(new TypeError(`Unknown sandbox database role: ${JSON.stringify(user.dbRole)}`));
    }
    return this.driver.transaction(async (q) => {
      await q.query(SET_USER_SQL, [
        user.dbRole,
        user.userId === null ? "" : String(user.userId),
        user.email ?? "",
        user.team ?? "",
        `${quoteIdent(this.schema)}, pg_catalog`,
      ]);
      return fn(withActingContext(q, { dbRole: user.dbRole, readableColumns: (table) => this.#readableOf(user.dbRole, table, q) }));
    });
  }

  readableColumns(dbRole: string, table: string): Promise<string[]> {
    const info = this.table(table);
    if (!info) return Promise.resolve([]);
    return this.#readableOf(dbRole, info, this.driver);
  }

  /** `via` runs the catalog query: inside `asUser` the transaction itself (PGlite has one connection). */
  #readableOf(dbRole: string, table: TableInfo, via: Queryable): Promise<string[]> {
    if (!isSandboxDbRole(dbRole)) return Promise.reject(new TypeError(`Unknown sandbox database role: ${JSON.stringify(dbRole)}`));
    const relation = relationNames(table).read;
    const key = `${dbRole}\u0000${relation}`;
    let cached = this.#readable.get(key);
    if (!cached) {
      cached = via.query<{ name: string }>(READABLE_SQL, [dbRole, relation]).then(({ rows }) => {
        const names = new Set(rows.map((r) => r.name));
        return table.columns.filter((c) => names.has(c.name)).map((c) => c.name);
      });
      cached.catch(() => this.#readable.delete(key));
      this.#readable.set(key, cached);
    }
    return cached.then((names) => [...names]);
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      try {
        if (this.#dropSchemaOnClose) await this.driver.exec(`DROP SCHEMA IF EXISTS ${quoteIdent(this.schema)} CASCADE`);
      } finally {
        await this.driver.close();
      }
    })();
    return this.#closing;
  }
}

/**
 * Opens the sandbox database: PGlite in memory (default) or a Postgres server (`url`), creates the sandbox
 * roles (idempotently; they are cluster-wide), the demo schema with its grants, masking view and row-level
 * security, optionally seeds it deterministically, and introspects the tables.
 * @example
 * const db = await openDatabase({ seed: "demo" });
 * const open = await db.asUser({ dbRole: "dfsb_sales_rep", userId: 1, email: "alice@example.com", team: "sales" },
 *   (q) => q.query("SELECT count(*) AS n FROM orders WHERE sales_rep_id = 1 AND status = 'open'"));
 * await db.close();
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<SandboxDatabase> {
  const server = typeof options.url === "string" && options.url.length > 0;
  const schema = options.schema ?? (server ? `dfsb_${randomBytes(6).toString("hex")}` : "dfsb");
  if (!SCHEMA_NAME.test(schema)) throw new TypeError("openDatabase: schema must match /^[a-z_][a-z0-9_]{0,50}$/");
  if (server) return openOnServer(options.url as string, schema, options);

  const cacheKey =
    options.cache === false
      ? null
      : PgliteSnapshotCache.key([
          "pglite-snapshot-v1",
          createRolesSql(),
          demoSchemaSql(schema),
          demoIndexesSql(schema),
          options.seed === "demo" ? demoSeedFingerprint(options.scale) : "no seed",
        ]);
  const snapshot = cacheKey ? await pgliteSnapshots.get(cacheKey) : null;
  if (cacheKey && snapshot) {
    const restored = await restoreSnapshot(snapshot, schema);
    if (restored) return restored;
    pgliteSnapshots.forget(cacheKey);
  }
  const driver = await createPgliteDriver();
  try {
    await buildDatabase(driver, schema, options);
    if (cacheKey) await pgliteSnapshots.set(cacheKey, await driver.dumpDataDir());
    return new Database(driver, schema, await introspectTables(driver, schema, DEMO_READ_RELATIONS), false);
  } catch (error) {
    await driver.close().catch(() => undefined);
    throw error;
  }
}

/** Roles, schema, seed, indexes. `progress.schemaCreated` tells a failing caller whether the schema is its own. */
async function buildDatabase(
  driver: SqlDriver,
  schema: string,
  options: OpenDatabaseOptions,
  progress: { schemaCreated: boolean } = { schemaCreated: false },
): Promise<void> {
  await driver.exec(createRolesSql());
  await driver.exec(demoSchemaSql(schema));
  progress.schemaCreated = true;
  if (options.seed === "demo") await seedDemoData(driver, schema, options.scale);
  await driver.exec(`${demoIndexesSql(schema)}\nANALYZE ${quoteIdent(schema)}.customers; ANALYZE ${quoteIdent(schema)}.orders;`);
}

/** A database loaded from a snapshot, or null when the snapshot is unusable (then it is rebuilt). */
async function restoreSnapshot(snapshot: Blob, schema: string): Promise<SandboxDatabase | null> {
  let driver: SqlDriver | undefined;
  try {
    driver = await createPgliteDriver({ loadDataDir: snapshot });
    const tables = await introspectTables(driver, schema, DEMO_READ_RELATIONS);
    if (tables.length === 0) throw new Error("empty snapshot");
    return new Database(driver, schema, tables, false);
  } catch {
    await driver?.close().catch(() => undefined);
    return null;
  }
}

async function openOnServer(url: string, schema: string, options: OpenDatabaseOptions): Promise<SandboxDatabase> {
  const driver = await createPostgresDriver(url);
  const progress = { schemaCreated: false };
  try {
    const { rows } = await driver.query<{ superuser: boolean }>(
      "SELECT rolsuper AS superuser FROM pg_roles WHERE rolname = current_user",
    );
    if (!rows[0]?.superuser) throw new Error("openDatabase: the Postgres connection user must be a superuser");
    await buildDatabase(driver, schema, options, progress);
    return new Database(driver, schema, await introspectTables(driver, schema, DEMO_READ_RELATIONS), true);
  } catch (error) {
    if (progress.schemaCreated) await driver.exec(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`).catch(() => undefined);
    await driver.close().catch(() => undefined);
    throw error;
  }
}
