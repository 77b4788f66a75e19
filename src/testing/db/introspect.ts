import { registerTableRelations } from "./table-relations.js";
import type { ColumnInfo, Queryable, RelatedInfo, TableInfo } from "./types.js";
import { labelOf } from "./label-of.js";

/** A column as introspected, with the foreign-key actions DreamFactory's `_schema` shows. */
export interface IntrospectedColumn extends ColumnInfo {
  refOnUpdate: string | null;
  refOnDelete: string | null;
}

/** A primary-key, unique or foreign-key constraint of a table (DreamFactory's `constraints`). */
export interface ConstraintInfo {
  name: string;
  type: "primary key" | "unique" | "foreign key";
  columns: string[];
  refTable: string | null;
  refColumns: string[] | null;
  onUpdate: string | null;
  onDelete: string | null;
}

/** A table as introspected: {@link TableInfo} plus its constraints. */
export interface IntrospectedTable extends TableInfo {
  columns: IntrospectedColumn[];
  constraints: ConstraintInfo[];
}

interface ColumnRow {
  table_name: string;
  column_name: string;
  type_name: string;
  db_type: string;
  typmod: number;
  not_null: boolean;
  identity: string;
  default_expr: string | null;
}

interface ConstraintRow {
  table_name: string;
  name: string;
  type: "p" | "u" | "f";
  columns: string[];
  ref_table: string | null;
  ref_columns: string[] | null;
  on_update: string | null;
  on_delete: string | null;
}

const FK_ACTIONS: Record<string, string> = { a: "NO ACTION", r: "RESTRICT", c: "CASCADE", n: "SET NULL", d: "SET DEFAULT" };

const COLUMNS_SQL = `
SELECT c.relname AS table_name, a.attname AS column_name, t.typname AS type_name,
  format_type(a.atttypid, a.atttypmod) AS db_type, a.atttypmod AS typmod, a.attnotnull AS not_null,
  a.attidentity::text AS identity, pg_get_expr(d.adbin, d.adrelid) AS default_expr
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')
ORDER BY c.relname, a.attnum`;

const CONSTRAINTS_SQL = `
SELECT c.relname AS table_name, con.conname AS name, con.contype::text AS type,
  (SELECT json_agg(a.attname ORDER BY k.ord) FROM unnest(con.conkey) WITH ORDINALITY AS k(num, ord)
     JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num) AS columns,
  f.relname AS ref_table,
  (SELECT json_agg(a.attname ORDER BY k.ord) FROM unnest(con.confkey) WITH ORDINALITY AS k(num, ord)
     JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num) AS ref_columns,
  CASE WHEN con.contype = 'f' THEN con.confupdtype::text END AS on_update,
  CASE WHEN con.contype = 'f' THEN con.confdeltype::text END AS on_delete
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class f ON f.oid = con.confrelid
WHERE n.nspname = $1 AND con.contype IN ('p', 'u', 'f') AND c.relkind IN ('r', 'p')
ORDER BY c.relname, con.conname`;

/** DreamFactory's abstract type for a Postgres type name (before the id/reference promotion). */
function abstractType(typeName: string): string {
  switch (typeName) {
    case "int2":
      return "smallint";
    case "int4":
      return "integer";
    case "int8":
      return "bigint";
    case "numeric":
      return "decimal";
    case "float4":
      return "float";
    case "float8":
      return "double";
    case "money":
      return "money";
    case "bool":
      return "boolean";
    case "varchar":
    case "bpchar":
    case "char":
    case "name":
      return "string";
    case "text":
      return "text";
    case "date":
      return "date";
    case "time":
      return "time";
    case "timetz":
      return "timetz";
    case "timestamp":
      return "timestamp";
    case "timestamptz":
      return "timestamptz";
    case "json":
      return "json";
    case "jsonb":
      return "jsonb";
    case "uuid":
      return "uuid";
    case "bytea":
      return "binary";
    default:
      return typeName.startsWith("_") ? "array" : "string";
  }
}

/** Literal defaults become JSON values; expressions (e.g. `LOCALTIMESTAMP(0)`) stay as their SQL text. */
function parseDefault(expr: string | null): string | number | boolean | null {
  if (expr === null) return null;
  const quoted = /^'((?:[^']|'')*)'(?:::[\w\s"().]+)?$/.exec(expr);
  if (quoted) return (quoted[1] as string).replaceAll("''", "'");
  if (expr === "true" || expr === "false") return expr === "true";
  if (/^-?\d+(\.\d+)?$/.test(expr)) return Number(expr);
  const numericCast = /^\(?(-?\d+(?:\.\d+)?)\)?::(numeric|integer|bigint|smallint|double precision|real)$/.exec(expr);
  if (numericCast) return Number(numericCast[1]);
  return expr;
}

function sizeOf(typeName: string, typmod: number): Pick<ColumnInfo, "length" | "precision" | "scale"> {
  if ((typeName === "varchar" || typeName === "bpchar") && typmod > 4) {
    return { length: typmod - 4, precision: null, scale: null };
  }
  if (typeName === "numeric" && typmod > 4) {
    const value = typmod - 4;
    return { length: null, precision: (value >> 16) & 0xffff, scale: value & 0xffff };
  }
  return { length: null, precision: null, scale: null };
}

