/** Aggregate functions the aggregate tool offers. */
export const AGGREGATE_FUNCTIONS = ["count", "sum", "avg", "min", "max"] as const;

/** One of {@link AGGREGATE_FUNCTIONS}. */
export type AggregateFunction = (typeof AGGREGATE_FUNCTIONS)[number];

/** One aggregate: a function over a column (`field` omitted = `COUNT(*)`). */
export interface AggregateSpec {
  fn: AggregateFunction;
  field?: string;
}

/** DreamFactory's expression for an aggregate, e.g. `COUNT(*)`, `SUM(total)`. */
export function aggregateExpression(spec: AggregateSpec): string {
  return `${spec.fn.toUpperCase()}(${spec.field ?? "*"})`;
}

/** DreamFactory's result alias for an aggregate, e.g. `COUNT_ALL`, `SUM_total`. */
export function aggregateAlias(spec: AggregateSpec): string {
  return `${spec.fn.toUpperCase()}_${spec.field ?? "ALL"}`;
}

interface Accumulator {
  count: number;
  sum: number;
  min: unknown;
  max: unknown;
}

/**
 * Groups rows and computes aggregates locally, with SQL semantics: `COUNT(*)` counts rows, other functions
 * skip nulls, `SUM`/`AVG` of no values are `null`, `MIN`/`MAX` compare numbers numerically and text bytewise.
 *
 * @param rows - rows holding the group columns and the aggregated columns
 * @param groupBy - group columns (none = one group over every row)
 * @param specs - aggregates
 * @returns one row per group: group columns then aliases
 */
export function aggregateRows(
  rows: readonly Record<string, unknown>[],
  groupBy: readonly string[],
  specs: readonly AggregateSpec[],
): Record<string, unknown>[] {
  const groups = new Map<string, { key: Record<string, unknown>; acc: Accumulator[] }>();
  if (groupBy.length === 0) groups.set("[]", { key: {}, acc: specs.map(newAccumulator) });
  for (const row of rows) {
    const keyValues = groupBy.map((g) => row[g] ?? null);
    const id = JSON.stringify(keyValues);
    let group = groups.get(id);
    if (group === undefined) {
      group = { key: Object.fromEntries(groupBy.map((g, i) => [g, keyValues[i]])), acc: specs.map(newAccumulator) };
      groups.set(id, group);
    }
    const { acc } = group;
    specs.forEach((spec, i) => accumulate(acc[i] as Accumulator, spec, row));
  }
  return [...groups.values()].map(({ key, acc }) => ({
    ...key,
    ...Object.fromEntries(specs.map((spec, i) => [aggregateAlias(spec), result(acc[i] as Accumulator, spec)])),
  }));
}

function newAccumulator(): Accumulator {
  return { count: 0, sum: 0, min: null, max: null };
}

function accumulate(acc: Accumulator, spec: AggregateSpec, row: Record<string, unknown>): void {
  if (spec.field === undefined) {
    acc.count += 1;
    return;
  }
  const value = row[spec.field];
  if (value === null || value === undefined) return;
  acc.count += 1;
  if (spec.fn === "sum" || spec.fn === "avg") acc.sum += toNumber(value);
  if (spec.fn === "min" && (acc.min === null || compare(value, acc.min) < 0)) acc.min = value;
  if (spec.fn === "max" && (acc.max === null || compare(value, acc.max) > 0)) acc.max = value;
}

function result(acc: Accumulator, spec: AggregateSpec): unknown {
  switch (spec.fn) {
    case "count":
      return acc.count;
    case "sum":
      return acc.count === 0 ? null : round(acc.sum);
    case "avg":
      return acc.count === 0 ? null : round(acc.sum / acc.count);
    case "min":
      return acc.min;
    case "max":
      return acc.max;
  }
}

function toNumber(value: unknown): number {
  const n = typeof value === "number" ? value : Number(value);
  return Number.isFinite(n) ? n : 0;
}

function compare(a: unknown, b: unknown): number {
  const na = typeof a === "number" ? a : Number.NaN;
  const nb = typeof b === "number" ? b : Number.NaN;
  if (!Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
