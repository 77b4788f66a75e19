import { z } from "zod";
import { parseFilter, whereToFilterAst, WHERE_OPERATORS, type FilterAst, type Where } from "../filter/index.js";

const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** One typed condition, as the model writes it. */
export const whereConditionSchema = z.object({
  field: z.string().describe('Column name exactly as dreamfactory_describe_table lists it, e.g. "status".'),
  op: z
    .enum(WHERE_OPERATORS)
    .describe(
      'Comparison: "=", "!=", ">", ">=", "<", "<=", "like" / "not_like" (pattern with % and _), "contains", ' +
        '"starts_with", "ends_with" (plain text), "in" / "not_in" (list), "is_null" / "is_not_null" (no value).',
    ),
  value: z
    .union([scalar, z.array(scalar)])
    .optional()
    .describe('Value to compare with: text, number or boolean; a list for "in"/"not_in"; omit for "is_null"/"is_not_null". E.g. "open", 100, [1, 2].'),
});

/** `where`: conditions joined by AND; an item `{ or: [...] }` holds alternatives. */
export const whereSchema = z
  .array(
    z.union([
      whereConditionSchema,
      z.object({
        or: z.array(whereConditionSchema).min(2).max(20).describe("Alternatives: at least one must hold."),
      }),
    ]),
  )
  .max(20)
  .optional()
  .describe(
    'Typed conditions, all of which must hold (AND). Prefer this over "filter". ' +
      'E.g. [{"field":"status","op":"=","value":"open"},{"or":[{"field":"total","op":">","value":1000},{"field":"priority","op":"=","value":true}]}].',
  );

/** `filter`: a raw DreamFactory filter string, accepted only when this package's parser reads it unambiguously. */
export const filterSchema = z
  .string()
  .max(4000)
  .optional()
  .describe(
    "Optional raw DreamFactory filter, only when where cannot express it. Each condition in parentheses, joined by AND or OR: " +
      "(status = 'open') AND ((total > 100) OR (country IN ('DE','FR'))). No NOT, BETWEEN, {lookups} or related-table columns.",
  );

/**
 * Combines the model's typed `where` and raw `filter` into one validated tree (`(where) AND (filter)`).
 * @param where - typed conditions
 * @param filter - raw filter
 * @returns the tree, or `undefined` when there is no condition
 * @throws DreamFactoryError `invalid_input`
 */
export function combineConditions(where: Where | undefined, filter: string | undefined): FilterAst | undefined {
  const typed = where === undefined ? undefined : whereToFilterAst(where);
  const raw = filter === undefined || filter.trim() === "" ? undefined : parseFilter(filter);
  if (typed === undefined) return raw;
  if (raw === undefined) return typed;
  const flat = (ast: FilterAst): FilterAst[] => (ast.type === "and" ? ast.conditions : [ast]);
  return { type: "and", conditions: [...flat(typed), ...flat(raw)] };
}
