import type { DreamFactoryErrorEnvelope } from "../errors/dreamfactory-error.js";
import { decodeHtmlEntities } from "./html-entities.js";
import type { SecretScrubber } from "./secret-scrubber.js";

/**
 * Parses DreamFactory's error envelope `{"error":{code,context,message,status_code}}` from a response body,
 * entity-decoding and scrubbing the message and scrubbing the context. Returns `undefined` for anything else
 * (HTML error pages, proxies, empty bodies) — the body is then never quoted.
 *
 * @param body - raw response text
 * @param status - HTTP status (fallback for a missing `code`)
 * @param scrubber - removes the caller's secrets
 */
export function parseErrorEnvelope(
  body: string,
  status: number,
  scrubber: SecretScrubber,
): DreamFactoryErrorEnvelope | undefined {
  if (body.length === 0 || body.length > 1_000_000) return undefined;
  const first = body.trimStart()[0];
  if (first !== "{") return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const error = (parsed as { error?: unknown }).error;
  if (typeof error !== "object" || error === null) return undefined;
  const { code, message, context } = error as { code?: unknown; message?: unknown; context?: unknown };
  const numericCode = typeof code === "number" ? code : typeof code === "string" && /^\d+$/.test(code) ? Number(code) : status;
  return {
    code: numericCode,
    message: typeof message === "string" ? scrubber.text(decodeHtmlEntities(message)) : "",
    context: context === undefined ? null : scrubber.value(context),
  };
}
