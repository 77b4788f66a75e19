export { AggregateTool, MAX_AGGREGATE_SCAN_ROWS } from "./aggregate.js";
export { AGGREGATE_FUNCTIONS } from "./client-aggregation.js";
export type { AggregateFunction } from "./client-aggregation.js";
export { DescribeTableTool } from "./describe-table.js";
export { DreamFactoryTool } from "./dreamfactory-tool.js";
export type { DreamFactoryToolResult } from "./dreamfactory-tool.js";
export { DreamFactoryToolkit } from "./dreamfactory-toolkit.js";
export type { DreamFactoryToolkitOptions } from "./dreamfactory-toolkit.js";
export { GetRecordsTool, MAX_IDS } from "./get-records.js";
export { ListTablesTool } from "./list-tables.js";
export { QueryRecordsTool } from "./query-records.js";
export type { DreamFactoryToolOptions } from "./tool-options.js";
export type { DreamFactoryReceipt, ToolOutcome } from "./tool-receipt.js";
export {
  CreateRecordsTool,
  DeleteRecordsTool,
  DreamFactoryWriteTool,
  UpdateRecordsTool,
  writeApprovalInterruptOn,
} from "./write/index.js";
export type {
  DreamFactoryWriteOptions,
  DreamFactoryWriteReceipt,
  WriteAction,
  WriteApprovalDecision,
  WriteApprovalMode,
  WriteApprovalRequest,
  WriteApprover,
  WriteOutcome,
  WritePreview,
} from "./write/index.js";
