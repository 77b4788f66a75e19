import type { AuditEntry } from "../testing/index.js";

/** What one user's run produced, as shown by the demo. */
export interface DemoUserResult {
  handle: string;
  email: string;
  role: string;
  userId: number;
  /** Orders the agent's query_records call returned (empty when refused). */
  orders: Array<Record<string, unknown>>;
  /** Customer names by id from the get_records call. */
  customers: Map<unknown, string>;
  /** The tool's refusal text, when DreamFactory did not permit the query. */
  refusal: string | undefined;
  /** The agent's final answer. */
  answer: string;
  /** Ids of the tool runs (= trace ids sent to DreamFactory). */
  toolRunIds: string[];
}

function cut(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

function orderCell(user: DemoUserResult, index: number, width: number): string {
  if (user.refusal !== undefined) return cut(index === 0 ? "not permitted (403)" : "", width);
  const o = user.orders[index];
  if (o === undefined) return cut("", width);
  const customer = user.customers.get(o.customer_id) ?? `customer ${String(o.customer_id)}`;
  return cut(`#${String(o.id)} ${String(o.total)} ${customer}`, width);
}

/**
 * The side-by-side table: one column per user, one line per order rank.
 * @param users - results in display order
 */
export function sideBySide(users: readonly DemoUserResult[]): string {
  const width = 32;
  const rows = Math.max(1, ...users.map((u) => u.orders.length));
  const head = users.map((u) => cut(`${u.handle} (${u.role}, id ${u.userId})`, width)).join(" │ ");
  const rule = users.map(() => "─".repeat(width)).join("─┼─");
  const lines = Array.from({ length: rows }, (_, i) => users.map((u) => orderCell(u, i, width)).join(" │ "));
  return [head, rule, ...lines].join("\n");
}

/**
 * Each user's rows as a compact table, plus the refusal or the agent's answer.
 * @param user - one user's result
 */
export function userTable(user: DemoUserResult): string {
  const lines = [`${user.handle} <${user.email}> — ${user.role}`];
  if (user.refusal !== undefined) {
    lines.push(`  REFUSED by DreamFactory: ${user.refusal}`);
  } else {
    lines.push("  order   total      cur  status  rep  customer");
    for (const o of user.orders) {
      const customer = user.customers.get(o.customer_id) ?? `customer ${String(o.customer_id)}`;
      lines.push(
        `  ${cut(`#${String(o.id)}`, 7)} ${String(o.total).padStart(9)}  ${cut(String(o.currency ?? ""), 3)}  ${cut(String(o.status ?? ""), 6)}  ${String(o.sales_rep_id ?? "").padStart(3)}  ${customer}`,
      );
    }
  }
  lines.push(`  agent: ${user.answer.replace(/\n/g, "\n         ")}`);
  return lines.join("\n");
}

/**
 * The sandbox's audit log joined with the runs by trace id: who each request ran as, and whose run it belongs to.
 * @param audit - audit entries
 * @param users - results with their tool run ids
 */
export function auditTable(audit: readonly AuditEntry[], users: readonly DemoUserResult[]): { text: string; mismatches: number } {
  const runOf = new Map<string, DemoUserResult>();
  for (const u of users) for (const id of u.toolRunIds) runOf.set(id, u);
  let mismatches = 0;
  const lines = ["trace id (= tool run id)               acted as              role           verb component           status rows  run of"];
  for (const a of audit) {
    const run = runOf.get(a.traceId);
    const ok = run !== undefined && run.email === a.email;
    if (!ok) mismatches += 1;
    lines.push(
      `${cut(a.traceId, 38)} ${cut(a.email ?? "-", 21)} ${cut(a.role ?? "-", 14)} ${cut(a.verb, 4)} ${cut(a.component, 20)} ${String(a.status).padStart(6)} ${String(a.rows).padStart(4)}  ${run === undefined ? "?" : run.handle}${ok ? " ✓" : " ✗ MISMATCH"}`,
    );
  }
  return { text: lines.join("\n"), mismatches };
}
