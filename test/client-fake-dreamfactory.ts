import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request as the fake server saw it (kept in memory only; never written anywhere). */
export interface SeenRequest {
  method: string;
  /** Path and query as sent. */
  url: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Answers one request. */
export type FakeHandler = (req: SeenRequest, res: ServerResponse, raw: IncomingMessage) => unknown;

/** DreamFactory's `htmlentities($message, ENT_COMPAT)`. */
export function dfEncode(message: string): string {
  return message.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * Writes DreamFactory's error envelope `{"error":{code,context,message,status_code}}`.
 * @param res - response
 * @param status - HTTP status
 * @param message - plain message (entity-encoded here, as DreamFactory does)
 * @param extra - envelope code/context and headers
 */
export function sendEnvelope(
  res: ServerResponse,
  status: number,
  message: string,
  extra: { code?: number; context?: unknown; headers?: Record<string, string> } = {},
): void {
  const body = JSON.stringify({
    error: { code: extra.code ?? status, context: extra.context ?? null, message: dfEncode(message), status_code: status },
  });
  res.writeHead(status, { "content-type": "application/json", ...extra.headers }).end(body);
}

/** Writes a JSON success body. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

/**
 * A tiny DreamFactory look-alike on 127.0.0.1:0 for client tests: each test installs a handler; every request
 * is recorded so tests can count what reached the server.
 */
export class FakeDreamFactory {
  readonly requests: SeenRequest[] = [];
  #handler: FakeHandler = (_req, res) => sendEnvelope(res, 404, "No handler installed.");
  readonly #server: Server;

  private constructor(server: Server) {
    this.#server = server;
  }

  /** Starts the server. */
  static async start(): Promise<FakeDreamFactory> {
    let fake: FakeDreamFactory | undefined;
    const server = createServer((raw, res) => {
      const chunks: Buffer[] = [];
      raw.on("data", (chunk: Buffer) => chunks.push(chunk));
      raw.on("end", () => {
        const url = raw.url ?? "/";
        const seen: SeenRequest = {
          method: raw.method ?? "GET",
          url,
          path: url.split("?")[0] ?? url,
          headers: raw.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        };
        const self = fake as FakeDreamFactory;
        self.requests.push(seen);
        new Promise<unknown>((resolve) => resolve(self.#handler(seen, res, raw))).catch(() => {
          if (!res.headersSent) res.writeHead(599).end();
        });
      });
    });
    fake = new FakeDreamFactory(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return fake;
  }

  /** `http://127.0.0.1:<port>`. */
  get baseUrl(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /**
   * Installs a handler and forgets recorded requests.
   * @param handler - answers requests
   */
  reset(handler: FakeHandler): void {
    this.requests.length = 0;
    this.#handler = handler;
  }

  /**
   * Number of recorded requests, optionally filtered.
   * @param method - e.g. "PUT"
   * @param path - exact path
   */
  count(method?: string, path?: string): number {
    return this.requests.filter((r) => (method === undefined || r.method === method) && (path === undefined || r.path === path))
      .length;
  }

  /** Stops the server and drops keep-alive connections. */
  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}

/**
 * Asserts that no secret appears in any view of a thrown value: message, String(), stack, JSON, util.inspect
 * (hidden properties included) and its cause chain.
 * @param thrown - what was thrown
 * @param secrets - strings that must not appear (token, its signature part, API key)
 */
export async function expectNoSecretsIn(thrown: unknown, secrets: string[]): Promise<void> {
  const { inspect } = await import("node:util");
  const views: string[] = [String(thrown), inspect(thrown, { depth: 20, showHidden: true })];
  let current: unknown = thrown;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    if (current instanceof Error) views.push(current.message, String(current.stack));
    views.push(JSON.stringify(current) ?? "", inspect(current, { depth: 20, showHidden: true }));
    current = (current as { cause?: unknown }).cause;
  }
  for (const view of views) {
    for (const secret of secrets) {
      if (secret.length > 0 && view.includes(secret)) throw new Error("a secret leaked into a thrown error's view");
    }
  }
}
