/**
 * The write tools against the sandbox, with the `approve` callback (no checkpointer): they exist only with
 * allowWrites, write as the end user after a preview computed with that user's token, are refused by DreamFactory's
 * row filters for other people's rows, roll back whole batches, and report a lost answer as unknown without
 * repeating the write.
 */
import { describe, expect, it } from "vitest";
import { isDreamFactoryError } from "../src/errors/index.js";
import { DreamFactoryCredential, withDreamFactoryUser } from "../src/identity/index.js";
import { startSandbox, type AuditEntry } from "../src/testing/index.js";
import { DreamFactoryToolkit, type DreamFactoryToolkitOptions } from "../src/tools/index.js";
import { writeApprovalInterruptOn, type DreamFactoryWriteOptions, type DreamFactoryWriteReceipt, type WriteApprovalRequest } from "../src/tools/write/index.js";
import { callTool, loginUsers, toolNamed } from "./tools-harness.js";
import { useResource } from "./support/sandbox-fixture.js";

type WriteToolkitOptions = DreamFactoryToolkitOptions & { writes?: DreamFactoryWriteOptions };

let alice: DreamFactoryCredential;
let carol: DreamFactoryCredential;
let aliceToken: string;
/** What the approve callback saw, most recent last. */
const asked: WriteApprovalRequest[] = [];
let answer: (request: WriteApprovalRequest) => boolean | Promise<boolean> = () => true;

function toolkit(extra: Partial<WriteToolkitOptions> = {}): DreamFactoryToolkit {
  const options: WriteToolkitOptions = {
    baseUrl: sb.url,
    apiKey: sb.apiKey,
    service: sb.service,
    allowWrites: true,
    writes: {
      approve: (request) => {
        asked.push(request);
        return answer(request);
      },
    },
    ...extra,
  };
  return new DreamFactoryToolkit(options);
}

let tk: DreamFactoryToolkit;

const sb = useResource(
  () => startSandbox({ ...(process.env.TEST_DATABASE_URL ? { database: process.env.TEST_DATABASE_URL } : {}) }),
  async () => {
    aliceToken = await sb.login(sb.users.alice.email, sb.users.alice.password);
    alice = DreamFactoryCredential.fromSessionToken(aliceToken, { email: sb.users.alice.email });
    [carol] = (await loginUsers(sb, [sb.users.carol])) as [DreamFactoryCredential];
    tk = toolkit();
  },
);

async function orderIds(repId: number, count: number, offset = 0): Promise<number[]> {
  const rows = await sb.query<{ id: number }>(`SELECT id FROM orders WHERE sales_rep_id = $1 ORDER BY id LIMIT $2 OFFSET $3`, [repId, count, offset]);
  return rows.map((r) => Number(r.id));
}

/** The order as carol (the manager, who sees everything) reads it through the read tool. */
async function asCarol(id: number): Promise<Record<string, unknown> | undefined> {
  const res = await callTool(toolNamed(tk.getTools(), "dreamfactory_get_records"), { table: "orders", ids: [id] }, withDreamFactoryUser(carol));
  return (res.content.rows as Array<Record<string, unknown>>)[0];
}

async function auditFor(traceId: string): Promise<AuditEntry[]> {
  return (await sb.audit()).filter((e) => e.traceId === traceId);
}

function write(name: string, args: Record<string, unknown>, user: DreamFactoryCredential = alice, kit = tk) {
  return callTool(toolNamed(kit.getTools(), name), args, withDreamFactoryUser(user)).then((r) => ({
    ...r,
    receipt: r.receipt as unknown as DreamFactoryWriteReceipt,
  }));
}

function expectNoSecret(value: unknown): void {
  const text = JSON.stringify(value);
  const [, payload, signature] = aliceToken.split(".");
  for (const secret of [aliceToken, payload, signature, sb.apiKey]) expect(text.includes(secret as string)).toBe(false);
}

