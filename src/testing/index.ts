/**
 * `langchain-dreamfactory/testing`: a DreamFactory-compatible sandbox server for tests, demos and notebooks.
 */
export { startSandbox } from "./sandbox.js";
export type {
  Sandbox,
  SandboxActivationTarget,
  SandboxLogin,
  SandboxOptions,
  SandboxUsers,
} from "./sandbox.js";
export type { AuditEntry } from "./audit.js";
export type { FaultOptions, FaultTrigger } from "./faults.js";
export type { RoleServiceAccess, ServerFilter } from "./rbac/role-service-access.js";
