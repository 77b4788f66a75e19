/**
 * Toolkit construction, what the app pins, and the model-facing surface of every tool (names, descriptions,
 * schemas) — offline: nothing here sends a request.
 */
import { toJsonSchema } from "@langchain/core/utils/json_schema";
import { describe, expect, it } from "vitest";
import { DreamFactoryClient } from "../src/client/index.js";
import {
  AggregateTool,
  DescribeTableTool,
  DreamFactoryToolkit,
  GetRecordsTool,
  ListTablesTool,
  QueryRecordsTool,
} from "../src/tools/index.js";

const base = { baseUrl: "http://127.0.0.1:9", apiKey: "test-api-key-0123456789", service: "db" };
const TOOL_NAMES = [
  "dreamfactory_list_tables",
  "dreamfactory_describe_table",
  "dreamfactory_query_records",
  "dreamfactory_get_records",
  "dreamfactory_aggregate",
];

describe("DreamFactoryToolkit options", () => {
  it("builds the five read tools from baseUrl + apiKey or from a client", () => {
    expect(new DreamFactoryToolkit(base).getTools().map((t) => t.name)).toEqual(TOOL_NAMES);
    const client = new DreamFactoryClient({ baseUrl: base.baseUrl, apiKey: base.apiKey });
    expect(new DreamFactoryToolkit({ client, service: "db" }).getTools().map((t) => t.name)).toEqual(TOOL_NAMES);
  });

  it("creates no write tools unless allowWrites is true", () => {
    const readOnly = new DreamFactoryToolkit(base);
    const writes = new DreamFactoryToolkit({ ...base, allowWrites: true });
    expect(readOnly.getTools().map((t) => t.name)).toEqual(TOOL_NAMES);
    expect(new DreamFactoryToolkit({ ...base, allowWrites: false }).getTools().map((t) => t.name)).toEqual(TOOL_NAMES);
    // with writes on, the read tools come first and anything added is a write tool (built by createWriteTools)
    expect(writes.getTools().slice(0, TOOL_NAMES.length).map((t) => t.name)).toEqual(TOOL_NAMES);
    expect(writes.getTools().slice(TOOL_NAMES.length).every((t) => /create|update|delete/.test(t.name))).toBe(true);
    expect(readOnly.toJSON()).toMatchObject({ allowWrites: false });
    expect(writes.toJSON()).toMatchObject({ allowWrites: true });
  });

  it.each([
    [{ ...base, service: "" }, /service/],
    [{ ...base, service: "../system" }, /service/],
    [{ ...base, tables: [] }, /tables/],
    [{ ...base, tables: ["orders", "x/y"] }, /tables/],
    [{ ...base, tables: "orders" }, /tables/],
    [{ ...base, maxRecords: 0 }, /maxRecords/],
    [{ ...base, maxRecords: 1001 }, /maxRecords/],
    [{ ...base, maxRecords: 2.5 }, /maxRecords/],
    [{ ...base, allowWrites: "yes" }, /allowWrites/],
    [{ service: "db" }, /client, or options baseUrl and apiKey/],
    [{ ...base, client: new DreamFactoryClient({ baseUrl: base.baseUrl, apiKey: base.apiKey }) }, /either client or baseUrl/],
    [{ ...base, client: {} }, /client must be a DreamFactoryClient/],
    [{ ...base, apiKey: "" }, /apiKey/],
    [{ ...base, baseUrl: "http://df.example.com" }, /http/i],
  ])("rejects bad options with a TypeError naming the option (%#)", (options, message) => {
    expect(() => new DreamFactoryToolkit(options as never)).toThrow(TypeError);
    expect(() => new DreamFactoryToolkit(options as never)).toThrow(message);
  });

  it("a toolkit's tools share one client; single tools can be built directly", () => {
    const toolkit = new DreamFactoryToolkit({ ...base, tables: ["Orders"], maxRecords: 7 });
    const json = toolkit.toJSON();
    expect(json).toEqual({
      type: "DreamFactoryToolkit",
      service: "db",
      tables: ["orders"],
      maxRecords: 7,
      allowWrites: false,
      tools: TOOL_NAMES,
      client: { baseUrl: "http://127.0.0.1:9" },
    });
    expect(new QueryRecordsTool({ ...base, maxRecords: 5 }).name).toBe("dreamfactory_query_records");
  });

  it("keeps only non-secret settings in lc_kwargs and JSON views", () => {
    const toolkit = new DreamFactoryToolkit({ ...base, tables: ["orders"] });
    for (const t of toolkit.getTools()) {
      expect((t as unknown as { lc_kwargs: unknown }).lc_kwargs).toEqual({ service: "db", tables: ["orders"], maxRecords: 100 });
      expect(JSON.stringify(t)).not.toContain(base.apiKey);
    }
    expect(JSON.stringify(toolkit)).not.toContain(base.apiKey);
  });
});

