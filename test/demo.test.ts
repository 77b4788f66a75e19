import { describe, expect, it } from "vitest";
import { runDemo } from "../src/demo/run-demo.js";

describe("npm run demo (in-process)", () => {
  it("prints each user's own orders side by side, dave's refusal, and an audit log that matches every run", async () => {
    let output = "";
    const result = await runDemo({
      write: (text) => {
        output += text;
      },
      ...(process.env.TEST_DATABASE_URL ? { database: process.env.TEST_DATABASE_URL } : {}),
    });

    expect(output).toMatch(/scripted tool-calling model/);
    const byHandle = Object.fromEntries(result.users.map((u) => [u.handle, u]));
    for (const handle of ["alice", "bob", "carol"]) {
      const user = byHandle[handle];
      expect(user?.refusal).toBeUndefined();
      expect(user?.orders).toHaveLength(5);
      const totals = (user?.orders ?? []).map((o) => Number(o.total));
      expect(totals).toEqual([...totals].sort((a, b) => b - a));
      for (const order of user?.orders ?? []) {
        expect(order.status).toBe("open");
        expect(output).toContain(`#${String(order.id)}`);
        expect(output).toContain(String(user?.customers.get(order.customer_id)));
      }
    }
    // the reps see only their own rows; the manager sees other reps' rows too
    expect(byHandle.alice?.orders.every((o) => o.sales_rep_id === 1)).toBe(true);
    expect(byHandle.bob?.orders.every((o) => o.sales_rep_id === 2)).toBe(true);
    expect(byHandle.carol?.orders.some((o) => o.sales_rep_id !== 1 && o.sales_rep_id !== 2)).toBe(true);
    // dave (support) is refused by DreamFactory
    expect(byHandle.dave?.orders).toEqual([]);
    expect(byHandle.dave?.refusal).toMatch(/not permitted to read table "orders"/);
    expect(output).toMatch(/REFUSED by DreamFactory: You are not permitted/);
    expect(output).toMatch(/not permitted \(403\)/);
    // the audit log: every request as its real user, joined by trace id
    for (const email of ["alice@example.com", "bob@example.com", "carol@example.com", "dave@example.com"]) {
      expect(output).toMatch(new RegExp(`[0-9a-f-]{36}\\s+${email.replace(".", "\\.")}`));
    }
    expect(output).toMatch(/dave@example\.com\s+support\s+GET\s+_table\/orders\s+403/);
    expect(result.auditMismatches).toBe(0);
    expect(output).toMatch(/All 7 requests ran as the user of the run that made them/);
    expect(output).not.toMatch(/eyJ[A-Za-z0-9_-]+\./); // no JWT printed
  });
});
