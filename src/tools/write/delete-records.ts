import { z } from "zod";
import { DreamFactoryWriteTool, type WriteHttpRequest, type WritePlan } from "./dreamfactory-write-tool.js";
import { checkWriteIds, writeIdsSchema } from "./write-input.js";

const schema = z.object({
  table: z.string().max(64).describe('Table to delete rows from, e.g. "orders".'),
  ids: writeIdsSchema.describe(
    "Primary-key values of the rows to delete, e.g. [1042, 1043]. Find them first with dreamfactory_query_records; only rows the user can see can be deleted.",
  ),
});

/**
 * `dreamfactory_delete_records`: deletes rows given by id, as the signed-in user
 * (`DELETE /{service}/_table/{table}?ids=…&rollback=true`), after a preview of those rows and an approval.
 * All rows are deleted or none. No filter deletes, no `force`.
 */
export class DeleteRecordsTool extends DreamFactoryWriteTool<typeof schema> {
  /** @ignore */
  static override lc_name(): string {
    return "DeleteRecordsTool";
  }

  name = "dreamfactory_delete_records";

  readonly action = "delete" as const;

  description =
    "Deletes rows of one table, chosen by their primary-key ids, as the signed-in user. " +
    "Use it only when the user explicitly asked to delete; find the ids first with dreamfactory_query_records. " +
    "Each call is shown to a person, with the rows as they are now, for approval before anything is deleted; all listed rows are deleted together or none is. " +
    'Returns {"action":"delete","table","deleted": n,"ids"} or why nothing was deleted ' +
    "(not approved, not permitted for this user, rows not found or not visible, or outcome unknown with how to check). " +
    "Limits: by ids only (no filters, never a whole table), a bounded number of ids per call; never retried automatically.";

  schema = schema;

  /** @ignore */
  protected plan(input: z.output<typeof schema>, table: string): WritePlan {
    return { action: "delete", table, ids: checkWriteIds(input.ids, this.maxItems) };
  }

  /** @ignore */
  protected writeRequest(plan: WritePlan): WriteHttpRequest {
    return { method: "DELETE", query: { ids: (plan.ids ?? []).join(","), rollback: true } };
  }
}
