import { MIN_FORM_LENGTH, secretForms } from "./secret-forms.js";
import { redactSecretShapes } from "./secret-shapes.js";

const REDACTED = "[REDACTED]";
const MIN_SHORT_SECRET_LENGTH = 4;

/**
 * Removes known secrets (the caller's token, its payload and signature parts, the API key) in every form
 * DreamFactory's lookup modifiers can give them (see {@link secretForms}: any letter case, URL-encoded, base64 /
 * base64url with or without padding, base64-decoded), and whatever looks like a secret of anyone (see
 * {@link redactSecretShapes}: a JWT in any case, a base64-encoded JWT, binary junk), from text DreamFactory sends
 * back. DreamFactory substitutes `{session.token}` lookups in filters and echoes them in 400 messages, so its error
 * text can hold the caller's token.
 *
 * Cost: the forms of a secret are computed once (remembered by its sha256, ~90 µs for a token); building a scrubber
 * from remembered forms and scrubbing a short message takes ~8 µs. Scrubbing lower-cases the text once and looks for
 * each form with `includes`; the replacing regular expression is built only when a form is there. Linear in the
 * text's length.
 */
export class SecretScrubber {
  readonly #forms: string[];
  readonly #lower: string[];
  readonly #short: string[];
  #pattern: RegExp | undefined;

  /**
   * @param secrets - strings to remove in all their forms (a JWT's parts too)
   * @param shortSecrets - exact strings removed even when shorter than 8 characters (4 at least), e.g. a password
   */
  constructor(secrets: ReadonlyArray<string | undefined>, shortSecrets: ReadonlyArray<string | undefined> = []) {
    const forms = new Map<string, string>();
    for (const secret of secrets) {
      if (secret === undefined || secret.length < MIN_FORM_LENGTH) continue;
      const known = secretForms(secret);
      known.forms.forEach((form, i) => forms.set(known.lower[i] ?? form.toLowerCase(), form));
    }
    // Longest first, so a token is removed whole before one of its parts.
    const ordered = [...forms].sort((a, b) => b[1].length - a[1].length);
    this.#forms = ordered.map(([, form]) => form);
    this.#lower = ordered.map(([lower]) => lower);
    this.#short = [...new Set(shortSecrets.filter((s): s is string => s !== undefined && s.length >= MIN_SHORT_SECRET_LENGTH))].sort(
      (a, b) => b.length - a.length,
    );
  }

  /**
   * @param text - untrusted text
   * @returns the text with secrets replaced by `[REDACTED]`
   */
  text(text: string): string {
    let out = text;
    for (const secret of this.#short) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    if (this.#lower.length > 0) {
      const lower = out.toLowerCase();
      if (this.#lower.some((form) => lower.includes(form))) out = out.replace(this.#regex(), REDACTED);
    }
    return redactSecretShapes(out, REDACTED);
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

  /** One case-insensitive alternation of every form, longest first; built on first use. */
  #regex(): RegExp {
    this.#pattern ??= new RegExp(this.#forms.map((form) => form.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")).join("|"), "gi");
    return this.#pattern;
  }
}
