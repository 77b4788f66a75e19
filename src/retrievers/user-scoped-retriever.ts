import { BaseRetriever } from "@langchain/core/retrievers";
import { CallbackManager, parseCallbackConfigArg, type CallbackManagerForRetrieverRun } from "@langchain/core/callbacks/manager";
import { ensureConfig, type RunnableConfig } from "@langchain/core/runnables";
import type { DocumentInterface } from "@langchain/core/documents";

/**
 * A retriever whose `_getRelevantDocuments` receives the run's config, so it can act as the user named there.
 *
 * `BaseRetriever.invoke` (in @langchain/core 1.x) calls `_getRelevantDocuments(query, runManager)` without the
 * config. This class re-implements `invoke` with the same callback handling (retriever start/end/error events,
 * tags, metadata, run id and run name) and passes the config as a third argument. Nothing per-run is stored on
 * the instance, so one instance serves concurrent runs for different users.
 *
 * Package-internal base of `DreamFactoryRetriever` and `DreamFactoryAuthorizedRetriever`.
 */
export abstract class UserScopedRetriever extends BaseRetriever {
  /**
   * Runs the retrieval as the user in `options` (see the subclass for where the credential is read).
   *
   * @param input - the query
   * @param options - the run's config (callbacks, tags, metadata, `configurable`, `context`, `signal`)
   */
  override async invoke(input: string, options?: RunnableConfig): Promise<DocumentInterface[]> {
    const config = ensureConfig(parseCallbackConfigArg(options));
    const callbackManager = await CallbackManager.configure(
      config.callbacks,
      this.callbacks,
      config.tags,
      this.tags,
      config.metadata,
      this.metadata,
      { verbose: this.verbose ?? false },
    );
    const runManager = await callbackManager?.handleRetrieverStart(
      this.toJSON(),
      input,
      config.runId,
      undefined,
      undefined,
      undefined,
      config.runName,
    );
    try {
      const docs = await this._getRelevantDocuments(input, runManager, config);
      await runManager?.handleRetrieverEnd(docs);
      return docs;
    } catch (error) {
      await runManager?.handleRetrieverError(error);
      throw error;
    }
  }

  /**
   * Retrieves documents as the user named in `config`.
   *
   * @param query - the query
   * @param runManager - this run's callback manager (its `runId` is the trace id), when callbacks are configured
   * @param config - the run's config; always set when called through `invoke`
   */
  abstract override _getRelevantDocuments(
    query: string,
    runManager?: CallbackManagerForRetrieverRun,
    config?: RunnableConfig,
  ): Promise<DocumentInterface[]>;
}
