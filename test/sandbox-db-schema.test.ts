import { describe, expect, it } from "vitest";
import { ADMIN_DB_ROLE, DEMO_ROLES, DEMO_USERS, SALES_REP_IDS } from "../src/testing/demo-directory.js";
import { KB_TEAM_ONLY_WORDS } from "../src/testing/db/demo-kb-articles.js";
import { openDatabase, type SandboxDatabase } from "../src/testing/db/open-database.js";
import { selectRecords } from "../src/testing/db/records.js";
import type { ActingUser, Queryable } from "../src/testing/db/types.js";
import { useResource } from "./support/sandbox-fixture.js";

function actingUser(handle: string, overrides: Partial<ActingUser> = {}): ActingUser {
  const user = DEMO_USERS.find((u) => u.handle === handle);
  if (!user) throw new Error(`no demo user ${handle}`);
  const dbRole = user.role ? DEMO_ROLES[user.role].dbRole : ADMIN_DB_ROLE;
  return { dbRole, userId: user.id, email: user.email, team: user.team, ...overrides };
}

const alice = actingUser("alice");
const bob = actingUser("bob");
const carol = actingUser("carol");
const dave = actingUser("dave");
const admin = actingUser("admin");

async function sqlState(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

/** md5 over every row's text form, ordered by id: equal checksums mean identical table contents. */
async function checksums(db: SandboxDatabase): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of ["customers", "orders", "employees", "products", "kb_articles"]) {
    const { rows } = await db.driver.query<{ sum: string; n: string }>(
      `SELECT md5(string_agg(t::text, '|' ORDER BY t.id)) AS sum, count(*) AS n FROM "${db.schema}"."${table}" t`,
    );
    out[table] = `${rows[0]?.n}:${rows[0]?.sum}`;
  }
  return out;
}

let openMs = 0;

const db = useResource(async () => {
  const started = performance.now();
  const opened = await openDatabase({ seed: "demo" });
  openMs = performance.now() - started;
  console.info(`[sandbox-db] PGlite open + demo seed: ${Math.round(openMs)} ms`);
  return opened;
});

