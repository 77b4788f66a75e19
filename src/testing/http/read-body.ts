import type { IncomingMessage } from "node:http";
import { SandboxHttpError } from "../errors.js";

/** Largest request body the sandbox accepts (1 MiB); larger bodies answer 413. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Beyond this, the sandbox stops draining an oversized upload and closes the connection. */
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * Reads a request body up to `limit` bytes. An oversized body is drained (so the client can read the answer)
 * and refused with 413; a Content-Length above the limit is refused without waiting for the data.
 * @throws SandboxHttpError 413
 */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const tooLarge = () => new SandboxHttpError(413, `Request body is larger than the limit of ${limit} bytes.`);
  const declared = Number(req.headers["content-length"] ?? "0");
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let overflow = Number.isFinite(declared) && declared > limit;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) overflow = true;
      if (!overflow) chunks.push(chunk);
      if (size > DRAIN_LIMIT_BYTES) {
        req.destroy();
        reject(tooLarge());
      }
    });
    req.on("end", () => (overflow ? reject(tooLarge()) : resolve(Buffer.concat(chunks))));
    req.on("error", () => reject(new SandboxHttpError(400, "The request body could not be read.")));
  });
}
