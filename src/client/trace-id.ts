import { randomUUID } from "node:crypto";

const TRACE_ID = /^[A-Za-z0-9._-]{8,64}$/;

/**
 * The trace id to send: `candidate` when it matches `^[A-Za-z0-9._-]{8,64}$` (a LangChain run id does), else a
 * fresh UUID.
 * @param candidate - usually the calling tool's run id
 */
export function chooseTraceId(candidate: string | undefined): string {
  return typeof candidate === "string" && TRACE_ID.test(candidate) ? candidate : randomUUID();
}
