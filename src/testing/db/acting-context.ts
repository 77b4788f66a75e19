import type { Queryable, TableInfo } from "./types.js";

const ACTING = Symbol.for("langchain-dreamfactory.sandbox.acting");

/** What a Queryable handed out by `asUser` knows about its user (internal to the database layer). */
export interface ActingContext {
  /** Postgres role of the transaction (`SET LOCAL ROLE`). */
  dbRole: string;
  /** Columns of `table` this role may SELECT through the table's read relation (cached). */
  readableColumns(table: TableInfo): Promise<string[]>;
}

/** Returns a Queryable that forwards to `q` and carries `context`. */
export function withActingContext(q: Queryable, context: ActingContext): Queryable {
  const wrapped: Queryable & { [ACTING]: ActingContext } = {
    query: (sql, params) => q.query(sql, params),
    [ACTING]: context,
  };
  return wrapped;
}

/** The context attached by {@link withActingContext}, if any. */
export function actingContextOf(q: Queryable): ActingContext | undefined {
  return (q as Partial<Record<typeof ACTING, ActingContext>>)[ACTING];
}