describe("demo schema (PGlite)", () => {
  it("introspects the five demo tables with DreamFactory types and relations", () => {
    expect(db.schema).toBe("dfsb");
    expect(db.tables().map((t) => t.name)).toEqual(["customers", "employees", "kb_articles", "orders", "products"]);
    expect(db.table("ORDERS")?.name).toBe("orders");
    expect(db.table("customers_masked")).toBeUndefined();
    const orders = db.table("orders")!;
    const type = (name: string) => orders.columns.find((c) => c.name === name)?.type;
    expect([type("id"), type("customer_id"), type("sales_rep_id"), type("total"), type("ordered_at"), type("status")]).toEqual([
      "id",
      "reference",
      "reference",
      "decimal",
      "timestamp",
      "string",
    ]);
    expect(orders.related.map((r) => `${r.type}:${r.name}`)).toEqual([
      "belongs_to:customers_by_customer_id",
      "belongs_to:employees_by_sales_rep_id",
    ]);
    expect(db.table("customers")!.related.map((r) => r.name)).toContain("orders_by_customer_id");
    const total = orders.columns.find((c) => c.name === "total")!;
    expect([total.precision, total.scale, total.required]).toEqual([12, 2, true]);
    expect(orders.columns.find((c) => c.name === "status")?.defaultValue).toBe("open");
  });

  it("seeds the expected volumes", async () => {
    const { rows } = await db.driver.query<Record<string, string>>(
      `SELECT (SELECT count(*) FROM dfsb.orders) AS orders, (SELECT count(*) FROM dfsb.customers) AS customers,
              (SELECT count(*) FROM dfsb.kb_articles) AS kb, (SELECT count(*) FROM dfsb.employees) AS employees`,
    );
    const counts = rows[0]!;
    expect(Number(counts.orders)).toBeGreaterThanOrEqual(10_000);
    expect(Number(counts.customers)).toBe(2000);
    expect(Number(counts.kb)).toBeGreaterThanOrEqual(300);
    expect(Number(counts.employees)).toBeGreaterThan(DEMO_USERS.length);
    expect(openMs).toBeLessThan(30_000);
  });

  it("gives every customer a sales rep owner and every order its customer's rep; alice and bob own open orders", async () => {
    const { rows: owners } = await db.driver.query<{ rep: number }>("SELECT DISTINCT sales_rep_id AS rep FROM dfsb.customers");
    expect(owners.every((r) => SALES_REP_IDS.includes(r.rep))).toBe(true);
    const { rows: mismatched } = await db.driver.query<{ n: string }>(
      "SELECT count(*) AS n FROM dfsb.orders o JOIN dfsb.customers c ON c.id = o.customer_id WHERE o.sales_rep_id <> c.sales_rep_id",
    );
    expect(mismatched[0]?.n).toBe("0");
    for (const user of [alice, bob]) {
      const { rows } = await db.driver.query<{ customers: string; open: string }>(
        `SELECT (SELECT count(*) FROM dfsb.customers WHERE sales_rep_id = $1) AS customers,
                (SELECT count(*) FROM dfsb.orders WHERE sales_rep_id = $1 AND status = 'open') AS open`,
        [user.userId],
      );
      expect(Number(rows[0]?.customers)).toBeGreaterThanOrEqual(5);
      expect(Number(rows[0]?.open)).toBeGreaterThanOrEqual(3);
    }
    const totals = async (id: number | null) =>
      (await db.driver.query<{ total: string }>("SELECT total FROM dfsb.orders WHERE sales_rep_id = $1 AND status = 'open' ORDER BY id", [id])).rows.map((r) => r.total);
    expect(await totals(alice.userId)).not.toEqual(await totals(bob.userId));
  });

  it("enforces kb_articles row-level security in the database, by team", async () => {
    const internal = (user: ActingUser) =>
      db.asUser(user, async (q) => {
        const { rows } = await q.query<{ team: string }>("SELECT DISTINCT team FROM kb_articles WHERE is_internal ORDER BY team");
        return rows.map((r) => r.team);
      });
    const mentions = (user: ActingUser, word: string) =>
      db.asUser(user, async (q) => {
        const { rows } = await q.query<{ n: string }>("SELECT count(*) AS n FROM kb_articles WHERE body LIKE $1", [`%${word}%`]);
        return Number(rows[0]?.n);
      });
    expect(await internal(alice)).toEqual(["sales"]);
    expect(await internal(dave)).toEqual(["support"]);
    expect(await internal(admin)).toEqual(["sales", "support"]);
    expect(await internal({ ...alice, team: null })).toEqual([]);

    expect(await mentions(alice, KB_TEAM_ONLY_WORDS.sales)).toBeGreaterThanOrEqual(2);
    expect(await mentions(alice, KB_TEAM_ONLY_WORDS.support)).toBe(0);
    expect(await mentions(dave, KB_TEAM_ONLY_WORDS.support)).toBeGreaterThanOrEqual(2);
    expect(await mentions(dave, KB_TEAM_ONLY_WORDS.sales)).toBe(0);
    expect(await mentions(admin, KB_TEAM_ONLY_WORDS.sales)).toBeGreaterThanOrEqual(2);
    expect(await mentions(admin, KB_TEAM_ONLY_WORDS.support)).toBeGreaterThanOrEqual(2);

    // the distinctive words exist only in internal articles of their team
    const { rows } = await db.driver.query<{ team: string; internal: boolean }>(
      "SELECT DISTINCT team, is_internal AS internal FROM dfsb.kb_articles WHERE body LIKE $1 OR title LIKE $1",
      [`%${KB_TEAM_ONLY_WORDS.sales}%`],
    );
    expect(rows).toEqual([{ team: "sales", internal: true }]);

    // public articles are the same for everyone
    const publicCount = (user: ActingUser) =>
      db.asUser(user, async (q) => Number((await q.query<{ n: string }>("SELECT count(*) AS n FROM kb_articles WHERE NOT is_internal")).rows[0]?.n));
    expect(await publicCount(alice)).toBe(await publicCount(dave));
    expect(await publicCount(alice)).toBeGreaterThan(250);
  });

  it("denies employees.salary to a sales rep in the database; managers and admins read it", async () => {
    expect(await sqlState(db.asUser(alice, (q) => q.query("SELECT salary FROM employees")))).toBe("42501");
    expect(await sqlState(db.asUser(alice, (q) => q.query("SELECT * FROM employees")))).toBe("42501");
    const visible = await db.asUser(alice, (q) => q.query<{ email: string }>("SELECT id, email FROM employees WHERE id = 2"));
    expect(visible.rows).toEqual([{ id: 2, email: "bob@example.com" }]);
    const salaries = await db.asUser(carol, (q) => q.query<{ salary: string }>("SELECT salary FROM employees WHERE id = 1"));
    expect(Number(salaries.rows[0]?.salary)).toBeGreaterThan(0);
    expect(await sqlState(db.asUser(admin, (q) => q.query("SELECT salary FROM employees")))).toBeUndefined();

    expect(await db.readableColumns(DEMO_ROLES.sales_rep.dbRole, "employees")).not.toContain("salary");
    expect(await db.readableColumns(DEMO_ROLES.sales_rep.dbRole, "employees")).toContain("email");
    expect(await db.readableColumns(DEMO_ROLES.sales_manager.dbRole, "employees")).toContain("salary");
    expect(await db.readableColumns(DEMO_ROLES.support.dbRole, "employees")).toEqual([]);
    expect(await db.readableColumns(DEMO_ROLES.support.dbRole, "orders")).toEqual([]);
  });

  it("masks customers.email for support (dave) in SQL, and gives support no base email column and no orders", async () => {
    const read = (user: ActingUser) =>
      db.asUser(user, (q) => selectRecords(q, db.table("customers")!, { fields: ["id", "email"], where: { sql: '"id" <= $1', params: [5] } }));
    const masked = await read(dave);
    const plain = await read(admin);
    expect(masked).toHaveLength(5);
    masked.forEach((row, i) => {
      const email = plain[i]?.email as string;
      expect(email).toMatch(/^[a-z]+\.[a-z]+@[a-z-]+\.example$/);
      expect(row.email).toBe(`${email[0]}***${email.slice(email.indexOf("@"))}`);
    });
    expect(await read(alice)).toEqual(plain);
    expect(await sqlState(db.asUser(dave, (q) => q.query("SELECT email FROM customers")))).toBe("42501");
    expect(await sqlState(db.asUser(dave, (q) => q.query("SELECT count(*) FROM orders")))).toBe("42501");
    expect(await sqlState(db.asUser(dave, (q) => q.query("UPDATE customers SET phone = NULL WHERE id = 1")))).toBe("42501");
    const anon: ActingUser = { dbRole: "dfsb_anon", userId: null, email: null, team: null };
    expect(await sqlState(db.asUser(anon, (q) => q.query("SELECT count(*) FROM products")))).toBe("42501");
  });

  it("grants writes per role: reps write orders, not products", async () => {
    const inserted = await db.asUser(alice, async (q) => {
      const { rows } = await q.query<{ id: number }>(
        "INSERT INTO orders (customer_id, sales_rep_id, total) VALUES (1, 1, 10) RETURNING id",
      );
      await q.query("DELETE FROM orders WHERE id = $1", [rows[0]?.id]);
      return rows[0]?.id;
    });
    expect(inserted).toBeGreaterThan(12_000);
    expect(await sqlState(db.asUser(alice, (q) => q.query("UPDATE products SET price = 1 WHERE id = 1")))).toBe("42501");
    expect(await sqlState(db.asUser(alice, (q) => q.query("DELETE FROM kb_articles WHERE id = 1")))).toBe("42501");
  });

  it("sets role and settings per transaction only, and refuses unknown roles", async () => {
    const inside = await db.asUser(bob, (q: Queryable) =>
      q.query<Record<string, string>>(
        "SELECT current_user AS role, current_setting('app.user_id') AS id, current_setting('app.user_email') AS email, current_setting('app.user_team') AS team",
      ),
    );
    expect(inside.rows[0]).toEqual({ role: "dfsb_sales_rep", id: "2", email: "bob@example.com", team: "sales" });
    const after = await db.driver.query<Record<string, string | null>>(
      "SELECT current_user AS role, current_setting('app.user_id', true) AS id",
    );
    expect(after.rows[0]?.role).not.toBe("dfsb_sales_rep");
    expect(after.rows[0]?.id ?? "").toBe("");
    await expect(db.asUser({ ...alice, dbRole: "postgres" }, async () => 1)).rejects.toThrow(TypeError);
    await expect(db.asUser({ ...alice, dbRole: 'dfsb_admin"; DROP SCHEMA dfsb; --' }, async () => 1)).rejects.toThrow(TypeError);
    // a failing statement rolls the whole transaction back
    await expect(
      db.asUser(alice, async (q) => {
        await q.query("UPDATE orders SET notes = 'rolled back' WHERE id = 1");
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    const { rows } = await db.driver.query<{ notes: string | null }>("SELECT notes FROM dfsb.orders WHERE id = 1");
    expect(rows[0]?.notes).not.toBe("rolled back");
  });

  it("serialises concurrent transactions on PGlite", async () => {
    const results = await Promise.all(
      [alice, bob, dave, carol, admin, alice].map((user) =>
        db.asUser(user, async (q) => {
          const first = await q.query<{ u: string }>("SELECT current_user AS u");
          await new Promise((resolve) => setTimeout(resolve, 5));
          const second = await q.query<{ u: string }>("SELECT current_user AS u, current_setting('app.user_email') AS e");
          return [first.rows[0]?.u, second.rows[0]?.u, second.rows[0]] as const;
        }),
      ),
    );
    results.forEach(([first, second], i) => {
      expect(first).toBe(second);
      expect(first).toBe([alice, bob, dave, carol, admin, alice][i]?.dbRole);
    });
  });

  it("seeds deterministically: a freshly built second database has identical table checksums", async () => {
    const first = await checksums(db);
    const other = await openDatabase({ seed: "demo", cache: false });
    try {
      expect(await checksums(other)).toEqual(first);
    } finally {
      await other.close();
    }
  });

  it("restores an identical database from the snapshot cache, faster than building it", async () => {
    const started = performance.now();
    const cached = await openDatabase({ seed: "demo" });
    const cachedMs = performance.now() - started;
    console.info(`[sandbox-db] PGlite open from snapshot: ${Math.round(cachedMs)} ms`);
    try {
      expect(await checksums(cached)).toEqual(await checksums(db));
      expect(cached.tables().map((t) => t.name)).toEqual(db.tables().map((t) => t.name));
      const internal = await cached.asUser(dave, async (q) => (await q.query<{ team: string }>("SELECT DISTINCT team FROM kb_articles WHERE is_internal")).rows);
      expect(internal).toEqual([{ team: "support" }]);
    } finally {
      await cached.close();
    }
  });
});
