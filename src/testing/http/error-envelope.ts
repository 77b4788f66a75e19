import { SandboxHttpError } from "../errors.js";

/**
 * DreamFactory's error envelope (reference §4.1): `{"error":{"code","context","message","status_code"}}` in that
 * key order, the message passed through PHP's `htmlentities(…, ENT_COMPAT)`.
 */

/** Encodes `&`, `"`, `<`, `>` like `htmlentities(…, ENT_COMPAT)` (single quotes untouched). */
export function encodeHtmlEntities(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** The body DreamFactory sends for an error. */
export interface ErrorEnvelope {
  error: { code: number; context: unknown; message: string; status_code: number };
}

/** Builds the envelope of a SandboxHttpError. */
export function errorEnvelope(err: SandboxHttpError): ErrorEnvelope {
  return {
    error: { code: err.code, context: err.context, message: encodeHtmlEntities(err.message), status_code: err.status },
  };
}

/** The envelope of one error inside a batch error's `context.resource` (nested message encoded too). */
export function batchItemError(err: SandboxHttpError): ErrorEnvelope["error"] {
  return errorEnvelope(err).error;
}

/** Wraps anything thrown into a SandboxHttpError (unknown errors become a generic 500 without details). */
export function toSandboxError(err: unknown): SandboxHttpError {
  if (err instanceof SandboxHttpError) return err;
  return new SandboxHttpError(500, "Internal Server Error");
}
