const JWT_SHAPE = /eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{10,}/g;
const REDACTED = "[REDACTED]";
const MIN_SECRET_LENGTH = 8;
const MIN_SHORT_SECRET_LENGTH = 4;

/**
 * Removes known secrets (the caller's token, its signature part, the API key) and anything shaped like a JWT
 * from text DreamFactory sends back. DreamFactory substitutes `{session.token}` lookups in filters and echoes
 * them in 400 messages, so its error text can hold the caller's token.
 */
export class SecretScrubber {
  readonly #secrets: string[];

  /**
   * @param secrets - exact strings to remove; a JWT also contributes its signature part
   * @param shortSecrets - exact strings removed even when shorter than 8 characters (4 at least), e.g. a password
   */
  constructor(secrets: ReadonlyArray<string | undefined>, shortSecrets: ReadonlyArray<string | undefined> = []) {
    const all = new Set<string>();
    for (const secret of shortSecrets) {
      if (secret !== undefined && secret.length >= MIN_SHORT_SECRET_LENGTH) all.add(secret);
    }
    for (const secret of secrets) {
      if (secret === undefined || secret.length < MIN_SECRET_LENGTH) continue;
      all.add(secret);
      const parts = secret.split(".");
      const signature = parts.length === 3 ? parts[2] : undefined;
      if (signature !== undefined && signature.length >= MIN_SECRET_LENGTH) all.add(signature);
    }
    // Longest first, so a token is removed whole before its signature.
    this.#secrets = [...all].sort((a, b) => b.length - a.length);
  }

  /**
   * @param text - untrusted text
   * @returns the text with secrets replaced by `[REDACTED]`
   */
  text(text: string): string {
    let out = text;
    for (const secret of this.#secrets) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    return out.replace(JWT_SHAPE, REDACTED);
  }

  /**
   * Deep copy of a JSON value with every string scrubbed (depth-bounded; deeper parts become `"[TRUNCATED]"`).
   * @param value - parsed JSON
   * @param depth - current depth
   */
  value(value: unknown, depth = 0): unknown {
    if (typeof value === "string") return this.text(value);
    if (value === null || typeof value !== "object") return value;
    if (depth >= 8) return "[TRUNCATED]";
    if (Array.isArray(value)) return value.map((item) => this.value(item, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[this.text(key)] = this.value(item, depth + 1);
    return out;
  }
}
