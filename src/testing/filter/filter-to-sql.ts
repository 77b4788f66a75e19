import { quoteIdent } from "../db/sql-fragment.js";
import type { SqlFragment, TableInfo } from "../db/types.js";
import type { FilterNode } from "./filter-node.js";
import { parseFilter } from "./parse-filter.js";
import { resolveComparison } from "./resolve-comparison.js";

/**
 * Compiles a parsed filter into a parameterised WHERE fragment for `table`: column names are quoted from the
 * catalog (never taken from the filter text), every value is a bound parameter `$n` numbered from
 * `firstParamIndex`, and each operand of AND/OR/NOT is parenthesised. LIKE is case-sensitive (Postgres
 * semantics, `\` escapes). Throws SandboxHttpError(400) for unknown fields and values that do not fit the
 * column type.
 * @param firstParamIndex - number of the first placeholder. @default 1 (the SqlFragment convention; the
 *   records functions expect 1)
 * @example filterToSql(parseFilter("(status = open) AND (total > 100)"), orders)
 * // { sql: '("status" = $1) AND ("total" > $2)', params: ["open", "100"] }
 */
export function filterToSql(node: FilterNode, table: TableInfo, firstParamIndex = 1): SqlFragment {
  const params: unknown[] = [];
  const bind = (value: unknown): string => {
    params.push(value);
    return `$${firstParamIndex + params.length - 1}`;
  };
  const render = (n: FilterNode): string => {
    switch (n.kind) {
      case "and":
      case "or":
        return n.operands.map((o) => `(${render(o)})`).join(n.kind === "and" ? " AND " : " OR ");
      case "not":
        return `NOT (${render(n.operand)})`;
      default: {
        const c = resolveComparison(n, table);
        const column = quoteIdent(c.column.name);
        if (c.operator === "IS NULL" || c.operator === "IS NOT NULL") return `${column} ${c.operator}`;
        if (c.operator === "IN" || c.operator === "NOT IN") {
          return `${column} ${c.operator} (${(c.values ?? []).map(bind).join(", ")})`;
        }
        return `${column} ${c.operator} ${bind(c.value)}`;
      }
    }
  };
  const sql = render(node);
  return { sql, params };
}

/**
 * Parses and compiles a DreamFactory filter string for `table` in one step (see parseFilter and filterToSql).
 * @example compileFilter("sales_rep_id = 1", orders) // { sql: '"sales_rep_id" = $1', params: ["1"] }
 */
export function compileFilter(text: string, table: TableInfo, firstParamIndex = 1): SqlFragment {
  return filterToSql(parseFilter(text), table, firstParamIndex);
}
