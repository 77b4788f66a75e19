import type { BaseRetrieverInput } from "@langchain/core/retrievers";
import type { CallbackManagerForRetrieverRun } from "@langchain/core/callbacks/manager";
import type { RunnableConfig } from "@langchain/core/runnables";
import { Document, type DocumentInterface } from "@langchain/core/documents";
import type { DreamFactoryClient } from "../client/index.js";
import { DreamFactoryError } from "../errors/index.js";
import { rankBm25 } from "./bm25.js";
import { assertFieldName, tablePath } from "./field-name.js";
import { readRows } from "./read-rows.js";
import { assertRowContent, renderRowContent, rowContentFields, type Row, type RowContent } from "./row-content.js";
import { andFilters, buildSearchFilter } from "./search-filter.js";
import { extractSearchTerms } from "./search-terms.js";
import { checkTableTarget } from "./table-target.js";
import { UserScopedRetriever } from "./user-scoped-retriever.js";

/** Metadata keys every {@link DreamFactoryRetriever} document carries; `metadataFields` may not reuse them. */
export const RETRIEVER_METADATA_KEYS = ["service", "table", "id", "source", "actedAs", "traceId", "filter", "score"] as const;

/** Options of {@link DreamFactoryRetriever}. */
export interface DreamFactoryRetrieverOptions extends BaseRetrieverInput {
  /** The client every user's request goes through (one per app). */
  client: DreamFactoryClient;
  /** DreamFactory database service name, e.g. "db". */
  service: string;
  /** Table to search, e.g. "kb_articles". */
  table: string;
  /** Columns searched server-side with `CONTAINS` and ranked with BM25, e.g. ["title", "body"]. */
  searchFields: string[];
  /**
   * Document text: a function of the row, or columns joined one per line.
   * @default searchFields
   */
  pageContent?: RowContent;
  /** Row columns copied into `metadata` (names must not clash with the retriever's own keys: service, table, id, source, actedAs, traceId, filter, score). @default [] */
  metadataFields?: string[];
  /**
   * A DreamFactory filter the app pins (never the model), AND-ed with the search: `(<search>) AND (<filter>)`.
   * Write it parenthesised as DreamFactory requires, e.g. `(status = published) AND (lang = en)`.
   */
  filter?: string;
  /** Documents returned. @default 4 */
  k?: number;
  /** Primary-key column (the document id). @default "id" */
  idField?: string;
  /**
   * Extra columns to fetch, for a `pageContent` function. When `pageContent` is a function and this is not set,
   * every column (`fields=*`) is fetched.
   */
  fields?: string[];
  /** Server-side order of the candidates, e.g. "updated_at desc" (pinned by the app). @default none */
  order?: string;
  /** Rows fetched and ranked per query (bounded to 1000). @default min(5 × k, 100) */
  candidatePool?: number;
  /** Most search terms taken from a query. @default 8 */
  maxTerms?: number;
  /**
   * Also search Capitalised, UPPER-case and as-typed spellings of each term, for case-sensitive `LIKE`
   * (PostgreSQL). Set false when the database compares case-insensitively (e.g. MySQL's default collations).
   * @default true
   */
  caseVariants?: boolean;
}

/** Metadata of a {@link DreamFactoryRetriever} document. */
export interface DreamFactoryDocumentMetadata extends Record<string, unknown> {
  service: string;
  table: string;
  /** The row's primary key. */
  id: unknown;
  /** `dreamfactory://{service}/{table}/{id}`. */
  source: string;
  /** Who the search ran as (non-secret). */
  actedAs: { userId: number; email?: string };
  /** `X-DreamFactory-Trace-Id` of the request = the retriever run id. */
  traceId: string;
  /** The exact filter sent to DreamFactory. */
  filter: string;
  /** BM25 score among the fetched candidates. */
  score: number;
}

const ORDER = /^[A-Za-z_][A-Za-z0-9_]*(\s+(asc|desc))?(\s*,\s*[A-Za-z_][A-Za-z0-9_]*(\s+(asc|desc))?)*$/i;

