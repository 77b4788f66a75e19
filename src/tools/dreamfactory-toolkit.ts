import { BaseToolkit, type StructuredToolInterface } from "@langchain/core/tools";
import { AggregateTool } from "./aggregate.js";
import { DescribeTableTool } from "./describe-table.js";
import { GetRecordsTool } from "./get-records.js";
import { ListTablesTool } from "./list-tables.js";
import { QueryRecordsTool } from "./query-records.js";
import { CLIENT_OPTION_KEYS, toolContext, type DreamFactoryToolContext } from "./tool-context.js";
import type { DreamFactoryToolOptions } from "./tool-options.js";
import { createWriteTools } from "./write-tools.js";
import type { DreamFactoryWriteOptions } from "./write/write-options.js";

/** Options of `new DreamFactoryToolkit(...)`. */
export interface DreamFactoryToolkitOptions extends DreamFactoryToolOptions {
  /** Create the write tools too (create/update/delete, behind an approval step). @default false */
  allowWrites?: boolean;
  /**
   * Approval setup of the write tools (used only with `allowWrites: true`): LangGraph interrupt (default),
   * an `approve(request)` callback, or `approval: "middleware"` for langchain's human-in-the-loop middleware;
   * approval TTL, digest key, record cap, clock.
   */
  writes?: DreamFactoryWriteOptions;
}

/**
 * The DreamFactory tools for one database service, calling DreamFactory **as the end user of each run**.
 *
 * One toolkit (and its tools) serves every user: nothing user-specific is stored on it. Each tool call reads the
 * user's {@link DreamFactoryCredential} from the run's config (`withDreamFactoryUser(credential)` →
 * `configurable.dreamfactory`, or `context.dreamfactory` with langchain's `createAgent({ contextSchema })`),
 * fails closed without one (the error is thrown, no request is sent), and sends the tool run id as
 * `X-DreamFactory-Trace-Id` so DreamFactory's logs join with LangChain traces.
 *
 * What the app sets here bounds the model: the table allowlist and row cap can only be narrowed by the model,
 * never widened. Write tools are not created unless `allowWrites` is true.
 *
 * Tools: `dreamfactory_list_tables`, `dreamfactory_describe_table`, `dreamfactory_query_records`,
 * `dreamfactory_get_records`, `dreamfactory_aggregate`; with `allowWrites: true` also `dreamfactory_create_records`,
 * `dreamfactory_update_records` and `dreamfactory_delete_records` (preview as the user, approval, `rollback=true`,
 * never retried).
 *
 * @example
 * ```ts
 * const toolkit = new DreamFactoryToolkit({ baseUrl: "https://df.example.com", apiKey: process.env.DF_API_KEY!, service: "db",
 *   tables: ["orders", "customers"], maxRecords: 50 });
 * const agent = createAgent({ model, tools: toolkit.getTools() });
 * await agent.invoke({ messages: [{ role: "user", content: "my open orders?" }] }, withDreamFactoryUser(credential));
 * ```
 */
export class DreamFactoryToolkit extends BaseToolkit {
  /** @ignore */
  static lc_name(): string {
    return "DreamFactoryToolkit";
  }

  tools: StructuredToolInterface[];

  readonly #context: DreamFactoryToolContext;
  readonly #allowWrites: boolean;

  /**
   * @param options - `client` or `baseUrl` + `apiKey` (+ client options), `service`, `tables?`, `maxRecords?` (100),
   *   `allowWrites?` (false), `resolveCredential?`
   * @throws TypeError naming a bad option
   */
  constructor(options: DreamFactoryToolkitOptions) {
    super();
    this.#context = toolContext(options, "DreamFactoryToolkit");
    if (options.allowWrites !== undefined && typeof options.allowWrites !== "boolean") {
      throw new TypeError("DreamFactoryToolkit: option allowWrites must be a boolean");
    }
    this.#allowWrites = options.allowWrites ?? false;
    if (options.writes !== undefined && !this.#allowWrites) {
      throw new TypeError("DreamFactoryToolkit: option writes is set but allowWrites is not true; write tools are only created with allowWrites: true");
    }
    // Every tool gets the same options object (the toolkit's options without the client options, plus the shared
    // client), so they share this toolkit's validated context; options meant for other tools (e.g. write
    // settings) pass through unchanged.
    const context = this.#context;
    const rest: Record<string, unknown> = { ...options };
    for (const key of CLIENT_OPTION_KEYS) delete rest[key];
    const shared: DreamFactoryToolOptions = {
      ...rest,
      client: context.client,
      service: context.service,
      ...(context.tables === undefined ? {} : { tables: [...context.tables] }),
      maxRecords: context.maxRecords,
    };
    this.tools = [
      new ListTablesTool(shared),
      new DescribeTableTool(shared),
      new QueryRecordsTool(shared),
      new GetRecordsTool(shared),
      new AggregateTool(shared),
      ...(this.#allowWrites ? createWriteTools(shared) : []),
    ];
  }

  /** Non-secret view: service, allowlist, row cap, whether writes are on, tool names and the client's base URL. */
  toJSON(): Record<string, unknown> {
    return {
      type: "DreamFactoryToolkit",
      service: this.#context.service,
      ...(this.#context.tables === undefined ? {} : { tables: [...this.#context.tables] }),
      maxRecords: this.#context.maxRecords,
      allowWrites: this.#allowWrites,
      tools: this.tools.map((t) => t.name),
      client: this.#context.client.toJSON(),
    };
  }
}
