/**
 * The notebooks in notebooks/ run top to bottom against the embedded sandbox (no network), so they never rot:
 * all are type-checked in one strict tsc run, then each runs with tsx (two at a time), and its printed output must
 * show what the notebook claims. Also: exactly the four notebooks exist, committed with cleared outputs, and they
 * import the package by its name. (`.ci/notebooks` runs the same notebooks under real Jupyter with tslab.)
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { extractNotebook, runExtracted, typeCheck } from "./support/notebook-runner.js";

const DIR = "notebooks";
const NAMES = ["01-identity-passthrough", "02-agent-as-the-user", "03-rag-as-the-user", "04-writes-with-approval"] as const;
type Name = (typeof NAMES)[number];
const RUN_TIMEOUT_MS = 90_000;
/** A test waits for its notebook's run, which may queue behind two others. */
const TEST_TIMEOUT_MS = 150_000;
const JWT_SHAPED = /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/;

interface Cell {
  cell_type: string;
  id?: string;
  source: string | string[];
  outputs?: unknown[];
  execution_count?: number | null;
  metadata?: unknown;
}
interface Notebook {
  cells: Cell[];
  metadata: { kernelspec?: Record<string, unknown> };
  nbformat: number;
  nbformat_minor: number;
}

interface Run {
  exitCode: number | null;
  cellOutputs: string[];
  stderr: string;
  cells: number;
  durationMs: number;
}

const read = (name: string): Notebook => JSON.parse(readFileSync(join(DIR, `${name}.ipynb`), "utf8")) as Notebook;
const source = (cell: Cell): string => (Array.isArray(cell.source) ? cell.source.join("") : cell.source);

let typeErrors: Map<string, string[]>;
const runs = new Map<Name, Promise<Run>>();

/** Runs the extracted notebooks `limit` at a time (each starts a PGlite sandbox, ≈0.7 GB). */
function runAll(files: Map<Name, { file: string; cells: number }>, limit: number): void {
  const queue = [...files.entries()];
  const resolvers = new Map<Name, (run: Run) => void>();
  for (const [name] of queue) runs.set(name, new Promise<Run>((resolve) => resolvers.set(name, resolve)));
  const next = async (): Promise<void> => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
      const [name, { file, cells }] = item;
      const started = Date.now();
      const result = await runExtracted(file, RUN_TIMEOUT_MS);
      resolvers.get(name)?.({ ...result, cells, durationMs: Date.now() - started });
    }
  };
  for (let i = 0; i < limit; i++) void next();
}

async function runOf(name: Name): Promise<Run> {
  const run = await runs.get(name);
  if (run === undefined) throw new Error(`${name} was not run`);
  const report = `${name}: exit ${String(run.exitCode)} after ${run.durationMs} ms\n${run.stderr.slice(-3000)}`;
  expect(typeErrors.get(`${name}.mts`) ?? [], "type errors").toEqual([]);
  expect(run.exitCode, report).toBe(0);
  expect(run.cellOutputs.filter((o) => o !== undefined), `every code cell ran\n${report}`).toHaveLength(run.cells);
  expect(run.cellOutputs.join("\n"), "no token in the output").not.toMatch(JWT_SHAPED);
  return run;
}

/** The output of the first code cell whose output matches `marker`. */
function cellWith(run: Run, marker: string | RegExp): string {
  const found = run.cellOutputs.find((o) => (typeof marker === "string" ? o.includes(marker) : marker.test(o)));
  expect(found, `a cell printing ${String(marker)}`).toBeDefined();
  return found ?? "";
}

/** Sections of a cell output that start with `── <title>`. */
function sections(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(/^── /m).slice(1)) {
    const [title = "", ...rest] = part.split("\n");
    out.set(title.trim(), rest.join("\n"));
  }
  return out;
}

beforeAll(() => {
  const files = new Map(NAMES.map((name) => [name, extractNotebook(join(DIR, `${name}.ipynb`))] as const));
  typeErrors = typeCheck([...files.values()].map((f) => f.file));
  runAll(files, 2);
}, 120_000);

