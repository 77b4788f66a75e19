import { z } from "zod";
import { DreamFactoryWriteTool, type WriteHttpRequest, type WritePlan } from "./dreamfactory-write-tool.js";
import { checkWriteRecords, writeRecordSchema } from "./write-input.js";
import { MAX_WRITE_RECORDS } from "./write-options.js";

const schema = z.object({
  table: z.string().max(64).describe('Table to add rows to, e.g. "orders".'),
  records: z
    .array(writeRecordSchema)
    .min(1)
    .max(MAX_WRITE_RECORDS)
    .describe(
      "Rows to create: objects of column: value with the exact column names from dreamfactory_describe_table, e.g. " +
        '[{"customer_id": 12, "sales_rep_id": 1, "total": 99.5}]. Values are text, numbers, true/false or null; text may not contain { or }. ' +
        "Leave out columns the database fills itself (e.g. id).",
    ),
});

/**
 * `dreamfactory_create_records`: adds rows to one table as the signed-in user (`POST /{service}/_table/{table}?rollback=true`),
 * after a preview and an approval. All records are created or none.
 */
export class CreateRecordsTool extends DreamFactoryWriteTool<typeof schema> {
  /** @ignore */
  static override lc_name(): string {
    return "CreateRecordsTool";
  }

  name = "dreamfactory_create_records";

  readonly action = "create" as const;

  description =
    "Creates new rows in one table as the signed-in user. " +
    "Use it only when the user asked to add data; check the column names first with dreamfactory_describe_table. " +
    "Each call is shown to a person for approval before anything is written, and all records are created together or none is. " +
    'Returns {"action":"create","table","created": n,"ids": [new ids]} or why nothing was created ' +
    "(not approved, not permitted for this user, per-record problems, or outcome unknown with how to check). " +
    "Limits: a bounded number of records per call; plain values only; never retried automatically.";

  schema = schema;

  /** @ignore */
  protected plan(input: z.output<typeof schema>, table: string): WritePlan {
    return { action: "create", table, records: checkWriteRecords(input.records, this.maxItems) };
  }

  /** @ignore */
  protected writeRequest(plan: WritePlan): WriteHttpRequest {
    return { method: "POST", query: { rollback: true }, body: { resource: plan.records ?? [] } };
  }
}
