import { randomUUID } from "node:crypto";
import type { CallbackManagerForToolRun } from "@langchain/core/callbacks/manager";
import { StructuredTool, type StructuredToolCallInput, type ToolReturnType, type ToolRunnableConfig } from "@langchain/core/tools";
import type { z } from "zod";
import type { DreamFactoryRequest, DreamFactoryResponse } from "../client/dreamfactory-request.js";
import { DreamFactoryError, isDreamFactoryError } from "../errors/dreamfactory-error.js";
import type { DreamFactoryCredential } from "../identity/dreamfactory-credential.js";
import { modelJson, modelSafeText } from "./model-text.js";
import { credentialOf, TABLE_NAME, toolContext, type DreamFactoryToolContext } from "./tool-context.js";
import type { DreamFactoryToolOptions } from "./tool-options.js";
import type { DreamFactoryReceipt } from "./tool-receipt.js";

/** Config key carrying the caller's `runId` to `_call` (LangChain drops `runId` before `_call`). */
const RUN_ID_KEY = "dreamfactoryRunId";

/** What a tool result is: content for the model and the receipt for the app. */
export type DreamFactoryToolResult = [string, DreamFactoryReceipt];

/** One tool call in progress: who it runs as, its trace id and signal, and the receipt being filled. */
export interface ToolRun {
  readonly credential: DreamFactoryCredential;
  readonly traceId: string;
  readonly signal: AbortSignal | undefined;
  readonly receipt: DreamFactoryReceipt;
  /** What the call tried to do, for "not permitted" messages, e.g. `read table "orders"`. */
  action: string;
}

/**
 * Base of every DreamFactory tool: resolves the run's credential first (fail closed — credential errors are
 * thrown, never turned into tool text), sends requests as that user with the tool run id as trace id and the
 * run's AbortSignal, and turns the DreamFactory errors a model can act on (not permitted, bad input, not found)
 * into a short tool result with a receipt. Everything else (credential, network, server errors) is thrown.
 *
 * Holds no per-user state: one instance serves every user concurrently.
 */
export abstract class DreamFactoryTool<S extends z.ZodObject> extends StructuredTool<S, z.output<S>, z.input<S>> {
  override responseFormat = "content_and_artifact" as const;

  readonly #context: DreamFactoryToolContext;

  /**
   * @param options - client (or baseUrl + apiKey), service, table allowlist, row cap
   * @throws TypeError naming a bad option
   */
  constructor(options: DreamFactoryToolOptions) {
    super({});
    this.#context = toolContext(options, new.target.name);
    // Only non-secret settings are kept for serialisation; never the client (it holds the API key).
    this.lc_kwargs = {
      service: this.#context.service,
      ...(this.#context.tables === undefined ? {} : { tables: [...this.#context.tables] }),
      maxRecords: this.#context.maxRecords,
    };
  }

  /** Settings shared with the toolkit (no user data). */
  protected get context(): DreamFactoryToolContext {
    return this.#context;
  }

  /**
   * Same as StructuredTool's `invoke`; also keeps the run id given in `config.runId` for the trace id when no
   * callback handler creates a run manager.
   */
  override async invoke<TInput extends StructuredToolCallInput<S, z.input<S>>, TConfig extends ToolRunnableConfig | undefined>(
    input: TInput,
    config?: TConfig,
  ): Promise<ToolReturnType<TInput, TConfig, unknown>> {
    const runId = config?.runId;
    return super.invoke(input, (typeof runId === "string" ? { ...config, [RUN_ID_KEY]: runId } : config) as TConfig);
  }

  /** @ignore */
  protected override async _call(
    input: z.output<S>,
    runManager?: CallbackManagerForToolRun,
    config?: ToolRunnableConfig,
  ): Promise<DreamFactoryToolResult> {
    const credential = credentialOf(this.#context, config);
    const given = (config as Record<string, unknown> | undefined)?.[RUN_ID_KEY];
    const traceId = runManager?.runId ?? (typeof given === "string" ? given : undefined) ?? randomUUID();
    const run = this.startRun(credential, traceId, config?.signal, "do this");
    try {
      return await this.execute(input, run);
    } catch (e) {
      return this.errorResult(e, run);
    }
  }

  /**
   * A new tool call as `credential`'s user, with an empty "ok" receipt naming this tool and the app's service.
   * @param credential - who the call runs as (already resolved: credential errors are thrown before this)
   * @param traceId - the call's trace id
   * @param signal - the run's AbortSignal, if any
   * @param action - what the call tries to do, for "not permitted" messages
   */
  protected startRun(credential: DreamFactoryCredential, traceId: string, signal: AbortSignal | undefined, action: string): ToolRun {
    return {
      credential,
      traceId,
      signal,
      action,
      receipt: {
        tool: this.name,
        actedAs: { userId: credential.userId, ...(credential.email === undefined ? {} : { email: credential.email }) },
        service: this.#context.service,
        count: 0,
        truncated: false,
        traceId,
        requests: 0,
        outcome: "ok",
      },
    };
  }

  /** The tool's work, after the credential is known. Throw DreamFactoryErrors; the base class maps them. */
  protected abstract execute(input: z.output<S>, run: ToolRun): Promise<DreamFactoryToolResult>;

  /**
   * Sends one request as the run's user, with the run's trace id and signal.
   * @param run - the tool call
   * @param req - method, path (after /api/v2), query
   */
  protected async send<T>(run: ToolRun, req: Omit<DreamFactoryRequest, "signal" | "traceId">): Promise<DreamFactoryResponse<T>> {
    run.receipt.requests += 1;
    const res = await this.#context.client.request<T>(run.credential, {
      ...req,
      traceId: run.traceId,
      ...(run.signal === undefined ? {} : { signal: run.signal }),
    });
    run.receipt.traceId = res.traceId;
    run.receipt.actedAs = res.actedAs;
    return res;
  }

