import { SandboxHttpError } from "../errors.js";
import { isObject } from "./request-options.js";

/** DreamFactory's answer when a collection write has no record array. */
export const NO_RECORDS_MESSAGE =
  `No record(s) detected in request. Please make sure record(s) are wrapped in a 'resource' tag. Example: {"resource":[{"record":1},{"record":2}]}`;

/**
 * The records of a request body: `{"resource":[...]}` or a bare JSON array (reference §2.2.3). A single bare
 * object is not a record list.
 * @param required - throw 400 (DreamFactory's message) instead of returning null when there are none.
 */
export function recordsFromBody(body: unknown, required: boolean): unknown[] | null {
  let records: unknown[] | null = null;
  if (Array.isArray(body)) records = body;
  else if (isObject(body) && Array.isArray(body.resource)) records = body.resource;
  if ((records === null || records.length === 0) && required) throw new SandboxHttpError(400, NO_RECORDS_MESSAGE);
  return records === null || records.length === 0 ? null : records;
}
