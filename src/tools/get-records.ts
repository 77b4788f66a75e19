import { z } from "zod";
import { isDreamFactoryError } from "../errors/dreamfactory-error.js";
import { parseFieldList } from "../filter/index.js";
import { DreamFactoryTool, type DreamFactoryToolResult, type ToolRun } from "./dreamfactory-tool.js";
import { modelJson } from "./model-text.js";
import { checkRowIds } from "./row-ids.js";
import { resourceOf, viewRows } from "./row-view.js";

/** Most ids one call may ask for (further bounded by the toolkit's `maxRecords`). */
export const MAX_IDS = 100;

const schema = z.object({
  table: z.string().max(64).describe('Table to read, e.g. "customers".'),
  ids: z
    .array(z.union([z.number().int(), z.string().max(64)]))
    .min(1)
    .max(MAX_IDS)
    .describe("Primary-key values of the rows to fetch, e.g. [12, 57]. Usually ids found in another result (e.g. orders.customer_id)."),
  fields: z
    .array(z.string().max(64))
    .max(50)
    .optional()
    .describe('Columns to return; omit for all, e.g. ["id", "name", "country"].'),
});

/**
 * `dreamfactory_get_records`: rows of one table by primary key (`GET /{service}/_table/{table}?ids=…`, as the
 * signed-in user). Ids the user may not see are reported as missing, exactly like ids that do not exist.
 */
export class GetRecordsTool extends DreamFactoryTool<typeof schema> {
  /** @ignore */
  static override lc_name(): string {
    return "GetRecordsTool";
  }

  name = "dreamfactory_get_records";

  description =
    "Fetches specific rows of one table by their primary-key ids for the signed-in user. " +
    "Use it when you already know the ids, e.g. to look up the customers of orders you found with dreamfactory_query_records; " +
    "use dreamfactory_query_records to search by other columns. " +
    'Returns {"table", "rows", "missing": [ids not found or not visible to this user]}. ' +
    `At most ${MAX_IDS} ids (and the application's row cap) per call; read-only.`;

  schema = schema;

  /** @ignore */
  protected async execute(input: z.output<typeof schema>, run: ToolRun): Promise<DreamFactoryToolResult> {
    const table = this.checkTable(input.table, run);
    const ids = checkRowIds(input.ids, Math.min(MAX_IDS, this.context.maxRecords), {
      badString: "String ids may contain only letters, digits and _ . : @ - (no commas or spaces).",
      tooMany: (max) => `Ask for at most ${max} ids per call.`,
    });
    const fields = parseFieldList(input.fields);
    Object.assign(run.receipt, { ids, ...(fields === undefined ? {} : { fields }) });

    let found: unknown[];
    let missing: Array<string | number> = [];
    try {
      const res = await this.send(run, {
        method: "GET",
        path: this.tablePath("_table", table),
        query: { ids: ids.join(","), fields: fields?.join(","), continue: true },
      });
      found = resourceOf(res.data);
    } catch (e) {
      const partial = isDreamFactoryError(e) && e.code === "batch_error" ? splitBatch(e.dreamfactory?.context, ids) : undefined;
      if (partial === undefined) throw e;
      ({ found, missing } = partial);
    }
    const view = viewRows(found);
    Object.assign(run.receipt, {
      count: view.rows.length,
      truncated: view.dropped > 0,
      outcome: missing.length > 0 ? "partial" : "ok",
    });
    return [
      modelJson({
        table,
        rows: view.rows,
        ...(missing.length === 0 ? {} : { missing, note: "missing ids do not exist or are not visible to this user" }),
        ...(view.dropped > 0 ? { truncated: true } : {}),
      }),
      run.receipt,
    ];
  }
}

/** A batch error's context: which indexes failed, and the records of the others. */
function splitBatch(context: unknown, ids: Array<string | number>): { found: unknown[]; missing: Array<string | number> } | undefined {
  if (typeof context !== "object" || context === null) return undefined;
  const failed = (context as { error?: unknown }).error;
  const results = (context as { resource?: unknown }).resource;
  if (!Array.isArray(failed) || !Array.isArray(results)) return undefined;
  const failedSet = new Set(failed.filter((i): i is number => typeof i === "number"));
  const found: unknown[] = [];
  const missing: Array<string | number> = [];
  ids.forEach((id, index) => {
    const entry: unknown = results[index];
    if (failedSet.has(index) || entry === undefined || isErrorEntry(entry)) missing.push(id);
    else found.push(entry);
  });
  return { found, missing };
}

function isErrorEntry(entry: unknown): boolean {
  if (typeof entry !== "object" || entry === null) return true;
  const e = entry as Record<string, unknown>;
  return "status_code" in e || ("code" in e && "message" in e && Object.keys(e).length <= 4 && !("id" in e));
}