  /** `/{service}/{segment}/{table}` path for a validated table. */
  protected tablePath(segment: "_table" | "_schema", table: string): string {
    return `/${encodeURIComponent(this.#context.service)}/${segment}/${encodeURIComponent(table)}`;
  }

  /**
   * Validates a table name from the model and enforces the app's allowlist, before any request.
   * @param table - name as given by the model
   * @param run - the tool call (receipt and action are updated)
   * @throws DreamFactoryError `invalid_input` (bad name) or `scope_denied` (not in the allowlist)
   */
  protected checkTable(table: string, run: ToolRun): string {
    if (typeof table !== "string" || !TABLE_NAME.test(table)) {
      throw new DreamFactoryError(
        "invalid_input",
        "Table names contain only letters, digits and _ (e.g. orders); call dreamfactory_list_tables to see the tables you can use.",
      );
    }
    run.receipt.table = table;
    run.action = `read table "${table}"`;
    const allowed = this.#context.tables;
    if (allowed !== undefined && !allowed.has(table.toLowerCase())) {
      throw new DreamFactoryError("scope_denied", `Table "${table}" is not available to this assistant.`);
    }
    return table;
  }

  /** Column names of a table for a recovery hint (best effort, one request as the same user). */
  protected async columnsHint(run: ToolRun, table: string): Promise<string> {
    try {
      const res = await this.send<{ field?: Array<{ name?: unknown }> }>(run, { method: "GET", path: this.tablePath("_schema", table) });
      const names = (res.data?.field ?? []).map((f) => f.name).filter((n): n is string => typeof n === "string");
      if (names.length > 0) return `Columns of ${table}: ${names.slice(0, 60).join(", ")}.`;
    } catch {
      // best effort: fall through to the generic hint
    }
    return `Call dreamfactory_describe_table for "${table}" to see its columns.`;
  }

  /**
   * Maps an error to a model-facing result, or rethrows it. Not permitted (403, allowlist) → "do not retry";
   * bad input (ours or DreamFactory's 400) → message + one hint with real column names; 404 → not found.
   * Credential, identity, refresh, 401, rate-limit, 5xx, network and programming errors are rethrown.
   */
  protected async errorResult(e: unknown, run: ToolRun): Promise<DreamFactoryToolResult> {
    if (!isDreamFactoryError(e)) throw e;
    const receipt = run.receipt;
    const done = (outcome: DreamFactoryReceipt["outcome"], content: Record<string, unknown>): DreamFactoryToolResult => {
      receipt.outcome = outcome;
      receipt.errorCode = e.code;
      receipt.count = 0;
      return [modelJson(content), receipt];
    };
    switch (e.code) {
      case "scope_denied":
      case "forbidden":
        return done("denied", {
          error: "not_permitted",
          message:
            `You are not permitted to ${run.action}. Access is decided for the signed-in user and will not change ` +
            "on retry: do not retry this request or look for another way to get this data; tell the user it is not permitted.",
        });
      case "invalid_input":
        return done("invalid_input", { error: "invalid_input", message: e.message });
      case "not_found":
        return done("not_found", {
          error: "not_found",
          message: receipt.table === undefined
            ? "Not found."
            : `Table "${receipt.table}" or the requested record was not found (or is not visible to you). Call dreamfactory_list_tables to see the tables you can use.`,
        });
      case "bad_request":
      case "batch_error":
      case "server_error": {
        const text = e.dreamfactory?.message ?? "";
        const sqlFailure = e.code === "server_error" && /^Failed to retrieve records/i.test(text);
        if (e.code === "server_error" && !sqlFailure) throw e;
        const hint = receipt.table === undefined ? "" : await this.columnsHint(run, receipt.table);
        return done("invalid_input", {
          error: "bad_request",
          message: sqlFailure
            ? "DreamFactory could not run this query; a column name in fields, order or group is probably wrong."
            : `DreamFactory rejected the request: ${modelSafeText(text) || "bad request"}.`,
          ...(hint === "" ? {} : { hint }),
        });
      }
      default:
        throw e;
    }
  }
}
