/**
 * An error the sandbox answers with DreamFactory's envelope:
 * `{"error":{"code","context","message","status_code"}}` (message HTML-entity-encoded on the wire).
 */
export class SandboxHttpError extends Error {
  override readonly name = "SandboxHttpError";
  constructor(
    readonly status: number,
    message: string,
    /** DreamFactory's `error.code`; equals the status except batch errors (1000). */
    readonly code: number = status,
    readonly context: unknown = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}
