import { z } from "zod";
import { DreamFactoryWriteTool, type WriteHttpRequest, type WritePlan } from "./dreamfactory-write-tool.js";
import { checkWriteIds, checkWriteRecord, writeIdsSchema, writeRecordSchema } from "./write-input.js";

const schema = z.object({
  table: z.string().max(64).describe('Table whose rows to change, e.g. "orders".'),
  ids: writeIdsSchema.describe(
    "Primary-key values of the rows to change, e.g. [1042]. Find them first with dreamfactory_query_records; only rows the user can see can change.",
  ),
  changes: writeRecordSchema.describe(
    'Columns to set on every listed row, e.g. {"status": "shipped"}. Exact column names from dreamfactory_describe_table; ' +
      "values are text, numbers, true/false or null; text may not contain { or }. Do not include the primary key.",
  ),
});

/**
 * `dreamfactory_update_records`: sets columns on rows given by id, as the signed-in user
 * (`PATCH /{service}/_table/{table}?ids=…&rollback=true`), after a preview of those rows and an approval.
 * All rows change or none.
 */
export class UpdateRecordsTool extends DreamFactoryWriteTool<typeof schema> {
  /** @ignore */
  static override lc_name(): string {
    return "UpdateRecordsTool";
  }

  name = "dreamfactory_update_records";

  readonly action = "update" as const;

  description =
    "Changes columns of existing rows of one table, chosen by their primary-key ids, as the signed-in user. " +
    "Use it only when the user asked to change data; find the ids first with dreamfactory_query_records. " +
    "Each call is shown to a person, with the rows as they are now, for approval before anything changes; all listed rows change together or none does. " +
    'Returns {"action":"update","table","updated": n,"ids"} or why nothing changed ' +
    "(not approved, not permitted for this user, rows not found or not visible, per-row problems, or outcome unknown with how to check). " +
    "Limits: by ids only (no filters), the same changes for every id, a bounded number of ids per call; never retried automatically.";

  schema = schema;

  /** @ignore */
  protected plan(input: z.output<typeof schema>, table: string): WritePlan {
    return {
      action: "update",
      table,
      ids: checkWriteIds(input.ids, this.maxItems),
      changes: checkWriteRecord(input.changes, "changes"),
    };
  }

  /** @ignore */
  protected writeRequest(plan: WritePlan): WriteHttpRequest {
    return { method: "PATCH", query: { ids: (plan.ids ?? []).join(","), rollback: true }, body: { resource: [plan.changes ?? {}] } };
  }
}
