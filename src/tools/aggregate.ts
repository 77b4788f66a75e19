import { z } from "zod";
import { DreamFactoryError, isDreamFactoryError } from "../errors/dreamfactory-error.js";
import { checkFieldName, parseFieldList, parseOrder, renderFilter, type OrderKey, type Where } from "../filter/index.js";
import {
  AGGREGATE_FUNCTIONS,
  aggregateAlias,
  aggregateExpression,
  aggregateRows,
  type AggregateSpec,
} from "./client-aggregation.js";
import { DreamFactoryTool, type DreamFactoryToolResult, type ToolRun } from "./dreamfactory-tool.js";
import { modelJson } from "./model-text.js";
import { resourceOf, totalOf, viewRows } from "./row-view.js";
import { combineConditions, filterSchema, whereSchema } from "./where-schema.js";

/** Most rows read when the aggregation has to be computed from rows (DreamFactory without aggregates). */
export const MAX_AGGREGATE_SCAN_ROWS = 10_000;
const PAGE_SIZE = 1000;
const MAX_GROUPS = 1000;

const schema = z.object({
  table: z.string().max(64).describe('Table to summarise, e.g. "orders".'),
  aggregates: z
    .array(
      z.object({
        function: z.enum(AGGREGATE_FUNCTIONS).describe('"count", "sum", "avg", "min" or "max".'),
        field: z.string().max(64).optional().describe('Column to aggregate; omit with "count" to count rows. E.g. "total".'),
      }),
    )
    .min(1)
    .max(10)
    .describe('What to compute, e.g. [{"function":"count"},{"function":"sum","field":"total"}]. Results are named COUNT_ALL, SUM_total, AVG_total, ….'),
  group_by: z
    .array(z.string().max(64))
    .max(5)
    .optional()
    .describe('Columns to group by, e.g. ["status"]; omit for one result over all matching rows.'),
  where: whereSchema,
  filter: filterSchema,
  order: z
    .string()
    .max(200)
    .optional()
    .describe('Sort the result rows by a group column or result name, e.g. "SUM_total desc". Default: by the group columns.'),
  limit: z.number().int().optional().describe("Most result rows (groups) to return; default and maximum is the application's row cap."),
});

interface Plan {
  table: string;
  specs: AggregateSpec[];
  groupBy: string[];
  filter: string | undefined;
}

/**
 * `dreamfactory_aggregate`: counts, sums, averages, minimums and maximums over one table, optionally grouped,
 * computed over the rows the signed-in user may see. Uses DreamFactory's aggregate `fields` + `group` where the
 * server supports them; when it answers "Invalid field requested" (DreamFactory 7.0.0 and older) or when there is
 * no grouping, the tool reads the matching rows (at most 10,000) as the user and
 * aggregates them locally — the receipt's `aggregation` says which.
 */
export class AggregateTool extends DreamFactoryTool<typeof schema> {
  /** @ignore */
  static override lc_name(): string {
    return "AggregateTool";
  }

  name = "dreamfactory_aggregate";

  description =
    "Computes counts, sums, averages, minimums and maximums over one table for the signed-in user, optionally grouped by columns " +
    "(e.g. number of orders and total amount per status). " +
    "Use it for totals and statistics instead of reading rows with dreamfactory_query_records. " +
    'Returns {"table", "group_by", "rows": [{group columns..., COUNT_ALL, SUM_total, ...}], "groups"}. ' +
    `Only rows this user may see are counted; at most ${MAX_AGGREGATE_SCAN_ROWS} matching rows can be aggregated, and at most the application's row cap of groups is shown.`;

  schema = schema;

  /** @ignore */
  protected async execute(input: z.output<typeof schema>, run: ToolRun): Promise<DreamFactoryToolResult> {
    const table = this.checkTable(input.table, run);
    const specs: AggregateSpec[] = input.aggregates.map((a) => {
      if (a.field === undefined && a.function !== "count") {
        throw new DreamFactoryError("invalid_input", `${a.function} needs a field (a numeric column, e.g. total).`);
      }
      return { fn: a.function, ...(a.field === undefined ? {} : { field: checkFieldName(a.field) }) };
    });
    const groupBy = parseFieldList(input.group_by, "group_by") ?? [];
    const ast = combineConditions(input.where as Where | undefined, input.filter);
    const filter = ast === undefined ? undefined : renderFilter(ast);
    const aliases = specs.map(aggregateAlias);
    const orderKeys = parseOrder(input.order);
    for (const key of orderKeys ?? []) {
      if (!groupBy.includes(key.field) && !aliases.includes(key.field)) {
        throw new DreamFactoryError("invalid_input", `order may only name group columns or results (${[...groupBy, ...aliases].join(", ")}).`);
      }
    }
    const max = this.context.maxRecords;
    if (input.limit !== undefined && input.limit < 1) throw new DreamFactoryError("invalid_input", "limit must be at least 1.");
    const limit = Math.min(input.limit ?? max, max);
    Object.assign(run.receipt, { ...(filter === undefined ? {} : { filter }), ...(groupBy.length ? { group: groupBy } : {}), limit });
    run.action = `read table "${table}"`;

    const plan: Plan = { table, specs, groupBy, filter };
    let rows: Record<string, unknown>[] | undefined;
    if (groupBy.length > 0) {
      const server = await this.serverAggregate(plan, run);
      if (typeof server === "string") {
        run.receipt.outcome = "invalid_input";
        run.receipt.errorCode = "invalid_input";
        return [modelJson({ error: "too_many_groups", message: server }), run.receipt];
      }
      rows = server;
    }
    if (rows === undefined) {
      const client = await this.clientAggregate(plan, run);
      if (typeof client === "string") {
        run.receipt.outcome = "invalid_input";
        run.receipt.errorCode = "invalid_input";
        return [modelJson({ error: "too_many_rows", message: client }), run.receipt];
      }
      rows = client;
    }
    sortRows(rows, orderKeys ?? groupBy.map((field) => ({ field, direction: "ASC" as const })));
    const shown = viewRows(rows.slice(0, limit));
    const truncated = rows.length > shown.rows.length;
    Object.assign(run.receipt, { count: shown.rows.length, total: rows.length, truncated });
    return [
      modelJson({
        table,
        group_by: groupBy,
        rows: shown.rows,
        groups: rows.length,
        ...(truncated ? { truncated, note: `showing ${shown.rows.length} of ${rows.length} groups` } : {}),
      }),
      run.receipt,
    ];
  }

