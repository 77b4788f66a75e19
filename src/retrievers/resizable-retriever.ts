import type { BaseRetrieverInterface } from "@langchain/core/retrievers";
import { VectorStoreRetriever, type VectorStoreInterface } from "@langchain/core/vectorstores";

/** The parts of a `VectorStoreRetriever` needed to make a copy with another `k` (duck-typed: works across copies). */
interface VectorStoreRetrieverLike {
  vectorStore: VectorStoreInterface;
  k: number;
  filter?: unknown;
  searchType?: string;
  searchKwargs?: { fetchK?: number; lambda?: number };
  callbacks?: unknown;
  tags?: string[];
  metadata?: Record<string, unknown>;
  verbose?: boolean;
}

function isVectorStoreRetriever(retriever: unknown): retriever is VectorStoreRetrieverLike {
  const r = retriever as Partial<VectorStoreRetrieverLike> | null;
  return (
    typeof r === "object" &&
    r !== null &&
    typeof r.k === "number" &&
    typeof r.vectorStore === "object" &&
    r.vectorStore !== null &&
    typeof r.vectorStore.similaritySearch === "function"
  );
}

/**
 * For a vector-store retriever, a function building a copy that returns up to `k` documents (same store, filter,
 * search type, callbacks, tags and metadata). The copy is new per call, so concurrent runs never change the shared
 * retriever's `k`. Returns `undefined` for any other retriever (it cannot be asked for more).
 *
 * @param retriever - the inner retriever of `DreamFactoryAuthorizedRetriever`
 */
export function resizableRetriever(retriever: BaseRetrieverInterface): ((k: number) => BaseRetrieverInterface) | undefined {
  if (!isVectorStoreRetriever(retriever)) return undefined;
  const r = retriever;
  return (k) => {
    const common = {
      vectorStore: r.vectorStore,
      k,
      filter: r.filter as never,
      callbacks: r.callbacks as never,
      tags: r.tags,
      metadata: r.metadata,
      verbose: r.verbose,
    };
    if (r.searchType === "mmr") {
      const fetchK = Math.max(r.searchKwargs?.fetchK ?? 20, k);
      return new VectorStoreRetriever({ ...common, searchType: "mmr", searchKwargs: { ...r.searchKwargs, fetchK } });
    }
    return new VectorStoreRetriever(common);
  };
}
