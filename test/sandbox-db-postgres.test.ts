/**
 * The sandbox database on a real Postgres server (TEST_DATABASE_URL in CI; the local development server
 * otherwise). No server → these tests FAIL: they are never skipped.
 */
import pg from "pg";
import { describe, expect, it } from "vitest";
import { KB_TEAM_ONLY_WORDS } from "../src/testing/db/demo-kb-articles.js";
import { openDatabase, type SandboxDatabase } from "../src/testing/db/open-database.js";
import { countRecords, insertRecord, selectRecords } from "../src/testing/db/records.js";
import type { ActingUser } from "../src/testing/db/types.js";
import { SandboxHttpError } from "../src/testing/errors.js";
import { compileFilter } from "../src/testing/filter/filter-to-sql.js";
import { standIn, useResource } from "./support/sandbox-fixture.js";

const url = process.env.TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:55433/postgres";

const alice: ActingUser = { dbRole: "dfsb_sales_rep", userId: 1, email: "alice@example.com", team: "sales" };
const carol: ActingUser = { dbRole: "dfsb_sales_manager", userId: 3, email: "carol@example.com", team: "sales" };
const dave: ActingUser = { dbRole: "dfsb_support", userId: 4, email: "dave@example.com", team: "support" };
const admin: ActingUser = { dbRole: "dfsb_admin", userId: 5, email: "admin@example.com", team: "it" };

const VALUE_TYPES_SQL =
  "SELECT 1::int4 AS i4, 2::int8 AS i8, 1.50::numeric(6,2) AS num, 1.5::float8 AS f8, true AS b, 'x'::text AS t, " +
  "'2024-03-05 10:20:30'::timestamp(0) AS ts, '2024-03-05'::date AS d, NULL::int4 AS n, '{\"k\":1}'::json AS j";
const VALUE_TYPES = { i4: 1, i8: "2", num: "1.50", f8: 1.5, b: true, t: "x", ts: "2024-03-05 10:20:30", d: "2024-03-05", n: null, j: { k: 1 } };

let openMs = 0;

async function checksum(db: SandboxDatabase, table: string): Promise<string> {
  const { rows } = await db.driver.query<{ sum: string }>(
    `SELECT md5(string_agg(t::text, '|' ORDER BY t.id)) AS sum FROM "${db.schema}"."${table}" t`,
  );
  return rows[0]?.sum ?? "";
}

async function sqlState(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

/** A failed connection fails every test (useResource; vitest would only skip them if beforeAll threw). */
const pair = useResource(async () => {
  const started = performance.now();
  // two sandboxes on the same server at the same time must not collide
  const opened = await Promise.allSettled([openDatabase({ url, seed: "demo" }), openDatabase({ url, seed: "demo" })]);
  const failure = opened.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failure) {
    await Promise.all(opened.map((r) => (r.status === "fulfilled" ? r.value.close() : undefined)));
    throw failure.reason;
  }
  const [a, b] = opened.map((r) => (r as PromiseFulfilledResult<SandboxDatabase>).value) as [SandboxDatabase, SandboxDatabase];
  openMs = performance.now() - started;
  console.info(`[sandbox-db] Postgres: two concurrent open + demo seed: ${Math.round(openMs)} ms`);
  return {
    first: a,
    second: b,
    close: async () => {
      await Promise.all([a.close(), b.close()]);
    },
  };
});
const first = standIn(() => pair.first);
const second = standIn(() => pair.second);

