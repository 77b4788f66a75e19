/**
 * Contract between the sandbox's database layer (src/testing/db/*, src/testing/filter/*) and its
 * HTTP layer (src/testing/http/*, auth/*, rbac/*). Nothing outside src/testing imports this.
 */

/** Who a request runs as inside the database: sets the Postgres role and the settings RLS reads. */
export interface ActingUser {
  /** Postgres role for `SET LOCAL ROLE` (e.g. "dfsb_sales_rep"); see demo-directory.ts. */
  dbRole: string;
  /** `app.user_id` setting ("" when null). */
  userId: number | null;
  /** `app.user_email` setting ("" when null). */
  email: string | null;
  /** `app.user_team` setting ("" when null). */
  team: string | null;
}

export interface QueryResult<R> {
  rows: R[];
  /** Rows affected (INSERT/UPDATE/DELETE) or returned. */
  rowCount: number;
}

export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<R>>;
}

/** PGlite or a real Postgres server behind one interface. */
export interface SqlDriver extends Queryable {
  readonly kind: "pglite" | "postgres";
  /** Runs several statements without parameters (DDL, seed). */
  exec(sql: string): Promise<void>;
  /** BEGIN … COMMIT around `fn`; ROLLBACK when it throws (the error is rethrown). */
  transaction<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** DreamFactory's field description (reference §10.7), computed from the database catalog. */
export interface ColumnInfo {
  name: string;
  /** Native type, e.g. "integer", "character varying(120)". */
  dbType: string;
  /** DreamFactory abstract type: id, reference, integer, string, text, boolean, decimal, timestamp, date, … */
  type: string;
  allowNull: boolean;
  defaultValue: string | number | boolean | null;
  autoIncrement: boolean;
  isPrimaryKey: boolean;
  isUnique: boolean;
  isForeignKey: boolean;
  refTable: string | null;
  refField: string | null;
  length: number | null;
  precision: number | null;
  scale: number | null;
  /** Not nullable, no default, not auto-increment. */
  required: boolean;
}

export interface RelatedInfo {
  name: string; // e.g. "customers_by_customer_id"
  type: "belongs_to" | "has_many";
  field: string;
  refTable: string;
  refField: string;
}

export interface TableInfo {
  /** API name, lower-case, e.g. "orders". */
  name: string;
  label: string;
  plural: string;
  primaryKey: string[];
  columns: ColumnInfo[];
  related: RelatedInfo[];
}

/** A parameterised SQL piece. Placeholders are `$1…$n` numbered from 1 within `sql`; combine with renumbering helpers. */
export interface SqlFragment {
  sql: string;
  params: unknown[];
}
