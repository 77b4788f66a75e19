import type { IntrospectedColumn, IntrospectedTable } from "./introspect.js";
import type { ColumnInfo, RelatedInfo, TableInfo } from "./types.js";
import { labelOf } from "./label-of.js";

function describeField(column: ColumnInfo): Record<string, unknown> {
  const introspected = column as Partial<IntrospectedColumn>;
  return {
    alias: null,
    name: column.name,
    label: labelOf(column.name),
    description: null,
    native: [],
    type: column.type,
    db_type: column.dbType,
    length: column.length,
    precision: column.precision,
    scale: column.scale,
    default: column.defaultValue,
    required: column.required,
    allow_null: column.allowNull,
    fixed_length: /^character\(/.test(column.dbType),
    supports_multibyte: column.type === "string" || column.type === "text",
    auto_increment: column.autoIncrement,
    is_primary_key: column.isPrimaryKey,
    is_unique: column.isUnique,
    is_index: column.isPrimaryKey || column.isUnique || column.isForeignKey,
    is_foreign_key: column.isForeignKey,
    ref_table: column.refTable,
    ref_field: column.refField,
    ref_on_update: introspected.refOnUpdate ?? null,
    ref_on_delete: introspected.refOnDelete ?? null,
    picklist: null,
    validation: null,
    db_function: null,
    is_virtual: false,
    is_aggregate: false,
  };
}

function describeRelated(relation: RelatedInfo): Record<string, unknown> {
  return {
    alias: null,
    name: relation.name,
    label: labelOf(relation.name),
    description: null,
    native: [],
    type: relation.type,
    field: relation.field,
    is_virtual: false,
    ref_service_id: null,
    ref_table: relation.refTable,
    ref_field: relation.refField,
    ref_on_update: null,
    ref_on_delete: null,
    junction_service_id: null,
    junction_table: null,
    junction_field: null,
    junction_ref_field: null,
    always_fetch: false,
    flatten: false,
    flatten_drop_prefix: false,
  };
}

function describeConstraints(table: TableInfo): Record<string, unknown> {
  const constraints = (table as Partial<IntrospectedTable>).constraints ?? [];
  const out: Record<string, unknown> = {};
  for (const c of constraints) {
    out[c.name.toLowerCase()] = {
      name: c.name,
      constraint_type: c.type.toUpperCase(),
      table_name: table.name,
      column_name: c.columns,
      ...(c.type === "foreign key"
        ? { referenced_table_name: c.refTable, referenced_column_name: c.refColumns, update_rule: c.onUpdate, delete_rule: c.onDelete }
        : {}),
    };
  }
  return out;
}

/**
 * DreamFactory's `GET /_schema/{table}` body for `table` (reference §10.7): `alias, name, label, description,
 * native, plural, is_view, primary_key, name_field, field[], related[], constraints, access`. `access` is the
 * caller's verb mask for the table (the HTTP layer computes it from the role). `name_field` is `name` or
 * `title` when the table has such a column, else null.
 * @param access - verb mask integer (GET=1, POST=2, PUT=4, PATCH=8, DELETE=16), or the caller's verb list.
 */
export function describeTable(table: TableInfo, access: number | readonly string[]): Record<string, unknown> {
  const nameField = table.columns.find((c) => c.name === "name") ?? table.columns.find((c) => c.name === "title");
  return {
    alias: null,
    name: table.name,
    label: table.label,
    description: null,
    native: [],
    plural: table.plural,
    is_view: false,
    primary_key: [...table.primaryKey],
    name_field: nameField?.name ?? null,
    field: table.columns.map(describeField),
    related: table.related.map(describeRelated),
    constraints: describeConstraints(table),
    access: typeof access === "number" ? access : [...access],
  };
}
