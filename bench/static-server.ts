/**
 * A static DreamFactory-shaped JSON server on loopback: answers every GET on /api/v2/{service}/_table/{table}
 * with the same precomputed 10-record page. It isolates the client's cost from any server work.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface StaticServer {
  url: string;
  requests: () => number;
  close: () => Promise<void>;
}

export async function startStaticServer(): Promise<StaticServer> {
  const records = Array.from({ length: 10 }, (_, i) => ({
    id: 1000 + i,
    customer_id: 40 + i,
    sales_rep_id: 1,
    status: "open",
    total: 1234.5 - i * 10,
    currency: "EUR",
    ordered_at: "2026-11-01 10:00:00",
  }));
  const body = Buffer.from(JSON.stringify({ resource: records, meta: { count: 120, next: 10 } }));
  let count = 0;
  const server: Server = createServer((req, res) => {
    count++;
    if (req.method !== "GET" || !req.url?.startsWith("/api/v2/")) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end('{"error":{"code":404,"context":null,"message":"Not found.","status_code":404}}');
      return;
    }
    res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
    res.end(body);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