describe("write tools exist only with allowWrites", () => {
  it("getTools() names", () => {
    const base = { baseUrl: sb.url, apiKey: sb.apiKey, service: sb.service };
    const reads = ["dreamfactory_list_tables", "dreamfactory_describe_table", "dreamfactory_query_records", "dreamfactory_get_records", "dreamfactory_aggregate"];
    expect(new DreamFactoryToolkit(base).getTools().map((t) => t.name)).toEqual(reads);
    expect(new DreamFactoryToolkit({ ...base, allowWrites: false }).getTools().map((t) => t.name)).toEqual(reads);
    expect(new DreamFactoryToolkit({ ...base, allowWrites: true }).getTools().map((t) => t.name)).toEqual([
      ...reads,
      "dreamfactory_create_records",
      "dreamfactory_update_records",
      "dreamfactory_delete_records",
    ]);
  });

  it("bad write options are a TypeError at construction", () => {
    expect(() => toolkit({ writes: { approvalTtlMs: 5 } })).toThrow(/approvalTtlMs/);
  });
});

describe("approve callback", () => {
  it("alice updates her own order after approval; the request shows the rows as she sees them; DreamFactory logs her as the writer", async () => {
    const [id] = await orderIds(1, 1);
    const before = await asCarol(id as number);
    const newStatus = before?.status === "pending" ? "open" : "pending";
    const started = Date.now();
    const res = await write("dreamfactory_update_records", { table: "orders", ids: [id], changes: { status: newStatus } });

    const request = asked.at(-1) as WriteApprovalRequest;
    expect(request).toMatchObject({
      type: "dreamfactory_write_approval",
      tool: "dreamfactory_update_records",
      action: "update",
      service: "db",
      table: "orders",
      ids: [id],
      changes: { status: newStatus },
      actedAs: { userId: 1, email: sb.users.alice.email },
      preview: { count: 1, primaryKey: "id", rows: [{ id, sales_rep_id: 1, status: before?.status }] },
    });
    expect(request.preview.notVisible).toBeUndefined();
    expect(Date.parse(request.expiresAt) - started).toBeGreaterThan(9 * 60_000);
    expect(Date.parse(request.expiresAt) - started).toBeLessThanOrEqual(10 * 60_000 + 5_000);

    expect(res.content).toMatchObject({ action: "update", table: "orders", updated: 1, ids: [id] });
    expect(res.receipt).toMatchObject({
      tool: "dreamfactory_update_records",
      action: "update",
      actedAs: { userId: 1 },
      service: "db",
      table: "orders",
      ids: [id],
      affectedIds: [id],
      effect: "applied",
      outcome: "ok",
      approval: { mode: "callback", decision: "approved", digest: request.digest, expiresAt: request.expiresAt },
    });
    expect(typeof res.receipt.approval?.approvedAt).toBe("string");
    expect((await asCarol(id as number))?.status).toBe(newStatus);

    const audit = await auditFor(res.receipt.traceId as string);
    expect(audit.map((e) => `${e.verb} ${e.component} ${e.userId} ${e.status}`)).toEqual([
      "GET _schema/orders 1 200",
      "GET _table/orders 1 200",
      `PATCH _table/orders 1 200`,
    ]);
    expectNoSecret([request, res.receipt, res.content]);
  });

  it("a declined approval sends no write and tells the model not to retry", async () => {
    const [id] = await orderIds(1, 1, 1);
    const before = await asCarol(id as number);
    answer = () => false;
    try {
      const res = await write("dreamfactory_update_records", { table: "orders", ids: [id], changes: { notes: "declined change" } });
      expect(res.content.error).toBe("approval_rejected");
      expect(String(res.content.message)).toMatch(/did not approve.*nothing was changed/i);
      expect(res.receipt).toMatchObject({ outcome: "cancelled", errorCode: "approval_rejected", effect: "not_sent", approval: { mode: "callback", decision: "declined" } });
      const verbs = (await auditFor(res.receipt.traceId as string)).map((e) => e.verb);
      expect(verbs).toEqual(["GET", "GET"]);
    } finally {
      answer = () => true;
    }
    expect(await asCarol(id as number)).toEqual(before);
  });

  it("an approval that arrives after the request expired is refused (injected clock)", async () => {
    let now = Date.parse("2030-01-01T00:00:00Z");
    const kit = toolkit({
      writes: {
        now: () => now,
        approve: () => {
          now += 10 * 60_000 + 1;
          return true;
        },
      },
    });
    const [id] = await orderIds(1, 1, 1);
    const res = await write("dreamfactory_update_records", { table: "orders", ids: [id], changes: { notes: "late" } }, alice, kit);
    expect(res.content.error).toBe("approval_rejected");
    expect(String(res.content.message)).toMatch(/expired/);
    expect(res.receipt.approval).toMatchObject({ mode: "callback", decision: "expired", expiresAt: "2030-01-01T00:10:00.000Z" });
    expect((await auditFor(res.receipt.traceId as string)).some((e) => e.verb === "PATCH")).toBe(false);
  });

  it("alice creates an order for herself and deletes it again, each after approval", async () => {
    const [row] = await sb.query<{ customer_id: number }>("SELECT customer_id FROM orders WHERE sales_rep_id = 1 LIMIT 1");
    const record = { customer_id: Number(row?.customer_id), sales_rep_id: 1, total: 12.5, notes: "created by test" };
    const created = await write("dreamfactory_create_records", { table: "orders", records: [record] });
    expect(asked.at(-1)).toMatchObject({ action: "create", records: [record], preview: { count: 1, records: [record] } });
    expect(created.content).toMatchObject({ action: "create", created: 1 });
    const [newId] = created.receipt.affectedIds as number[];
    expect(created.receipt).toMatchObject({ records: 1, effect: "applied", outcome: "ok" });
    expect(await asCarol(newId as number)).toMatchObject({ id: newId, sales_rep_id: 1, total: 12.5, notes: "created by test" });
    expect((await auditFor(created.receipt.traceId as string)).map((e) => e.verb)).toEqual(["GET", "POST"]);

    const deleted = await write("dreamfactory_delete_records", { table: "orders", ids: [newId] });
    expect(asked.at(-1)).toMatchObject({ action: "delete", ids: [newId], preview: { count: 1, rows: [{ id: newId, notes: "created by test" }] } });
    expect(deleted.content).toMatchObject({ action: "delete", deleted: 1, ids: [newId] });
    expect(await asCarol(newId as number)).toBeUndefined();
  });
});

