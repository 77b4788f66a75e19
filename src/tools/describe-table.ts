import { z } from "zod";
import { DreamFactoryTool, type DreamFactoryToolResult, type ToolRun } from "./dreamfactory-tool.js";
import { modelJson } from "./model-text.js";

const schema = z.object({
  table: z.string().max(64).describe('Table name from dreamfactory_list_tables, e.g. "orders".'),
});

interface SchemaField {
  name?: unknown;
  type?: unknown;
  db_type?: unknown;
  allow_null?: unknown;
  is_primary_key?: unknown;
  is_foreign_key?: unknown;
  ref_table?: unknown;
  ref_field?: unknown;
  label?: unknown;
}

interface SchemaRelation {
  name?: unknown;
  type?: unknown;
  field?: unknown;
  ref_table?: unknown;
  ref_field?: unknown;
}

interface TableSchema {
  name?: unknown;
  primary_key?: unknown;
  field?: SchemaField[];
  related?: SchemaRelation[];
}

/**
 * `dreamfactory_describe_table`: columns, types, keys and relations of one table, compacted for the model
 * (`GET /{service}/_schema/{table}`, as the user).
 */
export class DescribeTableTool extends DreamFactoryTool<typeof schema> {
  /** @ignore */
  static override lc_name(): string {
    return "DescribeTableTool";
  }

  name = "dreamfactory_describe_table";

  description =
    "Describes one table: its columns with types, which can be empty, the primary key, and foreign keys to other tables. " +
    "Use it before dreamfactory_query_records or dreamfactory_aggregate to learn the exact column names, or to find how tables join " +
    "(e.g. orders.customer_id -> customers.id). " +
    'Returns {"table", "primary_key", "columns": [{"name","type","nullable","references"}], "relations"}. ' +
    "Returns no rows; the user's role may hide tables (then it says not permitted).";

  schema = schema;

  /** @ignore */
  protected async execute(input: z.output<typeof schema>, run: ToolRun): Promise<DreamFactoryToolResult> {
    const table = this.checkTable(input.table, run);
    run.action = `describe table "${table}"`;
    const res = await this.send<TableSchema>(run, { method: "GET", path: this.tablePath("_schema", table) });
    const data = res.data ?? {};
    const columns = (data.field ?? []).map((f) => ({
      name: f.name,
      type: f.type,
      ...(f.db_type === undefined ? {} : { db_type: f.db_type }),
      nullable: f.allow_null === true,
      ...(f.is_primary_key === true ? { primary_key: true } : {}),
      ...(typeof f.ref_table === "string" && f.ref_table !== "" ? { references: `${f.ref_table}.${String(f.ref_field)}` } : {}),
    }));
    const relations = (data.related ?? []).map((r) => ({
      name: r.name,
      type: r.type,
      field: r.field,
      references: `${String(r.ref_table)}.${String(r.ref_field)}`,
    }));
    run.receipt.count = columns.length;
    return [
      modelJson({ table: typeof data.name === "string" ? data.name : table, primary_key: data.primary_key, columns, relations }),
      run.receipt,
    ];
  }
}
