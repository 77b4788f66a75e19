import { z } from "zod";
import { DreamFactoryError } from "../errors/dreamfactory-error.js";
import { parseFieldList, parseOrder, renderFilter, renderOrder, type Where } from "../filter/index.js";
import { DreamFactoryTool, type DreamFactoryToolResult, type ToolRun } from "./dreamfactory-tool.js";
import { modelJson } from "./model-text.js";
import { resourceOf, totalOf, viewRows } from "./row-view.js";
import { combineConditions, filterSchema, whereSchema } from "./where-schema.js";

const schema = z.object({
  table: z.string().max(64).describe('Table to read, from dreamfactory_list_tables, e.g. "orders".'),
  where: whereSchema,
  filter: filterSchema,
  fields: z
    .array(z.string().max(64))
    .max(50)
    .optional()
    .describe('Columns to return; omit for all columns. Ask only for what you need, e.g. ["id", "total", "status"].'),
  order: z
    .string()
    .max(500)
    .optional()
    .describe('Sort order: comma-separated "column asc|desc", e.g. "total desc, id asc".'),
  limit: z
    .number()
    .int()
    .optional()
    .describe("Most rows to return (1 up to the application's cap, which is also the default). Use a small number for top-N questions, e.g. 5."),
  offset: z
    .number()
    .int()
    .optional()
    .describe("Rows to skip, for the next page: use next_offset from the previous result. Default 0."),
});

/**
 * `dreamfactory_query_records`: rows of one table matching typed conditions (and/or a validated raw filter),
 * read as the signed-in user, so DreamFactory's role rules and row filters apply. Always sends `limit` (capped by
 * the toolkit's `maxRecords`) and `include_count=true`, so the result can say "showing N of M" and where the next
 * page starts.
 */
export class QueryRecordsTool extends DreamFactoryTool<typeof schema> {
  /** @ignore */
  static override lc_name(): string {
    return "QueryRecordsTool";
  }

  name = "dreamfactory_query_records";

  description =
    "Reads rows from one table for the signed-in user, with optional conditions, columns, sort order and paging. " +
    "Use it to find or list records (e.g. the five largest open orders: where status = open, order \"total desc\", limit 5); " +
    "use dreamfactory_get_records when you already know the ids, and dreamfactory_aggregate for counts and sums. " +
    'Returns {"table", "rows", "showing", "total", "offset", "next_offset"?, "truncated"}. ' +
    "Only rows this user may see are returned; at most the application's row cap per call (use offset to page); long text is cut; read-only.";

  schema = schema;

  /** @ignore */
  protected async execute(input: z.output<typeof schema>, run: ToolRun): Promise<DreamFactoryToolResult> {
    const table = this.checkTable(input.table, run);
    const max = this.context.maxRecords;
    const ast = combineConditions(input.where as Where | undefined, input.filter);
    const filter = ast === undefined ? undefined : renderFilter(ast);
    const fields = parseFieldList(input.fields);
    const orderKeys = parseOrder(input.order);
    const order = orderKeys === undefined ? undefined : renderOrder(orderKeys);
    if (input.limit !== undefined && input.limit < 1) {
      throw new DreamFactoryError("invalid_input", `limit must be at least 1 (at most ${max}); omit it for ${max}.`);
    }
    if (input.offset !== undefined && input.offset < 0) {
      throw new DreamFactoryError("invalid_input", "offset must be 0 or more (use next_offset from the previous result).");
    }
    const capped = input.limit !== undefined && input.limit > max;
    const limit = Math.min(input.limit ?? max, max);
    const offset = input.offset ?? 0;
    Object.assign(run.receipt, {
      ...(filter === undefined ? {} : { filter }),
      ...(fields === undefined ? {} : { fields }),
      ...(order === undefined ? {} : { order }),
      limit,
      offset,
    });

    const res = await this.send(run, {
      method: "GET",
      path: this.tablePath("_table", table),
      query: { filter, fields: fields?.join(","), order, limit, offset, include_count: true },
    });
    const rows = resourceOf(res.data);
    const total = totalOf(res.data);
    const view = viewRows(rows);
    const showing = view.rows.length;
    const truncated = total !== undefined ? offset + showing < total : rows.length >= limit || view.dropped > 0;
    const nextOffset = truncated ? offset + showing : undefined;
    Object.assign(run.receipt, { count: showing, truncated, ...(total === undefined ? {} : { total }) });

    const notes: string[] = [];
    if (capped) notes.push(`limit was capped at ${max} by the application`);
    if (view.dropped > 0) notes.push(`${view.dropped} more rows of this page were left out to keep the answer short`);
    if (view.cellsCut) notes.push("long text values were cut");
    if (truncated) notes.push(`showing ${showing} of ${total ?? "more"}; call again with offset ${String(nextOffset)} for the next page`);
    return [
      modelJson({
        table,
        rows: view.rows,
        showing,
        ...(total === undefined ? {} : { total }),
        offset,
        ...(nextOffset === undefined ? {} : { next_offset: nextOffset }),
        truncated,
        ...(notes.length === 0 ? {} : { note: notes.join("; ") }),
      }),
      run.receipt,
    ];
  }
}