describe("row filters on writes (alice id 1, bob id 2)", () => {
  it("alice cannot update bob's order: the preview shows nothing visible, DreamFactory answers 404, nothing changes", async () => {
    const [bobs] = await orderIds(2, 1);
    const before = await asCarol(bobs as number);
    const res = await write("dreamfactory_update_records", { table: "orders", ids: [bobs], changes: { status: "cancelled" } });
    const request = asked.at(-1) as WriteApprovalRequest;
    expect(request.preview).toMatchObject({ count: 0, rows: [], notVisible: [bobs] });
    expect(request.preview.summary).toMatch(/None of the 1 row\(s\) of orders is visible/);
    expect(res.content.error).toBe("not_found");
    expect(res.content.records).toEqual([{ index: 0, id: bobs, problem: expect.stringMatching(/not found/) }]);
    expect(res.receipt).toMatchObject({ outcome: "not_found", effect: "refused", preview: { count: 0, notVisible: [bobs] } });
    const patch = (await auditFor(res.receipt.traceId as string)).find((e) => e.verb === "PATCH");
    expect(patch).toMatchObject({ userId: 1, status: 400 });
    expect(await asCarol(bobs as number)).toEqual(before);
  });

  it("alice cannot delete bob's order", async () => {
    const [bobs] = await orderIds(2, 1, 1);
    const before = await asCarol(bobs as number);
    const res = await write("dreamfactory_delete_records", { table: "orders", ids: [bobs] });
    expect((asked.at(-1) as WriteApprovalRequest).preview).toMatchObject({ count: 0, notVisible: [bobs] });
    expect(res.content.error).toBe("not_found");
    expect(await asCarol(bobs as number)).toEqual(before);
  });

  it("mixing her own order with bob's changes neither (all or nothing)", async () => {
    const [own] = await orderIds(1, 1, 2);
    const [bobs] = await orderIds(2, 1, 2);
    const before = [await asCarol(own as number), await asCarol(bobs as number)];
    const res = await write("dreamfactory_update_records", { table: "orders", ids: [own, bobs], changes: { notes: "mixed" } });
    expect((asked.at(-1) as WriteApprovalRequest).preview).toMatchObject({ count: 1, rows: [{ id: own }], notVisible: [bobs] });
    expect(res.content.error).toBe("not_found");
    expect(String(res.content.message)).toMatch(/Nothing was changed.*rolled back/);
    expect([await asCarol(own as number), await asCarol(bobs as number)]).toEqual(before);
  });

  it("alice cannot hand her order to bob (403 in the batch): not permitted, do not retry", async () => {
    const [own] = await orderIds(1, 1, 3);
    const before = await asCarol(own as number);
    const res = await write("dreamfactory_update_records", { table: "orders", ids: [own], changes: { sales_rep_id: 2 } });
    expect(res.content.error).toBe("not_permitted");
    expect(String(res.content.message)).toMatch(/do not retry/);
    expect(res.content.records).toEqual([{ index: 0, id: own, problem: expect.stringContaining("Denied access to some of the requested fields.") }]);
    expect(res.receipt).toMatchObject({ outcome: "denied", errorCode: "forbidden", effect: "refused" });
    expect(await asCarol(own as number)).toEqual(before);
  });

  it("alice cannot create an order with sales_rep_id = 2: 403 not permitted, nothing created", async () => {
    const [{ n: before }] = (await sb.query<{ n: number }>("SELECT count(*)::int AS n FROM orders")) as [{ n: number }];
    const [row] = await sb.query<{ customer_id: number }>("SELECT customer_id FROM orders WHERE sales_rep_id = 1 LIMIT 1");
    const res = await write("dreamfactory_create_records", {
      table: "orders",
      records: [{ customer_id: Number(row?.customer_id), sales_rep_id: 2, total: 10, notes: "for bob" }],
    });
    expect(res.content.error).toBe("not_permitted");
    expect(res.content.records).toEqual([{ record: 0, problem: expect.stringContaining("Denied access to some of the requested fields.") }]);
    const post = (await auditFor(res.receipt.traceId as string)).find((e) => e.verb === "POST");
    expect(post).toMatchObject({ userId: 1, status: 400 });
    const [{ n: after }] = (await sb.query<{ n: number }>("SELECT count(*)::int AS n FROM orders")) as [{ n: number }];
    expect(after).toBe(before);
    const asCarolQuery = await callTool(
      toolNamed(tk.getTools(), "dreamfactory_query_records"),
      { table: "orders", where: [{ field: "notes", op: "=", value: "for bob" }] },
      withDreamFactoryUser(carol),
    );
    expect(asCarolQuery.content.rows).toEqual([]);
  });
});

