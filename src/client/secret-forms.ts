import { createHash } from "node:crypto";

/** Shortest form worth looking for (shorter strings would redact innocent text). */
export const MIN_FORM_LENGTH = 8;
/** Secrets whose forms are remembered (LRU): the tokens of the users calling recently, and the API key. */
const CACHE_LIMIT = 256;

/** The forms one secret can take in DreamFactory's answers, plain and lower-cased (for a cheap pre-check). */
export interface SecretForms {
  /** Every form, at least {@link MIN_FORM_LENGTH} characters, without duplicates. */
  readonly forms: readonly string[];
  /** `forms`, lower-cased, same order. */
  readonly lower: readonly string[];
}

const cache = new Map<string, SecretForms>();

/**
 * Every form in which DreamFactory can echo `secret` back, computed once per secret (remembered by the
 * secret's sha256, least recently used dropped beyond 256 secrets).
 *
 * DreamFactory substitutes lookups such as `{session.token}` and `{app.api_key}` in filters and echoes them in
 * 400 messages; a lookup may be wrapped in one modifier from `strtoupper, strtolower, ucfirst, lcfirst, ucwords,
 * urlencode, urldecode, rawurlencode, rawurldecode, base64_encode, base64_decode, trim` (reference §7.5). The forms:
 * the secret itself (matched case-insensitively, which covers the five case modifiers), its URL encodings (PHP
 * `rawurlencode`/`urlencode` and JavaScript's `encodeURIComponent`), base64 and base64url with and without padding,
 * and its base64 decoding (read as UTF-8, as PHP's lenient and Node's decoders do). For a JWT the same forms of its
 * payload and signature parts are added, so a part quoted alone is caught too. `trim`/`urldecode`/`rawurldecode`
 * leave a token or hex key unchanged.
 *
 * @param secret - a token or key
 */
export function secretForms(secret: string): SecretForms {
  const key = createHash("sha256").update(secret).digest("base64");
  const known = cache.get(key);
  if (known !== undefined) {
    cache.delete(key);
    cache.set(key, known);
    return known;
  }
  const roots = [secret];
  const parts = secret.split(".");
  if (parts.length === 3) roots.push(parts[1] ?? "", parts[2] ?? "");
  const all = new Set<string>();
  for (const root of roots) {
    if (root.length < MIN_FORM_LENGTH) continue;
    for (const form of formsOf(root)) if (form.length >= MIN_FORM_LENGTH) all.add(form);
  }
  const forms = [...all];
  const entry: SecretForms = { forms, lower: forms.map((form) => form.toLowerCase()) };
  cache.set(key, entry);
  if (cache.size > CACHE_LIMIT) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  return entry;
}

function formsOf(value: string): string[] {
  const bytes = Buffer.from(value, "utf8");
  const base64 = bytes.toString("base64");
  const base64url = bytes.toString("base64url");
  const padding = "=".repeat((4 - (base64url.length % 4)) % 4);
  return [
    value,
    percentEncode(bytes, /[A-Za-z0-9\-_.~]/), // PHP rawurlencode
    percentEncode(bytes, /[A-Za-z0-9\-_.]/, true), // PHP urlencode
    safeEncodeURIComponent(value),
    safeEncodeURIComponent(value).replace(/%20/g, "+"),
    base64,
    base64.replace(/=+$/, ""),
    base64url,
    base64url + padding,
    Buffer.from(value, "base64").toString("utf8"), // Node's decoder (accepts base64url, stops at padding)
    Buffer.from(value.replace(/[^A-Za-z0-9+/]/g, ""), "base64").toString("utf8"), // PHP's lenient decoder
  ];
}

function percentEncode(bytes: Buffer, keep: RegExp, spaceAsPlus = false): string {
  let out = "";
  for (const byte of bytes) {
    const ch = String.fromCharCode(byte);
    if (byte < 0x80 && keep.test(ch)) out += ch;
    else if (spaceAsPlus && byte === 0x20) out += "+";
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function safeEncodeURIComponent(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return value; // lone surrogates: nothing DreamFactory could produce from it either
  }
}