/**
 * Documents from one DreamFactory table, searched server-side **as the end user**, so DreamFactory's role rules
 * and the database's row-level security decide what can be found: the top-k is the top-k of what this user may
 * see, not a post-filtered remainder.
 *
 * The query is split into terms (lower-cased, stop words dropped, at most `maxTerms`; quotes, braces, parentheses,
 * commas, operators, `%` and `_` never reach the filter). Each term becomes `(field CONTAINS term)` for every search
 * field, OR-ed, and AND-ed with the app's `filter`. A bounded pool of candidate rows (`candidatePool`, only the needed
 * columns) is fetched in one request and ranked with BM25; the best `k` become `Document`s whose metadata says
 * where each came from and who asked. No token ever enters a document.
 *
 * The credential is read from the run's config (`withDreamFactoryUser(...)` or `context.dreamfactory`), never from
 * the instance: one retriever serves every user. No credential → `DreamFactoryError` (`credential_missing`) and no
 * request. A query without usable terms returns `[]` without a request.
 *
 * Limits: candidates are the first `candidatePool` matching rows in the table's (or `order`'s) order, so on very
 * large tables with common terms a better match outside the pool is not seen; `CONTAINS` matches substrings.
 *
 * @example
 * ```ts
 * const retriever = new DreamFactoryRetriever({
 *   client, service: "db", table: "kb_articles", searchFields: ["title", "body"], metadataFields: ["team"], k: 3,
 * });
 * const docs = await retriever.invoke("refund policy", withDreamFactoryUser(credential));
 * ```
 */
export class DreamFactoryRetriever extends UserScopedRetriever {
  static override lc_name(): string {
    return "DreamFactoryRetriever";
  }

  override lc_namespace = ["langchain_dreamfactory", "retrievers"];

  /** Client used for every request. */
  readonly client: DreamFactoryClient;
  /** Database service name. */
  readonly service: string;
  /** Table name. */
  readonly table: string;
  /** Searched columns. */
  readonly searchFields: readonly string[];
  /** Document text. */
  readonly pageContent: RowContent;
  /** Columns copied into metadata. */
  readonly metadataFields: readonly string[];
  /** App-pinned filter. */
  readonly filter: string | undefined;
  /** Documents returned. */
  readonly k: number;
  /** Primary-key column. */
  readonly idField: string;
  /** Candidate rows fetched per query. */
  readonly candidatePool: number;
  readonly #fetchFields: string;
  readonly #order: string | undefined;
  readonly #maxTerms: number;
  readonly #caseVariants: boolean;