describe("batches are all or nothing", () => {
  it("one record with NULL in a NOT NULL column: nothing is created and the model gets a per-record explanation", async () => {
    const [{ n: before }] = (await sb.query<{ n: number }>("SELECT count(*)::int AS n FROM orders")) as [{ n: number }];
    const [row] = await sb.query<{ customer_id: number }>("SELECT customer_id FROM orders WHERE sales_rep_id = 1 LIMIT 1");
    const good = { customer_id: Number(row?.customer_id), sales_rep_id: 1, total: 5, notes: "batch good" };
    const bad = { customer_id: Number(row?.customer_id), sales_rep_id: 1, total: null, notes: "batch bad" };
    const res = await write("dreamfactory_create_records", { table: "orders", records: [good, bad, good] });
    expect(res.content).toMatchObject({
      error: "write_rejected",
      records: [{ record: 1, problem: "Field 'total' can not be NULL." }],
      hint: expect.stringContaining("Columns of orders: id, customer_id"),
    });
    expect(String(res.content.message)).toMatch(/Nothing was changed: the write is all-or-nothing and was rolled back \(including the 1 record\(s\) that had been accepted\)/);
    expect(String(res.content.message)).toMatch(/1 record\(s\) were not checked/);
    expect(res.receipt).toMatchObject({ outcome: "invalid_input", errorCode: "batch_error", effect: "refused", affectedIds: [] });
    const [{ n: after }] = (await sb.query<{ n: number }>("SELECT count(*)::int AS n FROM orders")) as [{ n: number }];
    expect(after).toBe(before);
    const post = (await auditFor(res.receipt.traceId as string)).filter((e) => e.verb === "POST");
    expect(post).toHaveLength(1);
  });
});

