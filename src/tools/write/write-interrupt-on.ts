import type { RunnableConfig } from "@langchain/core/runnables";
import type { StructuredToolInterface } from "@langchain/core/tools";
import type { InterruptOnConfig } from "langchain";
import { DreamFactoryWriteTool } from "./dreamfactory-write-tool.js";

/** Options of {@link writeApprovalInterruptOn}. */
export interface WriteInterruptOnOptions {
  /**
   * Decisions the reviewer may take. `"edit"` lets the reviewer change the arguments; the edited call is validated
   * by the tool again but was not previewed. @default ["approve", "reject"]
   */
  allowedDecisions?: Array<"approve" | "edit" | "reject">;
}

/** What langchain's middleware hands a description factory as runtime (only the parts used here). */
interface MiddlewareRuntime {
  configurable?: Record<string, unknown>;
  context?: unknown;
  signal?: AbortSignal;
}

/**
 * `interruptOn` entries for langchain's `humanInTheLoopMiddleware` covering the DreamFactory write tools among
 * `tools`, each with a description that holds the preview computed with the signed-in user's token (the rows as
 * that user sees them now, ids that are not visible, the records to create).
 *
 * Use it with write tools whose approval is `"middleware"` (`writes: { approval: "middleware" }`), so the user is
 * asked once, by the middleware; with the default `"interrupt"` approval the tool would ask a second time.
 *
 * @param tools - e.g. `toolkit.getTools()`; tools other than the write tools are ignored
 * @param options - allowed decisions
 * @example
 * ```ts
 * const toolkit = new DreamFactoryToolkit({ client, service: "db", allowWrites: true, writes: { approval: "middleware" } });
 * const agent = createAgent({
 *   model,
 *   tools: toolkit.getTools(),
 *   checkpointer: new MemorySaver(),
 *   middleware: [humanInTheLoopMiddleware({ interruptOn: writeApprovalInterruptOn(toolkit.getTools()) })],
 * });
 * ```
 */
export function writeApprovalInterruptOn(
  tools: readonly StructuredToolInterface[],
  options: WriteInterruptOnOptions = {},
): Record<string, InterruptOnConfig> {
  const allowedDecisions = options.allowedDecisions ?? ["approve", "reject"];
  if (!Array.isArray(allowedDecisions) || allowedDecisions.length === 0 || !allowedDecisions.every((d) => ["approve", "edit", "reject"].includes(d))) {
    throw new TypeError('writeApprovalInterruptOn: option allowedDecisions must be a non-empty list of "approve", "edit", "reject"');
  }
  const out: Record<string, InterruptOnConfig> = {};
  for (const tool of tools) {
    if (!(tool instanceof DreamFactoryWriteTool)) continue;
    const describe = (args: unknown, config: RunnableConfig): Promise<string> => tool.describeForApproval(args, config);
    out[tool.name] = {
      allowedDecisions: [...allowedDecisions],
      description: async (toolCall, _state, runtime) => {
        const rt = runtime as MiddlewareRuntime;
        const config: RunnableConfig = {
          ...(rt.configurable === undefined ? {} : { configurable: rt.configurable }),
          ...(rt.signal === undefined ? {} : { signal: rt.signal }),
        };
        if (rt.context !== undefined) (config as Record<string, unknown>).context = rt.context;
        return describe(toolCall.args, config);
      },
    };
  }
  return out;
}
