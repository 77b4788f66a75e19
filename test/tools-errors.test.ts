/**
 * Tool behaviour on DreamFactory answers the sandbox does not produce: DreamFactory 7.0.0 without aggregate
 * fields, 500 with SQL text, 5xx and network failures, a DreamFactory message echoing the caller's token.
 * Uses a tiny DreamFactory look-alike (test/client-fake-dreamfactory.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DreamFactoryClient } from "../src/client/index.js";
import { isDreamFactoryError } from "../src/errors/index.js";
import { DreamFactoryCredential, withDreamFactoryUser } from "../src/identity/index.js";
import { DreamFactoryToolkit, MAX_AGGREGATE_SCAN_ROWS } from "../src/tools/index.js";
import { FakeDreamFactory, sendEnvelope, sendJson, type SeenRequest } from "./client-fake-dreamfactory.js";
import { mintToken } from "./identity-token-factory.js";
import { callTool, rowsOf, toolNamed } from "./tools-harness.js";

let fake: FakeDreamFactory;
let token: string;
let config: ReturnType<typeof withDreamFactoryUser>;
let tools: ReturnType<DreamFactoryToolkit["getTools"]>;

const ROWS = Array.from({ length: 2500 }, (_, i) => ({ id: i + 1, status: ["open", "shipped", "cancelled"][i % 3], total: (i % 10) + 0.5 }));

/** DreamFactory 7.0.0's table endpoint: no aggregate expressions, limit/offset/include_count on ROWS. */
function dreamFactory700(req: SeenRequest, res: Parameters<Parameters<FakeDreamFactory["reset"]>[0]>[1]): void {
  const q = new URL(req.url, "http://x").searchParams;
  const fields = q.get("fields");
  if (fields !== null && fields.includes("(")) return sendEnvelope(res, 400, `Invalid field requested: ${fields.split(",").find((f) => f.includes("("))}`);
  const offset = Number(q.get("offset") ?? 0);
  const limit = Math.min(Number(q.get("limit") ?? 1000), 1000);
  const page = ROWS.slice(offset, offset + limit);
  return sendJson(res, 200, { resource: page, ...(q.get("include_count") === "true" ? { meta: { count: ROWS.length } } : {}) });
}

beforeAll(async () => {
  fake = await FakeDreamFactory.start();
  token = await mintToken({ userId: 7 });
  config = withDreamFactoryUser(DreamFactoryCredential.fromSessionToken(token, { email: "pat@example.com" }));
  tools = new DreamFactoryToolkit({ client: new DreamFactoryClient({ baseUrl: fake.baseUrl, apiKey: "fake-key-0123456789", maxRetries: 1 }), service: "db" }).getTools();
});

afterAll(async () => {
  await fake?.close();
});

describe("aggregate on a DreamFactory without aggregate fields (7.0.0)", () => {
  it("falls back to reading the rows as the user and aggregating them locally", async () => {
    fake.reset(dreamFactory700);
    const { content, receipt } = await callTool(
      toolNamed(tools, "dreamfactory_aggregate"),
      { table: "orders", group_by: ["status"], aggregates: [{ function: "count" }, { function: "sum", field: "total" }, { function: "max", field: "total" }] },
      config,
    );
    const expected = ["cancelled", "open", "shipped"].map((status) => {
      const rows = ROWS.filter((r) => r.status === status);
      return { status, COUNT_ALL: rows.length, SUM_total: rows.reduce((s, r) => s + r.total, 0), MAX_total: 9.5 };
    });
    expect(rowsOf(content)).toEqual(expected);
    expect(receipt).toMatchObject({ aggregation: "client", outcome: "ok", requests: 1 + 3 });
    // the first request asked DreamFactory to aggregate; the fallback paged through the rows with only the needed columns
    expect(fake.requests[0]?.url).toMatch(/fields=status%2CCOUNT%28\*%29/);
    expect(fake.requests.slice(1).map((r) => new URL(r.url, "http://x").searchParams.get("offset"))).toEqual(["0", "1000", "2000"]);
    expect(new URL(fake.requests[1]?.url ?? "", "http://x").searchParams.get("fields")).toBe("status,total");
  });

  it("refuses (with a message for the model) when too many rows match", async () => {
    fake.reset((req, res) => sendJson(res, 200, { resource: [], meta: { count: MAX_AGGREGATE_SCAN_ROWS + 1 } }));
    const { content, receipt } = await callTool(toolNamed(tools, "dreamfactory_aggregate"), { table: "orders", aggregates: [{ function: "avg", field: "total" }] }, config);
    expect(content.error).toBe("too_many_rows");
    expect(String(content.message)).toMatch(/narrow/);
    expect(receipt.outcome).toBe("invalid_input");
  });
});