describe("a lost answer is unknown, never retried", () => {
  it("timeout mid-write: reported as unknown with how to check; exactly one write request reached the sandbox", async () => {
    const kit = toolkit({
      timeoutMs: 400,
      writes: {
        approve: () => {
          // Everything from here on (the write only) waits longer than the client's timeout.
          sb.setFaults({ latencyMs: 1_200 });
          sb.resetRequestCount();
          return true;
        },
      },
    });
    const [id] = await orderIds(1, 1, 4);
    let res: Awaited<ReturnType<typeof write>>;
    try {
      res = await write("dreamfactory_update_records", { table: "orders", ids: [id], changes: { notes: "sent into the void" } }, alice, kit);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
    } finally {
      sb.setFaults(null);
    }
    expect(sb.requestCount()).toBe(1);
    expect(res.content).toMatchObject({
      error: "outcome_unknown",
      check: { tool: "dreamfactory_get_records", args: { table: "orders", ids: [id] } },
    });
    expect(String(res.content.message)).toMatch(/may or may not have been applied.*NOT repeated/);
    expect(res.receipt).toMatchObject({ outcome: "unknown", effect: "unknown", errorCode: "write_outcome_unknown", approval: { decision: "approved" } });
    // The one request counted after approval is the write; 1.5 s later (beyond any retry backoff) still one.
    // The server did handle it (like a real server whose answer was lost): the outcome really was unknown to the client.
    const rows = await sb.query<{ notes: string | null }>("SELECT notes FROM orders WHERE id = $1", [id]);
    expect(rows[0]?.notes).toBe("sent into the void");
    const patches = (await sb.audit()).filter((e) => e.verb === "PATCH" && e.component === "_table/orders");
    expect(patches.at(-1)).toMatchObject({ email: sb.users.alice.email, status: 200 });
  });
});

