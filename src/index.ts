/**
 * langchain-dreamfactory: LangChain.js tools and retrievers that call DreamFactory as the end user.
 *
 * Public API only; every name is exported explicitly (a test pins this list).
 * The sandbox server for tests lives in `langchain-dreamfactory/testing`.
 */

// Errors
export { DreamFactoryError, isDreamFactoryError } from "./errors/index.js";
export type { DreamFactoryErrorCode, DreamFactoryErrorEnvelope } from "./errors/index.js";

// Identity: who a call runs as
export { DreamFactoryCredential, isDreamFactoryCredential, resolveCredential, withDreamFactoryUser } from "./identity/index.js";
export type {
  CredentialResolver,
  DreamFactoryCredentialJSON,
  FromSessionTokenOptions,
  IdentityExpectationInput,
  VerifyOptions,
  VerifyWithJwksOptions,
  VerifyWithSecretOptions,
  WithDreamFactoryUserOptions,
} from "./identity/index.js";

// Client
export { DreamFactoryClient } from "./client/index.js";
export type { ActedAs, DreamFactoryClientOptions, DreamFactoryMethod, DreamFactoryRequest, DreamFactoryResponse } from "./client/index.js";

// Tools
export {
  AggregateTool,
  DescribeTableTool,
  DreamFactoryToolkit,
  GetRecordsTool,
  ListTablesTool,
  QueryRecordsTool,
} from "./tools/index.js";
export type { DreamFactoryReceipt, DreamFactoryToolkitOptions, DreamFactoryToolOptions } from "./tools/index.js";

// Retrievers
export { DreamFactoryAuthorizedRetriever, DreamFactoryRetriever } from "./retrievers/index.js";
export type {
  AuthorizationMetadata,
  DreamFactoryAuthorizedRetrieverOptions,
  DreamFactoryDocumentMetadata,
  DreamFactoryRetrieverOptions,
  RowContent,
} from "./retrievers/index.js";