describe("the tools' model-facing surface", () => {
  const tools = new DreamFactoryToolkit(base).getTools();
  const classes = [ListTablesTool, DescribeTableTool, QueryRecordsTool, GetRecordsTool, AggregateTool];

  it("lc_name is the class name; responseFormat is content_and_artifact", () => {
    expect(classes.map((c) => c.lc_name())).toEqual(["ListTablesTool", "DescribeTableTool", "QueryRecordsTool", "GetRecordsTool", "AggregateTool"]);
    tools.forEach((t, i) => {
      expect(t).toBeInstanceOf(classes[i] as never);
      expect((t as unknown as { responseFormat: string }).responseFormat).toBe("content_and_artifact");
    });
  });

  it("descriptions say what, when, what it returns and the limits", () => {
    for (const t of tools) {
      expect(t.description.length).toBeGreaterThan(150);
      expect(t.description).toMatch(/Returns \{/);
      expect(t.description).toMatch(/user/);
      expect(t.description).toMatch(/\buse\b|Use /i);
    }
  });

  it("every schema field (nested ones included) is described", () => {
    const undocumented: string[] = [];
    const visit = (schema: unknown, path: string): void => {
      if (typeof schema !== "object" || schema === null) return;
      const s = schema as Record<string, unknown>;
      for (const [key, child] of Object.entries((s.properties ?? {}) as Record<string, Record<string, unknown>>)) {
        if (typeof child.description !== "string" || child.description.length < 10) undocumented.push(`${path}.${key}`);
        visit(child, `${path}.${key}`);
      }
      for (const k of ["items", "anyOf", "oneOf"]) {
        const v = s[k];
        if (Array.isArray(v)) v.forEach((x) => visit(x, path));
        else visit(v, path);
      }
    };
    for (const t of tools) visit(toJsonSchema(t.schema as never), t.name);
    expect(undocumented).toEqual([]);
  });

  it("example arguments from the descriptions match the schemas (like langchain-tests' ToolsUnitTests)", async () => {
    const examples: Record<string, unknown> = {
      dreamfactory_list_tables: {},
      dreamfactory_describe_table: { table: "orders" },
      dreamfactory_query_records: {
        table: "orders",
        where: [{ field: "status", op: "=", value: "open" }, { or: [{ field: "total", op: ">", value: 1000 }, { field: "priority", op: "=", value: true }] }],
        filter: "(status = 'open') AND ((total > 100) OR (country IN ('DE','FR')))",
        fields: ["id", "total", "status"],
        order: "total desc, id asc",
        limit: 5,
        offset: 0,
      },
      dreamfactory_get_records: { table: "customers", ids: [12, 57], fields: ["id", "name", "country"] },
      dreamfactory_aggregate: {
        table: "orders",
        aggregates: [{ function: "count" }, { function: "sum", field: "total" }],
        group_by: ["status"],
        order: "SUM_total desc",
      },
    };
    for (const t of tools) {
      const schema = t.schema as { safeParseAsync(v: unknown): Promise<{ success: boolean }> };
      expect((await schema.safeParseAsync(examples[t.name])).success, t.name).toBe(true);
    }
  });
});
