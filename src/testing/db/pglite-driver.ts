import { PGlite } from "@electric-sql/pglite";
import { AsyncMutex } from "./async-mutex.js";
import type { Queryable, QueryResult, SqlDriver } from "./types.js";
import { TEXT_RESULT_TYPE_OIDS } from "./value-types.js";

/** Options for {@link createPgliteDriver}. */
export interface PgliteDriverOptions {
  /** Directory for a persistent database; absent = in memory (initdb on every start, ≈2.5 s). */
  dataDir?: string;
  /** Start from a data-directory tarball made by {@link PgliteDriver.dumpDataDir} (no initdb, ≈0.6 s). */
  loadDataDir?: Blob;
}

const identity = (text: string): string => text;

/**
 * {@link SqlDriver} over an embedded PGlite (Postgres 18 compiled to WebAssembly).
 *
 * PGlite has one connection, so every `query`, `exec` and `transaction` is serialised through one mutex:
 * a transaction never interleaves with another caller's statements. Inside `transaction(fn)` use only the
 * `Queryable` passed to `fn` — calling the driver itself from there would wait for the transaction to end
 * (deadlock). Value types: see value-types.ts (same as the Postgres driver).
 */
export class PgliteDriver implements SqlDriver {
  readonly kind = "pglite" as const;
  readonly #db: PGlite;
  readonly #lock = new AsyncMutex();
  #closed = false;

  /** Wraps an open PGlite instance; prefer {@link createPgliteDriver}. */
  constructor(db: PGlite) {
    this.#db = db;
  }

  /** Runs one parameterised statement. */
  query<R = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<QueryResult<R>> {
    return this.#lock.run(() => this.#query<R>(sql, params));
  }

  /** Runs several statements without parameters (DDL, seed). */
  exec(sql: string): Promise<void> {
    return this.#lock.run(async () => {
      await this.#db.exec(sql);
    });
  }

  /** BEGIN … COMMIT around `fn`; ROLLBACK and rethrow when it throws. */
  transaction<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    return this.#lock.run(async () => {
      await this.#db.exec("BEGIN");
      const tx: Queryable = { query: (sql, params) => this.#query(sql, params ?? []) };
      try {
        const result = await fn(tx);
        await this.#db.exec("COMMIT");
        return result;
      } catch (error) {
        await this.#db.exec("ROLLBACK").catch(() => undefined);
        throw error;
      }
    });
  }

  /** Tarball of the whole data directory (uncompressed), for a later `loadDataDir`. */
  dumpDataDir(): Promise<Blob> {
    return this.#lock.run(() => this.#db.dumpDataDir("none"));
  }

  /** Closes the embedded database (idempotent). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#lock.run(() => this.#db.close());
  }

  async #query<R>(sql: string, params: unknown[]): Promise<QueryResult<R>> {
    const result = await this.#db.query<R>(sql, params);
    return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
  }
}

/**
 * Starts an embedded PGlite and wraps it as a {@link SqlDriver}.
 * @param options - where to keep the data; in memory by default.
 * @example
 * const driver = await createPgliteDriver();
 * const { rows } = await driver.query("SELECT 1 AS one");
 * await driver.close();
 */
export async function createPgliteDriver(options: PgliteDriverOptions = {}): Promise<PgliteDriver> {
  const parsers = Object.fromEntries(TEXT_RESULT_TYPE_OIDS.map((oid) => [oid, identity]));
  const db = await PGlite.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    parsers,
  });
  return new PgliteDriver(db);
}
