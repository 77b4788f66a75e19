import type { ServerResponse } from "node:http";

/** JSON as DreamFactory encodes it: unescaped slashes, non-ASCII escaped as `\uXXXX` (reference §2.2.4). */
export function encodeJson(body: unknown): string {
  return JSON.stringify(body).replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * Writes a response. With `truncate`, the full Content-Length is announced but only half of the body is sent
 * before the connection is cut (a fault for client tests).
 */
export function sendResponse(
  res: ServerResponse,
  status: number,
  body: string,
  contentType: string,
  headers: Record<string, string>,
  truncate: boolean,
): void {
  const bytes = Buffer.from(body, "utf8");
  res.writeHead(status, { ...headers, "Content-Type": contentType, "Content-Length": String(bytes.length) });
  if (!truncate) {
    res.end(bytes);
    return;
  }
  res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.destroy());
}

/** A non-JSON HTML error page, like a reverse proxy in front of DreamFactory would send. */
export function htmlErrorPage(status: number): string {
  const title = status === 500 ? "Internal Server Error" : status === 502 ? "Bad Gateway" : "Service Unavailable";
  return `<!DOCTYPE html>\n<html><head><title>${status} ${title}</title></head><body><center><h1>${status} ${title}</h1></center><hr><center>nginx</center></body></html>\n`;
}
