import type { WriteApprovalRequest } from "./write-approval-request.js";

/**
 * A write approval request as plain text for a person: what, as whom, and the preview. Used as the description of
 * langchain's human-in-the-loop interrupt (see {@link writeApprovalInterruptOn}), where the middleware, not the
 * digest, decides, so the digest and expiry are left out.
 *
 * @param request - the approval request
 */
export function approvalText(request: WriteApprovalRequest): string {
  const who = request.actedAs.email === undefined ? `user ${request.actedAs.userId}` : `${request.actedAs.email} (user ${request.actedAs.userId})`;
  const lines = [`Approve ${request.action} in ${request.service}.${request.table} as ${who}?`];
  if (request.ids !== undefined) lines.push(`Ids: ${JSON.stringify(request.ids)}`);
  if (request.changes !== undefined) lines.push(`Changes: ${JSON.stringify(request.changes)}`);
  if (request.records !== undefined) lines.push(`Records: ${JSON.stringify(request.records)}`);
  lines.push(`Preview: ${request.preview.summary}`);
  if (request.preview.rows !== undefined) lines.push(`Rows now: ${JSON.stringify(request.preview.rows)}`);
  return lines.join("\n");
}
