import { quoteIdent } from "./sql-fragment.js";
import type { TableInfo } from "./types.js";

/** Where a table lives and which relation its reads and writes use (internal to the database layer). */
export interface TableRelations {
  schema: string;
  /** Relation SELECTs use (the table itself, or a masking view). */
  read: string;
  /** Relation INSERT/UPDATE/DELETE use (always the base table). */
  write: string;
}

const registry = new WeakMap<TableInfo, TableRelations>();

/** Records where `table` lives; called by introspection for every table it returns. */
export function registerTableRelations(table: TableInfo, relations: TableRelations): void {
  registry.set(table, relations);
}

/**
 * Schema-qualified, quoted names of the read and write relations of `table`. A TableInfo that introspection did
 * not produce (e.g. hand-built in a test) falls back to its bare name, resolved through the search_path that
 * `asUser` sets.
 */
export function relationNames(table: TableInfo): { read: string; write: string } {
  const found = registry.get(table);
  if (!found) return { read: quoteIdent(table.name), write: quoteIdent(table.name) };
  const schema = quoteIdent(found.schema);
  return { read: `${schema}.${quoteIdent(found.read)}`, write: `${schema}.${quoteIdent(found.write)}` };
}

/** The registered relations of `table`, if any. */
export function tableRelationsOf(table: TableInfo): TableRelations | undefined {
  return registry.get(table);
}