describe("sandbox database on a real Postgres server", () => {
  it("gives each sandbox its own schema with the same deterministic data", async () => {
    expect(first.driver.kind).toBe("postgres");
    expect(first.schema).toMatch(/^dfsb_[0-9a-f]{12}$/);
    expect(second.schema).not.toBe(first.schema);
    expect(first.tables().map((t) => t.name)).toEqual(["customers", "employees", "kb_articles", "orders", "products"]);
    for (const table of ["orders", "customers", "kb_articles", "employees"]) {
      expect(await checksum(second, table), table).toBe(await checksum(first, table));
    }
    const n = await first.asUser(admin, (q) => countRecords(q, first.table("orders")!, null));
    expect(n).toBeGreaterThanOrEqual(10_000);
  });

  it("returns the same JavaScript value types as the PGlite driver", async () => {
    const { rows } = await first.driver.query(VALUE_TYPES_SQL);
    expect(rows[0]).toEqual(VALUE_TYPES);
  });

  it("keeps writes in one sandbox invisible to the other", async () => {
    const products = first.table("products")!;
    await first.asUser(carol, (q) => insertRecord(q, products, { sku: "PG-ONLY-1", name: "n", category: "c", price: 1 }));
    const where = compileFilter("sku = PG-ONLY-1", products);
    expect(await first.asUser(carol, (q) => countRecords(q, products, where))).toBe(1);
    expect(await second.asUser(carol, (q) => countRecords(q, second.table("products")!, where))).toBe(0);
  });

  it("enforces kb_articles row-level security by team", async () => {
    const mentions = (user: ActingUser, word: string) =>
      first.asUser(user, async (q) => Number((await q.query<{ n: string }>("SELECT count(*) AS n FROM kb_articles WHERE body LIKE $1", [`%${word}%`])).rows[0]?.n));
    expect(await mentions(alice, KB_TEAM_ONLY_WORDS.sales)).toBeGreaterThanOrEqual(2);
    expect(await mentions(alice, KB_TEAM_ONLY_WORDS.support)).toBe(0);
    expect(await mentions(dave, KB_TEAM_ONLY_WORDS.support)).toBeGreaterThanOrEqual(2);
    expect(await mentions(dave, KB_TEAM_ONLY_WORDS.sales)).toBe(0);
    expect(await mentions(admin, KB_TEAM_ONLY_WORDS.sales)).toBeGreaterThanOrEqual(2);
    expect(await mentions({ ...alice, team: null }, KB_TEAM_ONLY_WORDS.sales)).toBe(0);
  });

  it("denies salary to a sales rep and masks email for support, in the database", async () => {
    expect(await sqlState(first.asUser(alice, (q) => q.query("SELECT salary FROM employees")))).toBe("42501");
    expect(await first.readableColumns("dfsb_sales_rep", "employees")).not.toContain("salary");
    expect(await first.readableColumns("dfsb_sales_manager", "employees")).toContain("salary");
    const denied = await first
      .asUser(alice, (q) => selectRecords(q, first.table("employees")!, { fields: ["salary"], where: null }))
      .catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(SandboxHttpError);
    expect((denied as SandboxHttpError).status).toBe(403);

    const customers = first.table("customers")!;
    const masked = await first.asUser(dave, (q) => selectRecords(q, customers, { fields: ["email"], where: null, limit: 20 }));
    const plain = await first.asUser(alice, (q) => selectRecords(q, customers, { fields: ["email"], where: null, limit: 20 }));
    masked.forEach((row, i) => {
      const email = plain[i]?.email as string;
      expect(row.email).toBe(`${email[0]}***${email.slice(email.indexOf("@"))}`);
    });
    expect(await sqlState(first.asUser(dave, (q) => q.query("SELECT email FROM customers")))).toBe("42501");
    expect(await sqlState(first.asUser(dave, (q) => q.query("SELECT 1 FROM orders LIMIT 1")))).toBe("42501");
  });

  it("runs concurrent users on separate pooled connections without leaking role or settings", async () => {
    const users = [alice, dave, carol, admin, alice, dave];
    const seen = await Promise.all(
      users.map((user) =>
        first.asUser(user, async (q) => {
          await q.query("SELECT pg_sleep(0.02)");
          const { rows } = await q.query<{ u: string; e: string }>("SELECT current_user AS u, current_setting('app.user_email') AS e");
          return rows[0];
        }),
      ),
    );
    expect(seen).toEqual(users.map((u) => ({ u: u.dbRole, e: u.email })));
    const { rows } = await first.driver.query<{ u: string; id: string | null }>(
      "SELECT current_user AS u, current_setting('app.user_id', true) AS id",
    );
    expect(rows[0]?.u).not.toMatch(/^dfsb_/);
    expect(rows[0]?.id ?? "").toBe("");
  });

  it("drops its schema on close", async () => {
    const extra = await openDatabase({ url, seed: false });
    const schema = extra.schema;
    expect(extra.tables()).toHaveLength(5);
    await extra.close();
    await extra.close(); // idempotent
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [schema]);
      expect(rows).toEqual([]);
    } finally {
      await client.end();
    }
  });
});
