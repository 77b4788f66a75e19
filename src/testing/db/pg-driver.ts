import pg from "pg";
import type { Queryable, QueryResult, SqlDriver } from "./types.js";
import { TEXT_RESULT_TYPE_OIDS } from "./value-types.js";

/** Options for {@link createPostgresDriver}. */
export interface PostgresDriverOptions {
  /** Maximum pooled connections. @default 10 */
  maxConnections?: number;
}

const textOids = new Set(TEXT_RESULT_TYPE_OIDS);

/** Type parsers shared by every pooled client: the types of value-types.ts stay text. */
const typeParsers = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (textOids.has(oid)) return (text: string) => text;
    return format === "binary" ? pg.types.getTypeParser(oid, "binary") : pg.types.getTypeParser(oid, "text");
  },
} as pg.CustomTypesConfig;

/**
 * {@link SqlDriver} over a real Postgres server through a `pg.Pool`. `transaction` checks a client out of
 * the pool for BEGIN/COMMIT/ROLLBACK; plain `query`/`exec` use any pooled connection. Value types match
 * the PGlite driver (value-types.ts).
 */
export class PostgresDriver implements SqlDriver {
  readonly kind = "postgres" as const;
  readonly #pool: pg.Pool;
  #closed = false;

  /** Wraps a pool; prefer {@link createPostgresDriver}. */
  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /** Runs one parameterised statement on a pooled connection. */
  async query<R = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<QueryResult<R>> {
    const result = await this.#pool.query(sql, params);
    return { rows: result.rows as R[], rowCount: result.rowCount ?? result.rows.length };
  }

  /** Runs several statements without parameters (simple protocol). */
  async exec(sql: string): Promise<void> {
    await this.#pool.query(sql);
  }

  /** BEGIN … COMMIT on one pooled client; ROLLBACK and rethrow when `fn` throws. */
  async transaction<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    let broken: Error | undefined;
    try {
      await client.query("BEGIN");
      const tx: Queryable = {
        query: async <R>(sql: string, params?: unknown[]) => {
          const result = await client.query(sql, params ?? []);
          return { rows: result.rows as R[], rowCount: result.rowCount ?? result.rows.length };
        },
      };
      try {
        const value = await fn(tx);
        await client.query("COMMIT");
        return value;
      } catch (error) {
        await client.query("ROLLBACK").catch((rollbackError: Error) => {
          broken = rollbackError;
        });
        throw error;
      }
    } finally {
      client.release(broken);
    }
  }

  /** Ends the pool (idempotent). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }
}

/**
 * Connects to a Postgres server and wraps it as a {@link SqlDriver}. Fails (rejects) when the server cannot
 * be reached; the error message never contains the URL (it may hold a password).
 * @param url - `postgres://user[:password]@host:port/database`.
 * @example
 * const driver = await createPostgresDriver("postgres://postgres@127.0.0.1:5432/postgres");
 * await driver.close();
 */
export async function createPostgresDriver(url: string, options: PostgresDriverOptions = {}): Promise<SqlDriver> {
  const pool = new pg.Pool({ connectionString: url, max: options.maxConnections ?? 10, types: typeParsers });
  pool.on("error", () => undefined); // idle-client errors surface on the next query instead of crashing
  try {
    await pool.query("SELECT 1");
  } catch (error) {
    await pool.end().catch(() => undefined);
    const reason = error instanceof Error && "code" in error ? String((error as { code: unknown }).code) : "unknown";
    throw new Error(`Could not connect to the Postgres server for the sandbox (${reason}).`, { cause: error });
  }
  return new PostgresDriver(pool);
}