  /**
   * DreamFactory computes the aggregates; `undefined` when this server does not support them, a message when there
   * are more groups than one answer holds (results are sorted here, so a partial set of groups would give a wrong
   * "top N").
   */
  private async serverAggregate(plan: Plan, run: ToolRun): Promise<Record<string, unknown>[] | string | undefined> {
    const fields = [...plan.groupBy, ...plan.specs.map(aggregateExpression)].join(",");
    try {
      const res = await this.send(run, {
        method: "GET",
        path: this.tablePath("_table", plan.table),
        query: { fields, group: plan.groupBy.join(","), filter: plan.filter, limit: MAX_GROUPS, include_count: true },
      });
      run.receipt.aggregation = "server";
      const groups = resourceOf(res.data);
      const meta = (res.data as { meta?: { next?: unknown; count?: unknown } } | null)?.meta;
      const more = meta?.next !== undefined || (typeof meta?.count === "number" && meta.count > groups.length);
      if (groups.length >= MAX_GROUPS && more) {
        return `More than ${MAX_GROUPS} groups match; add conditions (where) or group by fewer or coarser columns.`;
      }
      return groups.map((row) => normaliseServerRow(row, plan));
    } catch (e) {
      if (isDreamFactoryError(e) && e.code === "bad_request" && /invalid field requested/i.test(e.dreamfactory?.message ?? "")) {
        return undefined;
      }
      throw e;
    }
  }

  /** Reads the matching rows as the user and aggregates them here; a message when there are too many rows. */
  private async clientAggregate(plan: Plan, run: ToolRun): Promise<Record<string, unknown>[] | string> {
    run.receipt.aggregation = "client";
    const path = this.tablePath("_table", plan.table);
    const countOnly = plan.groupBy.length === 0 && plan.specs.every((s) => s.fn === "count" && s.field === undefined);
    const columns = [...new Set([...plan.groupBy, ...plan.specs.flatMap((s) => (s.field === undefined ? [] : [s.field]))])];
    const fields = columns.length > 0 ? columns.join(",") : undefined;
    // Pages by offset need a stable order: sorting by every fetched column makes each page the same multiset of rows
    // on every query (rows equal in all of them are interchangeable for the aggregates).
    const order = columns.length > 0 ? columns.map((c) => `${c} asc`).join(",") : undefined;
    const first = await this.send(run, {
      method: "GET",
      path,
      query: { filter: plan.filter, fields, order, limit: countOnly ? 1 : PAGE_SIZE, offset: 0, include_count: true },
    });
    const total = totalOf(first.data) ?? resourceOf(first.data).length;
    if (countOnly) return [Object.fromEntries(plan.specs.map((s) => [aggregateAlias(s), total]))];
    if (total > MAX_AGGREGATE_SCAN_ROWS) {
      return `${total} rows match, more than the ${MAX_AGGREGATE_SCAN_ROWS} this tool can aggregate on this DreamFactory; add conditions (where) to narrow them.`;
    }
    const rows = resourceOf(first.data) as Record<string, unknown>[];
    while (rows.length < total) {
      const page = await this.send(run, { method: "GET", path, query: { filter: plan.filter, fields, order, limit: PAGE_SIZE, offset: rows.length } });
      const more = resourceOf(page.data) as Record<string, unknown>[];
      if (more.length === 0) break;
      rows.push(...more);
    }
    return aggregateRows(rows, plan.groupBy, plan.specs);
  }
}

/** Maps a server row's aggregate keys (any case) to this tool's aliases; numeric strings become numbers. */
function normaliseServerRow(row: unknown, plan: Plan): Record<string, unknown> {
  const source = (typeof row === "object" && row !== null ? row : {}) as Record<string, unknown>;
  const lower = new Map(Object.entries(source).map(([k, v]) => [k.toLowerCase(), v]));
  const out: Record<string, unknown> = {};
  for (const g of plan.groupBy) out[g] = lower.get(g.toLowerCase()) ?? null;
  for (const spec of plan.specs) {
    const alias = aggregateAlias(spec);
    const value = lower.get(alias.toLowerCase()) ?? lower.get(aggregateExpression(spec).toLowerCase()) ?? null;
    out[alias] = typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)) ? Number(value) : value;
  }
  return out;
}

function sortRows(rows: Record<string, unknown>[], keys: readonly OrderKey[]): void {
  rows.sort((a, b) => {
    for (const { field, direction } of keys) {
      const c = compareValues(a[field], b[field]);
      if (c !== 0) return direction === "ASC" ? c : -c;
    }
    return 0;
  });
}

function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}