  /**
   * @param options - see {@link DreamFactoryRetrieverOptions}
   * @throws TypeError naming the option when an option is missing or malformed
   */
  constructor(options: DreamFactoryRetrieverOptions) {
    super({ callbacks: options.callbacks, tags: options.tags, metadata: options.metadata, verbose: options.verbose });
    const target = checkTableTarget(options);
    if (!Array.isArray(options.searchFields) || options.searchFields.length === 0) {
      throw new TypeError("searchFields must be a non-empty list of column names");
    }
    options.searchFields.forEach((f, i) => assertFieldName(f, `searchFields[${i}]`));
    const pageContent = options.pageContent ?? options.searchFields;
    assertRowContent(pageContent, "pageContent");
    const metadataFields = options.metadataFields ?? [];
    if (!Array.isArray(metadataFields)) throw new TypeError("metadataFields must be a list of column names");
    metadataFields.forEach((f, i) => {
      assertFieldName(f, `metadataFields[${i}]`);
      if ((RETRIEVER_METADATA_KEYS as readonly string[]).includes(f)) {
        throw new TypeError(`metadataFields[${i}] "${f}" clashes with a metadata key the retriever sets`);
      }
    });
    const { idField, k } = target;
    const candidatePool = options.candidatePool ?? Math.min(5 * k, 100);
    if (!Number.isInteger(candidatePool) || candidatePool < k || candidatePool > 1000) {
      throw new TypeError("candidatePool must be an integer from k to 1000");
    }
    if (options.fields !== undefined) {
      if (!Array.isArray(options.fields)) throw new TypeError("fields must be a list of column names");
      options.fields.forEach((f, i) => assertFieldName(f, `fields[${i}]`));
    }
    if (options.order !== undefined && (typeof options.order !== "string" || !ORDER.test(options.order.trim()))) {
      throw new TypeError('order must look like "column [asc|desc][, column [asc|desc]]"');
    }
    const maxTerms = options.maxTerms ?? 8;
    if (!Number.isInteger(maxTerms) || maxTerms < 1 || maxTerms > 32) {
      throw new TypeError("maxTerms must be an integer from 1 to 32");
    }

    this.client = target.client;
    this.service = target.service;
    this.table = target.table;
    this.searchFields = [...options.searchFields];
    this.pageContent = typeof pageContent === "function" ? pageContent : [...pageContent];
    this.metadataFields = [...metadataFields];
    this.filter = target.filter;
    this.k = k;
    this.idField = idField;
    this.candidatePool = candidatePool;
    this.#order = options.order?.trim();
    this.#maxTerms = maxTerms;
    this.#caseVariants = options.caseVariants ?? true;
    const contentFields = rowContentFields(this.pageContent);
    this.#fetchFields =
      contentFields === undefined && options.fields === undefined
        ? "*"
        : [
            ...new Set([idField, ...this.searchFields, ...(contentFields ?? []), ...metadataFields, ...(options.fields ?? [])]),
          ].join(",");
  }

  /**
   * Searches the table as the user in `config` and returns the best `k` rows as documents.
   *
   * @param query - free-text query
   * @param runManager - callback manager of this run (its run id is the trace id)
   * @param config - the run's config holding the credential
   */
  override async _getRelevantDocuments(
    query: string,
    runManager?: CallbackManagerForRetrieverRun,
    config?: RunnableConfig,
  ): Promise<DocumentInterface[]> {
    const credential = this.client.credentialFrom(config);
    if (typeof query !== "string") throw new DreamFactoryError("invalid_input", "The retriever query must be a string");
    const terms = extractSearchTerms(query, { maxTerms: this.#maxTerms });
    const search = buildSearchFilter(this.searchFields, terms, { caseVariants: this.#caseVariants });
    if (search === undefined) return [];
    const filter = andFilters(search, this.filter) ?? search;

    const { rows, traceId, actedAs } = await readRows(this.client, credential, {
      path: tablePath(this.service, this.table),
      query: { filter, fields: this.#fetchFields, limit: this.candidatePool, order: this.#order },
      signal: config?.signal,
      traceId: runManager?.runId ?? config?.runId,
    });

    const candidates = rows.filter((row) => row[this.idField] !== null && row[this.idField] !== undefined);
    const texts = candidates.map((row) => this.searchFields.map((f) => stringValue(row[f])).join("\n"));
    const ranked = rankBm25(
      terms.map((t) => t.term),
      texts,
    ).slice(0, this.k);

    return ranked.map(({ index, score }) => {
      const row = candidates[index] as Row;
      const id = row[this.idField];
      const metadata: DreamFactoryDocumentMetadata = {
        service: this.service,
        table: this.table,
        id,
        source: `dreamfactory://${this.service}/${this.table}/${encodeURIComponent(String(id))}`,
        actedAs: actedAs.email === undefined ? { userId: actedAs.userId } : { userId: actedAs.userId, email: actedAs.email },
        traceId,
        filter,
        score,
      };
      for (const field of this.metadataFields) metadata[field] = row[field];
      return new Document({ pageContent: renderRowContent(this.pageContent, row), metadata, id: metadata.source });
    });
  }
}

function stringValue(value: unknown): string {
  if (value === null || value === undefined) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}
