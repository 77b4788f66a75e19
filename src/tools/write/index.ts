export { approvalText } from "./approval-text.js";
export { CreateRecordsTool } from "./create-records.js";
export { DeleteRecordsTool } from "./delete-records.js";
export { DreamFactoryWriteTool } from "./dreamfactory-write-tool.js";
export type { DreamFactoryWriteToolOptions } from "./dreamfactory-write-tool.js";
export { UpdateRecordsTool } from "./update-records.js";
export type { ApprovalDecisionKind, WriteApprovalInfo } from "./write-approval.js";
export type {
  WriteAction,
  WriteApprovalDecision,
  WriteApprovalRequest,
  WriteId,
  WritePreview,
  WriteRecord,
  WriteValue,
} from "./write-approval-request.js";
export { writeApprovalInterruptOn } from "./write-interrupt-on.js";
export type { WriteInterruptOnOptions } from "./write-interrupt-on.js";
export { DEFAULT_APPROVAL_TTL_MS, MAX_WRITE_RECORDS } from "./write-options.js";
export type { DreamFactoryWriteOptions, WriteApprovalMode, WriteApprover } from "./write-options.js";
export type { DreamFactoryWriteReceipt, WriteEffect, WriteOutcome } from "./write-receipt.js";