describe("DreamFactory failures", () => {
  it("a 500 'Failed to retrieve records' (7.0.0's answer to a bad order field) becomes a hint without the SQL", async () => {
    fake.reset((req, res) => {
      if (req.path.includes("_schema")) return sendJson(res, 200, { name: "orders", field: [{ name: "id" }, { name: "total" }] });
      return sendEnvelope(res, 500, "Failed to retrieve records from 'orders'.\nSQLSTATE[42703]: Undefined column: select * from orders order by nope");
    });
    const { content } = await callTool(toolNamed(tools, "dreamfactory_query_records"), { table: "orders", order: "nope desc" }, config);
    expect(content.error).toBe("bad_request");
    expect(JSON.stringify(content)).not.toMatch(/SQLSTATE|select \*/);
    expect(content.hint).toBe("Columns of orders: id, total.");
  });

  it("other 5xx and network failures are thrown, not shown to the model", async () => {
    fake.reset((_req, res) => sendEnvelope(res, 503, "Service Unavailable"));
    const err = await toolNamed(tools, "dreamfactory_list_tables").invoke({}, config).catch((e: unknown) => e);
    expect(isDreamFactoryError(err) && err.code).toBe("server_error");
    const offline = new DreamFactoryToolkit({ baseUrl: "http://127.0.0.1:9", apiKey: "fake-key-0123456789", maxRetries: 0, service: "db" }).getTools();
    const netErr = await toolNamed(offline, "dreamfactory_list_tables").invoke({}, config).catch((e: unknown) => e);
    expect(isDreamFactoryError(netErr) && netErr.code).toBe("network_error");
  });

  it("401 is thrown to the app (the session is the app's problem, not the model's)", async () => {
    fake.reset((_req, res) => sendEnvelope(res, 401, "Token has expired"));
    const err = await toolNamed(tools, "dreamfactory_list_tables").invoke({}, config).catch((e: unknown) => e);
    expect(isDreamFactoryError(err) && err.code).toBe("credential_expired");
  });

  it("a DreamFactory message echoing the caller's token never reaches the model", async () => {
    fake.reset((req, res) => {
      if (req.path.includes("_schema")) return sendEnvelope(res, 403, "no");
      return sendEnvelope(res, 400, `Invalid or unparsable field in filter request: '${token}'`);
    });
    const { content, message } = await callTool(toolNamed(tools, "dreamfactory_query_records"), { table: "orders" }, config);
    expect(content.error).toBe("bad_request");
    const [, payload, signature] = token.split(".");
    for (const part of [token, payload, signature]) expect(String(message.content)).not.toContain(part);
    expect(content.hint).toMatch(/dreamfactory_describe_table/);
  });

  it("404 for an unknown table is a model-facing not-found result", async () => {
    fake.reset((_req, res) => sendEnvelope(res, 404, 'Table "nope" does not exist in the database.'));
    const { content, receipt } = await callTool(toolNamed(tools, "dreamfactory_describe_table"), { table: "nope" }, config);
    expect(content.error).toBe("not_found");
    expect(String(content.message)).toMatch(/dreamfactory_list_tables/);
    expect(receipt.outcome).toBe("not_found");
  });
});