describe("writeApprovalInterruptOn descriptions (what the HITL middleware shows)", () => {
  type Describe = (toolCall: unknown, state: unknown, runtime: unknown) => Promise<string>;
  const describeWith = (kit: DreamFactoryToolkit, name: string): Describe =>
    writeApprovalInterruptOn(kit.getTools())[name]?.description as unknown as Describe;

  it("previews as the user of the runtime (configurable or context); refusals are described, not thrown", async () => {
    const kit = toolkit({ tables: ["orders"], writes: { approval: "middleware" } });
    const describe = describeWith(kit, "dreamfactory_update_records");
    const [own] = await orderIds(1, 1, 6);
    const [bobs] = await orderIds(2, 1, 6);
    const args = { table: "orders", ids: [own, bobs], changes: { notes: "x" } };
    const viaConfigurable = await describe({ name: "dreamfactory_update_records", args }, {}, { configurable: withDreamFactoryUser(alice).configurable });
    expect(viaConfigurable).toContain(`as ${sb.users.alice.email} (user 1)`);
    expect(viaConfigurable).toContain(`"id":${own}`);
    expect(viaConfigurable).not.toContain(`"id":${bobs}`);
    expect(viaConfigurable).toMatch(new RegExp(`not visible to this user or do not exist \\(${bobs}\\)`));
    const viaContext = await describe({ name: "dreamfactory_update_records", args }, {}, { context: { dreamfactory: carol } });
    expect(viaContext).toContain(`"id":${bobs}`);
    expect(viaContext).toContain("(user 3)");

    const refused = await describe({ name: "x", args: { table: "customers", ids: [1], changes: { name: "y" } } }, {}, { context: { dreamfactory: alice } });
    expect(refused).toMatch(/will be refused \(scope_denied\)/);
    const braces = await describe({ name: "x", args: { table: "orders", ids: [1], changes: { notes: "{user.email}" } } }, {}, { context: { dreamfactory: alice } });
    expect(braces).toMatch(/will be refused \(invalid_input\)/);
    const schema = await describe({ name: "x", args: { table: "orders", ids: "1" } }, {}, { context: { dreamfactory: alice } });
    expect(schema).toMatch(/arguments do not match the tool's schema/);
    expectNoSecret([viaConfigurable, viaContext, refused]);
    await expect(describe({ name: "x", args }, {}, {})).rejects.toSatisfy((e: unknown) => isDreamFactoryError(e) && e.code === "credential_missing");
  });

  it("middleware mode writes without asking (the middleware asked); no preview request is made", async () => {
    const kit = toolkit({ writes: { approval: "middleware" } });
    const [own] = await orderIds(1, 1, 7);
    const res = await write("dreamfactory_update_records", { table: "orders", ids: [own], changes: { notes: "middleware mode" } }, alice, kit);
    expect(res.receipt).toMatchObject({ effect: "applied", approval: { mode: "middleware", decision: "approved" } });
    expect(res.receipt.preview).toBeUndefined();
    expect((await auditFor(res.receipt.traceId as string)).map((e) => `${e.verb} ${e.component}`)).toEqual(["GET _schema/orders", "PATCH _table/orders"]);
    expect((await asCarol(own as number))?.notes).toBe("middleware mode");
  });
});

describe("checks before any request", () => {
  it("allowlist, table names, braces, counts: refused with no request at the sandbox", async () => {
    const kit = toolkit({ tables: ["orders"] });
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ["dreamfactory_update_records", { table: "customers", ids: [1], changes: { name: "x" } }, "not_permitted"],
      ["dreamfactory_delete_records", { table: "orders;drop", ids: [1] }, "invalid_input"],
      ["dreamfactory_create_records", { table: "orders", records: [{ notes: "{session.token}" }] }, "invalid_input"],
      ["dreamfactory_update_records", { table: "orders", ids: [1], changes: { notes: "{user.email}" } }, "invalid_input"],
      ["dreamfactory_update_records", { table: "orders", ids: [1], changes: { "bad name": 1 } }, "invalid_input"],
      ["dreamfactory_update_records", { table: "orders", ids: [1], changes: {} }, "invalid_input"],
      ["dreamfactory_delete_records", { table: "orders", ids: Array.from({ length: 51 }, (_, i) => i + 1) }, "invalid_input"],
    ];
    for (const [name, args, error] of cases) {
      sb.resetRequestCount();
      const res = await write(name, args, alice, kit);
      expect(res.content.error, `${name} ${JSON.stringify(args).slice(0, 80)}`).toBe(error);
      expect(res.receipt.effect).toBe("not_sent");
      expect(sb.requestCount()).toBe(0);
    }
  });

  it("unknown columns and the primary key in changes are refused after reading the schema, before any preview or write", async () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ["dreamfactory_create_records", { table: "orders", records: [{ totl: 5 }] }, /no column "totl".*Columns of orders: id, customer_id/],
      ["dreamfactory_update_records", { table: "orders", ids: [1], changes: { id: 9 } }, /may not set the primary key "id"/],
    ];
    for (const [name, args, message] of cases) {
      const res = await write(name, args);
      expect(res.content.error).toBe("invalid_input");
      expect(String(res.content.message)).toMatch(message);
      expect((await auditFor(res.receipt.traceId as string)).map((e) => e.verb)).toEqual(["GET"]);
    }
  });

  it("no credential: thrown, nothing sent; interrupt mode outside a graph: a clear error, nothing written", async () => {
    sb.resetRequestCount();
    await expect(toolNamed(tk.getTools(), "dreamfactory_delete_records").invoke({ table: "orders", ids: [1] }, {})).rejects.toSatisfy(
      (e: unknown) => isDreamFactoryError(e) && e.code === "credential_missing",
    );
    expect(sb.requestCount()).toBe(0);

    const kit = new DreamFactoryToolkit({ baseUrl: sb.url, apiKey: sb.apiKey, service: sb.service, allowWrites: true });
    const [id] = await orderIds(1, 1, 5);
    const before = await asCarol(id as number);
    await expect(
      toolNamed(kit.getTools(), "dreamfactory_update_records").invoke({ table: "orders", ids: [id], changes: { notes: "no graph" } }, withDreamFactoryUser(alice)),
    ).rejects.toThrow(/needs an approval: run it inside a LangGraph graph compiled with a checkpointer/);
    expect(await asCarol(id as number)).toEqual(before);
  });
});
