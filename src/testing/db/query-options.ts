import { SandboxHttpError } from "../errors.js";
import type { ColumnInfo, TableInfo } from "./types.js";

/** An aggregate expression of `fields` (only with `group`), e.g. `SUM(total)` returned as `SUM_total`. */
export interface AggregateField {
  fn: "COUNT" | "SUM" | "AVG" | "MIN" | "MAX";
  /** Catalog column name, or null for `COUNT(*)`. */
  column: string | null;
  /** Output key: `COUNT_ALL`, `SUM_total`, … (reference §3). */
  alias: string;
}

/** Parsed `fields`: `"*"` (every column the acting role may read) or catalog column names, plus aggregates. */
export interface ParsedFields {
  fields: "*" | string[];
  aggregates: AggregateField[];
}

/** One `order` term. `field` is a catalog column name or an aggregate alias. */
export interface OrderTerm {
  field: string;
  direction: "ASC" | "DESC";
  nulls: "FIRST" | "LAST" | null;
}

const AGGREGATE = /^(COUNT|SUM|AVG|MIN|MAX)\s*\(\s*([^()]*?)\s*\)$/i;

/** The column of `table` named `name`, case-insensitively (exact match preferred). */
export function findColumn(table: TableInfo, name: string): ColumnInfo | undefined {
  return table.columns.find((c) => c.name === name) ?? table.columns.find((c) => c.name.toLowerCase() === name.toLowerCase());
}

function splitList(text: string): string[] {
  return text
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

/**
 * Parses DreamFactory's `fields` option (alias `select`) against `table`.
 * Absent, empty or `*` → `"*"`. Otherwise a comma list of columns (case-insensitive, returned with their
 * catalog names, duplicates dropped). Aggregates `COUNT(*)`, `COUNT(col)`, `SUM(col)`, `AVG(col)`, `MIN(col)`,
 * `MAX(col)` are accepted only when `group` is non-empty and come back under the aliases `COUNT_ALL`,
 * `SUM_col`, … Anything else → 400 "Invalid field requested: {f}".
 * @param group - the parsed `group` option (see {@link parseGroup}); null/empty = no grouping.
 * @example parseFields("id,total", ordersTable) // { fields: ["id", "total"], aggregates: [] }
 */
export function parseFields(text: string | undefined, table: TableInfo, group: readonly string[] | null = null): ParsedFields {
  const trimmed = text?.trim() ?? "";
  if (trimmed === "" || trimmed === "*") return { fields: "*", aggregates: [] };
  const fields: string[] = [];
  const aggregates: AggregateField[] = [];
  const grouped = group !== null && group.length > 0;
  for (const part of splitList(trimmed)) {
    const aggregate = AGGREGATE.exec(part);
    if (aggregate) {
      if (!grouped) throw new SandboxHttpError(400, `Invalid field requested: ${part}`);
      const fn = (aggregate[1] as string).toUpperCase() as AggregateField["fn"];
      const argument = aggregate[2] as string;
      let column: string | null = null;
      if (argument === "*") {
        if (fn !== "COUNT") throw new SandboxHttpError(400, `Invalid field requested: ${part}`);
      } else {
        const found = findColumn(table, argument);
        if (!found) throw new SandboxHttpError(400, `Invalid field requested: ${part}`);
        column = found.name;
      }
      const alias = `${fn}_${column ?? "ALL"}`;
      if (!aggregates.some((a) => a.alias === alias)) aggregates.push({ fn, column, alias });
      continue;
    }
    const found = findColumn(table, part);
    if (!found) throw new SandboxHttpError(400, `Invalid field requested: ${part}`);
    if (!fields.includes(found.name)) fields.push(found.name);
  }
  return { fields, aggregates };
}

/**
 * Parses DreamFactory's `order` option (aliases `sort`, `order_by`): comma-separated
 * `field [asc|desc] [nulls first|last]`; the direction is case-insensitive and anything but `desc` means
 * ascending. A `;` anywhere → 400 "Invalid order by clause in request."; an unknown field → 400
 * "Invalid field '{f}' in order by clause.". With grouping, a term may name an aggregate by its alias
 * (`COUNT_ALL`) or its expression (`COUNT(*)`).
 * @example parseOrder("total desc, id", ordersTable)
 */
export function parseOrder(text: string | undefined, table: TableInfo, aggregates: readonly AggregateField[] = []): OrderTerm[] {
  const trimmed = text?.trim() ?? "";
  if (trimmed === "") return [];
  if (trimmed.includes(";")) throw new SandboxHttpError(400, "Invalid order by clause in request.");
  const terms: OrderTerm[] = [];
  for (const part of splitList(trimmed)) {
    const aggregate = /^((?:COUNT|SUM|AVG|MIN|MAX)\s*\([^()]*\))\s*(.*)$/i.exec(part);
    const name = aggregate ? (aggregate[1] as string) : (part.split(/\s+/)[0] as string);
    const rest = aggregate ? (aggregate[2] as string) : part.slice(name.length);
    const words = rest.trim().split(/\s+/).filter(Boolean).map((w) => w.toUpperCase());
    let field = findColumn(table, name)?.name;
    if (!field) {
      const normalised = name.replace(/\s+/g, "").toUpperCase();
      field = aggregates.find(
        (a) => a.alias.toUpperCase() === name.toUpperCase() || `${a.fn}(${(a.column ?? "*").toUpperCase()})` === normalised,
      )?.alias;
    }
    if (!field) throw new SandboxHttpError(400, `Invalid field '${name}' in order by clause.`);
    const nullsAt = words.indexOf("NULLS");
    const nullsWord = nullsAt >= 0 ? words[nullsAt + 1] : undefined;
    terms.push({
      field,
      direction: words[0] === "DESC" ? "DESC" : "ASC",
      nulls: nullsWord === "FIRST" || nullsWord === "LAST" ? nullsWord : null,
    });
  }
  return terms;
}

/**
 * Parses DreamFactory's `group` option (alias `group_by`): a comma list of columns → catalog names, or null
 * when absent/empty. Unknown → 400 "Invalid or unknown field '{f}' in group by clause.".
 */
export function parseGroup(text: string | undefined, table: TableInfo): string[] | null {
  const trimmed = text?.trim() ?? "";
  if (trimmed === "") return null;
  const group: string[] = [];
  for (const part of splitList(trimmed)) {
    const found = findColumn(table, part);
    if (!found) throw new SandboxHttpError(400, `Invalid or unknown field '${part}' in group by clause.`);
    if (!group.includes(found.name)) group.push(found.name);
  }
  return group.length > 0 ? group : null;
}
