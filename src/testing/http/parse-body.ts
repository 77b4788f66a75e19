import { SandboxHttpError } from "../errors.js";

/**
 * Parses a request body (reference §10.2): JSON when the Content-Type mentions `json`, is `text/plain` or is
 * absent; form-urlencoded into an object. XML and CSV bodies are not supported by the sandbox (415).
 * @returns undefined for an empty body.
 * @throws SandboxHttpError 400 for malformed JSON, 415 for other content types.
 */
export function parseBody(raw: Buffer, contentType: string | undefined): unknown {
  const text = raw.toString("utf8");
  if (text.trim() === "") return undefined;
  const type = (contentType ?? "").toLowerCase();
  if (type.includes("application/x-www-form-urlencoded")) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  if (type === "" || type.includes("json") || type.startsWith("text/plain")) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new SandboxHttpError(400, "Request body is not valid JSON.");
    }
  }
  throw new SandboxHttpError(415, "Unsupported request content type; send JSON.");
}
