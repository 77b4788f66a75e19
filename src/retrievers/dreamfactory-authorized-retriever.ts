import type { BaseRetrieverInput, BaseRetrieverInterface } from "@langchain/core/retrievers";
import type { CallbackManagerForRetrieverRun } from "@langchain/core/callbacks/manager";
import type { RunnableConfig } from "@langchain/core/runnables";
import { randomUUID } from "node:crypto";
import { Document, type DocumentInterface } from "@langchain/core/documents";
import type { ActedAs, DreamFactoryClient } from "../client/index.js";
import type { DreamFactoryCredential } from "../identity/index.js";
import { assertFieldName, tablePath } from "./field-name.js";
import { buildIdInFilter, idFilterValue } from "./id-filter.js";
import { readRows } from "./read-rows.js";
import { resizableRetriever } from "./resizable-retriever.js";
import { assertRowContent, renderRowContent, rowContentFields, type Row, type RowContent } from "./row-content.js";
import { andFilters } from "./search-filter.js";
import { checkTableTarget } from "./table-target.js";
import { UserScopedRetriever } from "./user-scoped-retriever.js";

/** Options of {@link DreamFactoryAuthorizedRetriever}. */
export interface DreamFactoryAuthorizedRetrieverOptions extends BaseRetrieverInput {
  /** The retriever to authorise (e.g. a vector store's); its documents carry a row id in `metadata[idKey]`. */
  retriever: BaseRetrieverInterface;
  /** The client every user's request goes through. */
  client: DreamFactoryClient;
  /** DreamFactory database service holding the rows. */
  service: string;
  /** Table holding the rows. */
  table: string;
  /** Metadata key of the row id in the inner documents. @default "id" */
  idKey?: string;
  /** Primary-key column in the table. @default "id" */
  idField?: string;
  /** Documents returned. @default 4 */
  k?: number;
  /** Most inner searches per query (each asks for twice as many documents as the last). @default 4 */
  maxRounds?: number;
  /**
   * Replace each document's text with the row as the user sees it (so column masking applies):
   * a function of the row, or columns joined one per line.
   */
  refreshContent?: RowContent;
  /** Columns fetched for a `refreshContent` function. @default every column ("*") */
  refreshFields?: string[];
  /** A DreamFactory filter the app pins, AND-ed with the id list (e.g. `(status = published)`). */
  filter?: string;
  /**
   * Returns a retriever like the inner one that returns up to `k` documents, used to refill. Built in for
   * vector-store retrievers (`vectorStore.asRetriever()`); without it, only the inner retriever's own results
   * are filtered (no refill).
   */
  resize?: (k: number) => BaseRetrieverInterface;
}

/** What {@link DreamFactoryAuthorizedRetriever} adds to each kept document's metadata, under `dreamfactory`. */
export interface AuthorizationMetadata {
  service: string;
  table: string;
  /** The row id that was checked. */
  id: unknown;
  /** Who the check ran as (non-secret). */
  actedAs: { userId: number; email?: string };
  /** Trace id of the check = the retriever run id. */
  traceId: string;
}

const BATCH = 100;

/**
 * Wraps any retriever (a vector store's, a search API's) and keeps only documents whose DreamFactory row the
 * end user may read, asking DreamFactory **as that user**. DreamFactory's role rules and the database's RLS decide.
 *
 * After each inner search, the ids not yet checked (`metadata[idKey]`) are sent in one request per 100 ids:
 * `GET /{service}/_table/{table}?filter=(id IN (…))&fields=id[,content columns]` (a filter, not `ids=`, because
 * DreamFactory answers `ids=` with a batch error when one id is invisible). Invisible rows are dropped. While
 * fewer than `k` remain, the inner source is asked again for twice as many documents, until it is exhausted or
 * `maxRounds` is reached. Documents without a usable id (missing, or with characters a filter cannot carry) are
 * dropped: they cannot be checked.
 *
 * Fails closed: if DreamFactory cannot answer (any error), nothing is returned and the typed error propagates;
 * no credential → `credential_missing` and no request (the inner retriever is not called either).
 * Kept documents are new objects (the inner source's documents are never modified) with
 * `metadata.dreamfactory` = {@link AuthorizationMetadata}; with `refreshContent` their text is the row the user sees.
 *
 * Refill needs a way to ask the inner source for more: automatic for `VectorStoreRetriever`s, else `resize`.
 *
 * @example
 * ```ts
 * const retriever = new DreamFactoryAuthorizedRetriever({
 *   retriever: vectorStore.asRetriever(), client, service: "db", table: "kb_articles", k: 4, refreshContent: ["title", "body"],
 * });
 * const docs = await retriever.invoke("refund policy", withDreamFactoryUser(credential));
 * ```
 */