function pluralOf(label: string): string {
  if (/s$/i.test(label)) return label;
  if (/[^aeiou]y$/i.test(label)) return `${label.slice(0, -1)}ies`;
  return `${label}s`;
}

/**
 * Reads every base table of `schema` from the Postgres catalog and describes it the way DreamFactory does
 * (reference §10.7): a single-column auto-increment integer primary key is type `id`, a single-column integer
 * foreign key is type `reference`, relations are named `{ref_table}_by_{field}` (belongs_to) and
 * `{child_table}_by_{child_field}` (has_many). Views are not listed. Tables come back sorted by name.
 * Each returned table is registered so records.ts can address it (schema-qualified) without taking the schema
 * as a parameter; `readRelations` maps a table to the relation its reads go through (e.g. a masking view).
 */
export async function introspectTables(
  q: Queryable,
  schema: string,
  readRelations: Readonly<Record<string, string>> = {},
): Promise<IntrospectedTable[]> {
  const [columnsResult, constraintsResult] = [
    await q.query<ColumnRow>(COLUMNS_SQL, [schema]),
    await q.query<ConstraintRow>(CONSTRAINTS_SQL, [schema]),
  ];
  const byTable = new Map<string, ColumnRow[]>();
  for (const row of columnsResult.rows) {
    const list = byTable.get(row.table_name) ?? [];
    list.push(row);
    byTable.set(row.table_name, list);
  }
  const constraints = constraintsResult.rows.map((row) => ({
    table: row.table_name,
    info: {
      name: row.name,
      type: row.type === "p" ? "primary key" : row.type === "u" ? "unique" : "foreign key",
      columns: row.columns,
      refTable: row.ref_table,
      refColumns: row.ref_columns,
      onUpdate: row.on_update ? (FK_ACTIONS[row.on_update] ?? null) : null,
      onDelete: row.on_delete ? (FK_ACTIONS[row.on_delete] ?? null) : null,
    } satisfies ConstraintInfo,
  }));

  const tables: IntrospectedTable[] = [];
  for (const [name, rows] of [...byTable.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const own = constraints.filter((c) => c.table === name).map((c) => c.info);
    const primaryKey = own.find((c) => c.type === "primary key")?.columns ?? [];
    const uniques = new Set(own.filter((c) => c.type === "unique" && c.columns.length === 1).map((c) => c.columns[0]));
    const foreign = new Map(
      own.filter((c) => c.type === "foreign key" && c.columns.length === 1).map((c) => [c.columns[0] as string, c]),
    );
    const columns: IntrospectedColumn[] = rows.map((row) => {
      const autoIncrement = row.identity === "a" || row.identity === "d" || /^nextval\(/.test(row.default_expr ?? "");
      const isPrimaryKey = primaryKey.includes(row.column_name);
      const fk = foreign.get(row.column_name);
      const integer = ["int2", "int4", "int8"].includes(row.type_name);
      let type = abstractType(row.type_name);
      if (isPrimaryKey && primaryKey.length === 1 && autoIncrement && integer) type = row.type_name === "int8" ? "bigid" : "id";
      else if (fk && integer) type = "reference";
      const defaultValue = autoIncrement ? null : parseDefault(row.default_expr);
      const allowNull = !row.not_null;
      return {
        name: row.column_name,
        dbType: row.db_type,
        type,
        allowNull,
        defaultValue,
        autoIncrement,
        isPrimaryKey,
        isUnique: isPrimaryKey || uniques.has(row.column_name),
        isForeignKey: fk !== undefined,
        refTable: fk?.refTable ?? null,
        refField: fk?.refColumns?.[0] ?? null,
        refOnUpdate: fk?.onUpdate ?? null,
        refOnDelete: fk?.onDelete ?? null,
        ...sizeOf(row.type_name, row.typmod),
        required: !allowNull && row.default_expr === null && !autoIncrement,
      };
    });
    const related: RelatedInfo[] = [];
    for (const c of own) {
      if (c.type !== "foreign key" || c.columns.length !== 1 || !c.refTable || !c.refColumns) continue;
      const field = c.columns[0] as string;
      related.push({ name: `${c.refTable}_by_${field}`, type: "belongs_to", field, refTable: c.refTable, refField: c.refColumns[0] as string });
    }
    for (const c of constraints) {
      const info = c.info;
      if (info.type !== "foreign key" || info.refTable !== name || info.columns.length !== 1 || !info.refColumns) continue;
      const childField = info.columns[0] as string;
      related.push({ name: `${c.table}_by_${childField}`, type: "has_many", field: info.refColumns[0] as string, refTable: c.table, refField: childField });
    }
    related.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const label = labelOf(name);
    const table: IntrospectedTable = { name, label, plural: pluralOf(label), primaryKey, columns, related, constraints: own };
    registerTableRelations(table, { schema, read: readRelations[name] ?? name, write: name });
    tables.push(table);
  }
  return tables;
}
