const JWT_SHAPE = /[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g;
const LONG_SECRETISH = /[A-Za-z0-9+/_-]{48,}={0,2}/g;

/**
 * DreamFactory's (already client-scrubbed) error text, made fit for a model: anything shaped like a JWT or a
 * long key is replaced, SQL after the first line is dropped, and the text is capped.
 *
 * @param text - `DreamFactoryError.dreamfactory.message`
 * @param max - longest result
 */
export function modelSafeText(text: string | undefined, max = 200): string {
  if (text === undefined) return "";
  const firstLine = text.split(/\r?\n/)[0] ?? "";
  const clean = firstLine.replace(JWT_SHAPE, "[redacted]").replace(LONG_SECRETISH, "[redacted]").replace(/[{}]/g, "").trim();
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/**
 * Serialises a tool's content for the model: compact JSON.
 * @param value - plain data
 */
export function modelJson(value: unknown): string {
  return JSON.stringify(value);
}
