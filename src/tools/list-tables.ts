import { z } from "zod";
import { DreamFactoryTool, type DreamFactoryToolResult, type ToolRun } from "./dreamfactory-tool.js";
import { modelJson } from "./model-text.js";
import { resourceOf } from "./row-view.js";

const schema = z.object({});

/**
 * `dreamfactory_list_tables`: the tables the signed-in user may read in the toolkit's service, intersected with
 * the app's table allowlist (`GET /{service}/_table?as_list=true`, as the user).
 */
export class ListTablesTool extends DreamFactoryTool<typeof schema> {
  /** @ignore */
  static override lc_name(): string {
    return "ListTablesTool";
  }

  name = "dreamfactory_list_tables";

  description =
    "Lists the database tables you can read for the signed-in user. " +
    "Use it first when you do not know which table holds the data; then call dreamfactory_describe_table for columns. " +
    'Returns {"tables": [names]}. ' +
    "Only tables this user's DreamFactory role and this application allow are listed; it returns no rows.";

  schema = schema;

  /** @ignore */
  protected async execute(_input: z.output<typeof schema>, run: ToolRun): Promise<DreamFactoryToolResult> {
    run.action = "list the tables";
    const res = await this.send(run, { method: "GET", path: `/${encodeURIComponent(this.context.service)}/_table`, query: { as_list: true } });
    const names = resourceOf(res.data).filter((n): n is string => typeof n === "string");
    const allowed = this.context.tables;
    const tables = allowed === undefined ? names : names.filter((n) => allowed.has(n.toLowerCase()));
    run.receipt.count = tables.length;
    return [modelJson({ tables }), run.receipt];
  }
}
