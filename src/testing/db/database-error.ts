import { SandboxHttpError } from "../errors.js";

/** The operation a database error happened in; picks DreamFactory's wording. */
export type RecordOperation = "retrieve" | "create" | "update" | "delete";

/** Message DreamFactory-style: "Failed to retrieve records from 'orders'." / "Failed to create records in 'orders'." */
export function failedMessage(operation: RecordOperation, table: string): string {
  const preposition = operation === "retrieve" || operation === "delete" ? "from" : "in";
  return `Failed to ${operation} records ${preposition} '${table}'.`;
}

function sqlState(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && "code" in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/**
 * Turns a database error into the sandbox's HTTP answer. Never echoes SQL text.
 * - SQLSTATE 42501 (insufficient privilege: column/table privilege, row-level security on write) → 403
 *   "Denied access to some of the requested fields.";
 * - class 22 (bad value) and 23 (constraint violation) → 400 "Failed to … records … '{t}'." followed by a
 *   newline and Postgres's primary message (it names the constraint, never the statement);
 * - anything else → 500 "Failed to … records … '{t}'." (the cause is kept on `error.cause`, not in the message).
 * A SandboxHttpError passes through unchanged.
 */
export function mapDatabaseError(error: unknown, operation: RecordOperation, table: string): SandboxHttpError {
  if (error instanceof SandboxHttpError) return error;
  const state = sqlState(error);
  let mapped: SandboxHttpError;
  if (state === "42501") {
    mapped = new SandboxHttpError(403, "Denied access to some of the requested fields.");
  } else if (state && (state.startsWith("22") || state.startsWith("23"))) {
    const detail = error instanceof Error ? error.message.split("\n")[0] : "";
    mapped = new SandboxHttpError(400, `${failedMessage(operation, table)}\n${detail}`);
  } else {
    mapped = new SandboxHttpError(500, failedMessage(operation, table));
  }
  Object.defineProperty(mapped, "cause", { value: error, enumerable: false, configurable: true, writable: true });
  return mapped;
}