export class DreamFactoryAuthorizedRetriever extends UserScopedRetriever {
  static override lc_name(): string {
    return "DreamFactoryAuthorizedRetriever";
  }

  override lc_namespace = ["langchain_dreamfactory", "retrievers"];

  /** The wrapped retriever. */
  readonly retriever: BaseRetrieverInterface;
  /** Client used for every check. */
  readonly client: DreamFactoryClient;
  /** Database service name. */
  readonly service: string;
  /** Table name. */
  readonly table: string;
  /** Metadata key holding the row id. */
  readonly idKey: string;
  /** Primary-key column. */
  readonly idField: string;
  /** Documents returned. */
  readonly k: number;
  /** Most inner searches per query. */
  readonly maxRounds: number;
  /** Content refresh, when set. */
  readonly refreshContent: RowContent | undefined;
  /** App-pinned filter. */
  readonly filter: string | undefined;
  readonly #fields: string;
  readonly #resize: ((k: number) => BaseRetrieverInterface) | undefined;

  /**
   * @param options - see {@link DreamFactoryAuthorizedRetrieverOptions}
   * @throws TypeError naming the option when an option is missing or malformed
   */
  constructor(options: DreamFactoryAuthorizedRetrieverOptions) {
    super({ callbacks: options.callbacks, tags: options.tags, metadata: options.metadata, verbose: options.verbose });
    if (options.retriever === null || typeof options.retriever !== "object" || typeof options.retriever.invoke !== "function") {
      throw new TypeError("retriever must be a retriever (an object with invoke)");
    }
    const target = checkTableTarget(options);
    const idKey = options.idKey ?? "id";
    if (typeof idKey !== "string" || idKey === "") throw new TypeError("idKey must be a non-empty string");
    const { idField, k } = target;
    const maxRounds = options.maxRounds ?? 4;
    if (!Number.isInteger(maxRounds) || maxRounds < 1 || maxRounds > 10) {
      throw new TypeError("maxRounds must be an integer from 1 to 10");
    }
    if (options.refreshContent !== undefined) assertRowContent(options.refreshContent, "refreshContent");
    if (options.refreshFields !== undefined) {
      if (!Array.isArray(options.refreshFields)) throw new TypeError("refreshFields must be a list of column names");
      options.refreshFields.forEach((f, i) => assertFieldName(f, `refreshFields[${i}]`));
    }
    if (options.resize !== undefined && typeof options.resize !== "function") {
      throw new TypeError("resize must be a function (k) => retriever");
    }

    this.retriever = options.retriever;
    this.client = target.client;
    this.service = target.service;
    this.table = target.table;
    this.idKey = idKey;
    this.idField = idField;
    this.k = k;
    this.maxRounds = maxRounds;
    this.refreshContent = options.refreshContent;
    this.filter = target.filter;
    this.#resize = options.resize ?? resizableRetriever(options.retriever);
    const contentFields = this.refreshContent === undefined ? [] : rowContentFields(this.refreshContent);
    this.#fields =
      contentFields === undefined && options.refreshFields === undefined
        ? "*"
        : [...new Set([idField, ...(contentFields ?? []), ...(options.refreshFields ?? [])])].join(",");
  }