describe("committed notebooks", () => {
  it("are exactly the four notebooks", () => {
    const found = readdirSync(DIR).filter((f) => f.endsWith(".ipynb")).sort();
    expect(found).toEqual(NAMES.map((n) => `${n}.ipynb`));
  });

  it.each(NAMES)("%s: nbformat 4.5 with cell ids, tslab kernelspec, outputs cleared, imports the package by name, closes the sandbox", (name) => {
    const nb = read(name);
    expect(nb.nbformat).toBe(4);
    expect(nb.nbformat_minor).toBeGreaterThanOrEqual(5);
    expect(nb.metadata.kernelspec).toEqual({ name: "tslab", display_name: "TypeScript", language: "typescript" });
    const ids = nb.cells.map((c) => c.id);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(new Set(ids).size).toBe(ids.length);
    const code = nb.cells.filter((c) => c.cell_type === "code");
    for (const cell of code) {
      expect(cell.outputs).toEqual([]);
      expect(cell.execution_count).toBeNull();
    }
    expect(nb.cells.some((c) => c.cell_type === "markdown")).toBe(true);
    const all = code.map(source).join("\n");
    expect(all).toMatch(/from "langchain-dreamfactory"/);
    expect(all).toMatch(/from "langchain-dreamfactory\/testing"/);
    expect(all).not.toMatch(/from "\.\.?\//);
    expect(source(code[code.length - 1] as Cell)).toMatch(/await sb\.close\(\)/);
  });
});

describe("notebooks run top to bottom against the sandbox", () => {
  it("01-identity-passthrough: alice and bob get their own rows; the audit log names them with the receipts' trace ids; no credential → credential_missing, no request", async () => {
    const run = await runOf("01-identity-passthrough");
    expect(cellWith(run, "Model:")).toMatch(/Model: none needed/);

    const table = cellWith(run, "alice (sales_rep, id 1)");
    const rows = table.split("\n").filter((l) => l.startsWith("#"));
    expect(rows.length).toBeGreaterThan(0);
    for (const line of rows) {
      const [left = "", right = ""] = line.split("│");
      expect(left).toMatch(/rep 1\s*$/);
      expect(right).toMatch(/rep 2\s*$/);
    }
    const idsOf = (side: 0 | 1) => rows.map((l) => /#(\d+)/.exec(l.split("│")[side] ?? "")?.[1]).filter((x) => x !== undefined);
    expect(idsOf(0).some((id) => idsOf(1).includes(id))).toBe(false);
    expect(table).toContain("Orders both saw: 0");

    const receipts = cellWith(run, "alice's receipt:");
    const aliceReceipt = JSON.parse(/alice's receipt: (\{[\s\S]*?\n\})/.exec(receipts)?.[1] ?? "{}") as { traceId?: string; actedAs?: { email?: string } };
    const bobReceipt = JSON.parse(/bob's receipt: +(\{.*\})/.exec(receipts)?.[1] ?? "{}") as { traceId?: string; actedAs?: { email?: string } };
    expect(aliceReceipt.actedAs?.email).toBe("alice@example.com");
    expect(bobReceipt.actedAs?.email).toBe("bob@example.com");

    const audit = cellWith(run, "_table/orders");
    const auditLine = (trace: string | undefined) => audit.split("\n").find((l) => trace !== undefined && l.includes(trace)) ?? "";
    expect(auditLine(aliceReceipt.traceId)).toMatch(/'alice@example\.com'.*'sales_rep'.*'GET'.*200.*'alice'/);
    expect(auditLine(bobReceipt.traceId)).toMatch(/'bob@example\.com'.*'sales_rep'.*'GET'.*200.*'bob'/);

    const failClosed = cellWith(run, "no credential:");
    expect(failClosed).toMatch(/^no credential: credential_missing: No DreamFactory credential/m);
    expect(failClosed).toMatch(/^a raw token string: credential_raw_string: /m);
    expect(failClosed).toContain("Requests sent to DreamFactory meanwhile: 0");
    expect(run.cellOutputs[run.cells - 1]).toContain("Sandbox closed.");
  }, TEST_TIMEOUT_MS);

  it("02-agent-as-the-user: one agent answers alice with her orders and tells dave he is not permitted; receipts and audit agree", async () => {
    const run = await runOf("02-agent-as-the-user");
    expect(cellWith(run, "Model:")).toMatch(/scripted tool-calling model \(DEMO_MODEL not set\)/);

    const answers = sections(cellWith(run, "── alice asks"));
    const alice = [...answers.entries()].find(([t]) => t.startsWith("alice"))?.[1] ?? "";
    const dave = [...answers.entries()].find(([t]) => t.startsWith("dave"))?.[1] ?? "";
    expect(alice).toMatch(/Your 5 largest open orders:/);
    expect(alice.split("\n").filter((l) => /^#\d+ [A-Z]{3} [\d.]+ \(.+\)$/.test(l))).toHaveLength(5);
    expect(dave).toMatch(/I can't show these orders: You are not permitted to read table "orders"/);
    expect(dave).not.toMatch(/#\d+ [A-Z]{3}/);

    const receipts = cellWith(run, "dave's receipt in full:");
    const receiptRows = receipts.split("\n").filter((l) => l.startsWith("│ "));
    expect(receiptRows.filter((l) => /'alice'.*'alice@example\.com'.*'ok'/.test(l))).toHaveLength(2);
    expect(receiptRows.filter((l) => /'dave'.*'dreamfactory_query_records'.*'dave@example\.com'.*'orders'.*'denied'.*'forbidden'/.test(l))).toHaveLength(1);
    const daveReceipt = JSON.parse(/dave's receipt in full: (\{[\s\S]*?\n\})/.exec(receipts)?.[1] ?? "{}") as Record<string, unknown>;
    expect(daveReceipt).toMatchObject({ outcome: "denied", errorCode: "forbidden", count: 0, actedAs: { userId: 4, email: "dave@example.com" } });

    const audit = cellWith(run, "'_table/customers'");
    const auditRows = audit.split("\n").filter((l) => l.includes("'_table/"));
    expect(auditRows.filter((l) => /'dave@example\.com'.*'support'.*'_table\/orders'.*403.*'dave'/.test(l))).toHaveLength(1);
    expect(auditRows.filter((l) => /'alice@example\.com'.*'sales_rep'.*200.*'alice'/.test(l))).toHaveLength(2);
    expect(auditRows.some((l) => l.includes("'?'"))).toBe(false);
  }, TEST_TIMEOUT_MS);

  it("03-rag-as-the-user: alice and dave cite different sources through both retrievers; neither sees the other team's internal articles", async () => {
    const run = await runOf("03-rag-as-the-user");
    expect(cellWith(run, "Model:")).toMatch(/scripted citing model \(DEMO_MODEL not set\)/);

    const index = cellWith(run, /Indexed \d+ articles/);
    expect(Number(/Indexed (\d+) articles/.exec(index)?.[1])).toBeGreaterThan(100);
    const unfiltered = run.cellOutputs.find((o) => /^ {2}dreamfactory:\/\/\S+ +internal \(sales\)/m.test(o) && !o.includes("──")) ?? "";
    expect(unfiltered, "the shared index alone returns both teams' internal articles").toMatch(/internal \(support\)/);

    const runCells = run.cellOutputs.filter((o) => o.includes("── alice (sales)"));
    expect(runCells).toHaveLength(2); // DreamFactoryRetriever, then the authorized vector store
    for (const cell of runCells) {
      const byUser = sections(cell);
      const alice = byUser.get("alice (sales)") ?? "";
      const dave = byUser.get("dave (support)") ?? "";
      const sources = (text: string) => [...text.matchAll(/^ {2}(dreamfactory:\/\/db\/kb_articles\/\d+) /gm)].map((m) => m[1]);
      expect(sources(alice).length).toBeGreaterThan(0);
      expect(sources(dave).length).toBeGreaterThan(0);
      expect(sources(alice)).not.toEqual(sources(dave));
      expect(alice).toMatch(/internal \(sales\)/);
      expect(alice).not.toMatch(/internal \(support\)|Kestrel/);
      expect(dave).toMatch(/internal \(support\)/);
      expect(dave).not.toMatch(/internal \(sales\)|Bluefin/);
      // the (scripted) answer cites exactly the sources it was given
      for (const text of [alice, dave]) {
        const cited = [...text.matchAll(/\[(dreamfactory:\/\/db\/kb_articles\/\d+)\]/g)].map((m) => m[1]);
        expect(cited).toEqual(sources(text));
      }
    }

    const summary = cellWith(run, "reached dave:");
    expect(summary).toContain('"Bluefin" (sales-internal) reached dave: false');
    expect(summary).toContain('"Kestrel" (support-internal) reached alice: false');
  }, TEST_TIMEOUT_MS);

  it("04-writes-with-approval: the update stops at an interrupt with alice's preview, runs as alice after approval (audit PATCH), and a declined one changes nothing", async () => {
    const run = await runOf("04-writes-with-approval");
    expect(cellWith(run, "Model:")).toMatch(/scripted tool-calling model \(DEMO_MODEL not set\)/);
    expect(cellWith(run, "Tools:")).toMatch(/dreamfactory_update_records/);
    const orderId = /alice's order #(\d+) before: .*"status":"open"/.exec(run.cellOutputs.join("\n"))?.[1];
    expect(orderId).toBeDefined();

    const approval = cellWith(run, "Approval request (dreamfactory_write_approval)");
    expect(approval).toMatch(/^Interrupts: 1; orders changed so far: none \(still "open"\)/m);
    expect(approval).toContain(`dreamfactory_update_records: update orders ids [${orderId}]`);
    expect(approval).toContain('changes:   {"status":"shipped","notes":"left the warehouse today"}');
    expect(approval).toContain("as:        alice@example.com (user 1)");
    expect(approval).toMatch(new RegExp(`now: \\{"id":${orderId},.*"sales_rep_id":1,"status":"open"`));
    expect(approval).toMatch(/digest: +\S+…/);

    const resumed = cellWith(run, "Receipt for the app:");
    expect(resumed).toContain(`Agent: Done: order [${orderId}] updated (1 row).`);
    const receipt = JSON.parse(/Receipt for the app: (\{[\s\S]*?\n\})/.exec(resumed)?.[1] ?? "{}") as Record<string, unknown>;
    expect(receipt).toMatchObject({
      tool: "dreamfactory_update_records",
      action: "update",
      outcome: "ok",
      effect: "applied",
      affectedIds: [Number(orderId)],
      actedAs: { userId: 1, email: "alice@example.com" },
      approval: { mode: "interrupt", decision: "approved" },
    });
    expect(resumed).toMatch(new RegExp(`after: \\{"id":${orderId},"status":"shipped",.*"notes":"left the warehouse today"\\}`));

    const audit = cellWith(run, "'PATCH'");
    const patch = audit.split("\n").filter((l) => l.includes("'PATCH'"));
    expect(patch).toHaveLength(1);
    expect(patch[0]).toMatch(/'resumed run: check \+ write'.*'alice@example\.com'.*'sales_rep'.*'_table\/orders'.*200/);
    expect(patch[0]).toContain(String(receipt.traceId));
    expect(audit.split("\n").filter((l) => l.includes("'first run: preview'")).length).toBeGreaterThan(0);
    expect(audit).not.toMatch(/'(bob|carol|dave|admin)@example\.com'/);

    const declined = cellWith(run, "Approval asked for:");
    expect(declined).toContain('{"status":"cancelled"}');
    expect(declined).toMatch(/Agent: Nothing was changed: The user did not approve/);
    expect(declined).toMatch(new RegExp(`is still: \\{"id":${orderId},"status":"shipped"`));
  }, TEST_TIMEOUT_MS);
});
