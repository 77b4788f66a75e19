/**
 * langchain-dreamfactory: LangChain.js tools and retrievers that call DreamFactory as the end user.
 *
 * Public API only; every name is exported explicitly (a test pins this list).
 * The sandbox server for tests lives in `langchain-dreamfactory/testing`.
 */

// Errors
export { DreamFactoryError, isDreamFactoryError } from "./errors/index.js";
export { isIdentityError } from "./errors/identity-error-codes.js";
export type { DreamFactoryErrorCode, DreamFactoryErrorEnvelope } from "./errors/index.js";

// Identity: who a call runs as
export { DreamFactoryCredential, isDreamFactoryCredential, resolveCredential, withDreamFactoryUser } from "./identity/index.js";
export type {
  CredentialResolver,
  DreamFactorySessionInfo,
  ExpectedUserResolver,
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

// Sessions: login, refresh, logout, tokens from SSO redirects
export { DreamFactorySession } from "./session/index.js";
export type { LoginOptions, LogoutResult, RefreshResult } from "./session/index.js";

// Filters: typed conditions compiled to DreamFactory filter strings
export { compileWhere, validateFilter } from "./filter/index.js";
export type { Where, WhereCondition, WhereGroup, WhereOperator } from "./filter/index.js";

// Tools
export {
  AggregateTool,
  CreateRecordsTool,
  DeleteRecordsTool,
  DescribeTableTool,
  DreamFactoryToolkit,
  GetRecordsTool,
  ListTablesTool,
  QueryRecordsTool,
  UpdateRecordsTool,
  writeApprovalInterruptOn,
} from "./tools/index.js";
export type {
  DreamFactoryReceipt,
  DreamFactoryToolkitOptions,
  DreamFactoryToolOptions,
  DreamFactoryWriteOptions,
  DreamFactoryWriteReceipt,
  WriteApprovalDecision,
  WriteApprovalMode,
  WriteApprovalRequest,
  WriteApprover,
  WritePreview,
} from "./tools/index.js";

// Agents
export { dreamfactoryMiddleware } from "./agents/dreamfactory-middleware.js";

// Retrievers
export { DreamFactoryAuthorizedRetriever, DreamFactoryRetriever } from "./retrievers/index.js";
export type {
  AuthorizationMetadata,
  DreamFactoryAuthorizedRetrieverOptions,
  DreamFactoryDocumentMetadata,
  DreamFactoryRetrieverOptions,
  RowContent,
} from "./retrievers/index.js";
