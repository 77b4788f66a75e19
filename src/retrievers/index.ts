export { DreamFactoryRetriever, RETRIEVER_METADATA_KEYS } from "./dreamfactory-retriever.js";
export type { DreamFactoryDocumentMetadata, DreamFactoryRetrieverOptions } from "./dreamfactory-retriever.js";
export { DreamFactoryAuthorizedRetriever } from "./dreamfactory-authorized-retriever.js";
export type { AuthorizationMetadata, DreamFactoryAuthorizedRetrieverOptions } from "./dreamfactory-authorized-retriever.js";
export type { Row, RowContent } from "./row-content.js";
export { rankBm25 } from "./bm25.js";
export type { Bm25Hit, Bm25Options } from "./bm25.js";