  /**
   * Runs the inner search, keeps the documents the user in `config` may read, refills up to `k`.
   *
   * @param query - the query, passed to the inner retriever unchanged
   * @param runManager - callback manager of this run (its run id is the trace id)
   * @param config - the run's config holding the credential
   */
  override async _getRelevantDocuments(
    query: string,
    runManager?: CallbackManagerForRetrieverRun,
    config?: RunnableConfig,
  ): Promise<DocumentInterface[]> {
    const credential = this.client.credentialFrom(config);
    const childConfig: RunnableConfig = { ...config, callbacks: runManager?.getChild("inner") };
    delete childConfig.runId;
    delete childConfig.runName;
    const traceId = runManager?.runId ?? config?.runId ?? randomUUID(); // one trace id for every request of this run
    let actedAs: ActedAs | undefined;
    let sentTraceId: string | undefined;

    const decisions = new Map<string, Row | null>(); // id -> the row the user sees, or null when invisible
    const seen = new Set<string>(); // documents already considered (rounds overlap)
    const kept: DocumentInterface[] = [];
    let want = this.k;
    for (let round = 0; round < this.maxRounds; round++) {
      const inner = this.#resize === undefined ? this.retriever : this.#resize(want);
      const docs = await inner.invoke(query, childConfig);
      if (!Array.isArray(docs)) throw new TypeError("the inner retriever did not return a list of documents");

      const candidates: Array<{ id: string; doc: DocumentInterface }> = [];
      for (const doc of docs) {
        const id = idFilterValue(doc?.metadata?.[this.idKey]);
        if (id === undefined) continue;
        const key = `${id}\u0000${doc.id ?? ""}\u0000${doc.pageContent}`;
        if (seen.has(key)) continue;
        seen.add(key);
        candidates.push({ id, doc });
      }
      const unknown = [...new Set(candidates.map((c) => c.id))].filter((id) => !decisions.has(id));
      const visible = await this.#visibleRows(credential, unknown, config?.signal, traceId);
      unknown.forEach((id) => decisions.set(id, visible.rows.get(id) ?? null));
      if (visible.actedAs !== undefined) actedAs = visible.actedAs;
      if (visible.traceId !== undefined) sentTraceId = visible.traceId;

      for (const { id, doc } of candidates) {
        if (kept.length >= this.k) break;
        const row = decisions.get(id);
        if (row === null || row === undefined || actedAs === undefined || sentTraceId === undefined) continue;
        kept.push(this.#authorized(doc, row, actedAs, sentTraceId));
      }
      if (kept.length >= this.k || this.#resize === undefined || docs.length < want) break;
      want = Math.min(want * 2, 10_000);
    }
    return kept;
  }

  /** Rows among `ids` the user may read, keyed by id. Fails closed: any error propagates. No ids, no request. */
  async #visibleRows(
    credential: DreamFactoryCredential,
    ids: string[],
    signal: AbortSignal | undefined,
    traceId: string,
  ): Promise<{ rows: Map<string, Row>; actedAs?: ActedAs; traceId?: string }> {
    const rows = new Map<string, Row>();
    let actedAs: ActedAs | undefined;
    let sentTraceId: string | undefined;
    for (let start = 0; start < ids.length; start += BATCH) {
      const chunk = ids.slice(start, start + BATCH);
      const filter = andFilters(buildIdInFilter(this.idField, chunk), this.filter);
      const result = await readRows(this.client, credential, {
        path: tablePath(this.service, this.table),
        query: { filter, fields: this.#fields, limit: chunk.length },
        signal,
        traceId,
      });
      actedAs = result.actedAs;
      sentTraceId = result.traceId;
      for (const row of result.rows) {
        const id = idFilterValue(row[this.idField]);
        if (id !== undefined && chunk.includes(id)) rows.set(id, row);
      }
    }
    return { rows, ...(actedAs === undefined ? {} : { actedAs }), ...(sentTraceId === undefined ? {} : { traceId: sentTraceId }) };
  }

  /** A new document: the inner one's text (or the refreshed row text) and metadata plus the authorization record. */
  #authorized(doc: DocumentInterface, row: Row, actedAs: ActedAs, traceId: string): DocumentInterface {
    const dreamfactory: AuthorizationMetadata = {
      service: this.service,
      table: this.table,
      id: row[this.idField],
      actedAs: actedAs.email === undefined ? { userId: actedAs.userId } : { userId: actedAs.userId, email: actedAs.email },
      traceId,
    };
    const pageContent = this.refreshContent === undefined ? doc.pageContent : renderRowContent(this.refreshContent, row);
    return new Document({
      pageContent,
      metadata: { ...doc.metadata, dreamfactory },
      ...(doc.id === undefined ? {} : { id: doc.id }),
    });
  }
}
