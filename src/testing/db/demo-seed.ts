import { DEMO_USERS, SALES_REP_IDS, type DemoUser } from "../demo-directory.js";
import { demoKbArticles } from "./demo-kb-articles.js";
import { quoteIdent } from "./sql-fragment.js";
import type { SqlDriver } from "./types.js";

/** Row counts of the demo seed. */
export interface DemoSeedScale {
  /** Customers (each owned by one sales rep). @default 2000 */
  customers?: number;
  /** Orders; every customer gets several. @default 12000 */
  orders?: number;
  /** Template-generated help-centre articles (plus ~20 hand-written ones). @default 300 */
  kbArticles?: number;
  /** Products. @default 200 */
  products?: number;
}

interface EmployeeSeed {
  id: number;
  email: string;
  first_name: string;
  last_name: string;
  title: string;
  team: string;
  manager_id: number | null;
  salary: string;
}

const MANAGER_OF_SALES = 3; // carol
const SUPPORT_LEAD = 106;

const STAFF: Array<Omit<EmployeeSeed, "id" | "salary"> & { salary: number }> = [
  { email: "priya.patel@example.com", first_name: "Priya", last_name: "Patel", title: "Support Lead", team: "support", manager_id: 5, salary: 88000 },
  { email: "tomas.novak@example.com", first_name: "Tomas", last_name: "Novak", title: "Support Engineer", team: "support", manager_id: SUPPORT_LEAD, salary: 64000 },
  { email: "amara.okafor@example.com", first_name: "Amara", last_name: "Okafor", title: "Support Engineer", team: "support", manager_id: SUPPORT_LEAD, salary: 65500 },
  { email: "lena.fischer@example.com", first_name: "Lena", last_name: "Fischer", title: "Billing Specialist", team: "finance", manager_id: 5, salary: 61000 },
  { email: "kenji.sato@example.com", first_name: "Kenji", last_name: "Sato", title: "Warehouse Coordinator", team: "operations", manager_id: 5, salary: 52000 },
  { email: "sofia.rossi@example.com", first_name: "Sofia", last_name: "Rossi", title: "Deal Desk Analyst", team: "sales", manager_id: MANAGER_OF_SALES, salary: 70500 },
];

function employeeFromUser(user: DemoUser): EmployeeSeed {
  const base = { id: user.id, email: user.email, first_name: user.firstName, last_name: user.lastName, team: user.team };
  switch (user.role) {
    case "sales_rep":
      return { ...base, title: "Sales Representative", manager_id: MANAGER_OF_SALES, salary: (52000 + ((user.id * 7919) % 24000)).toFixed(2) };
    case "sales_manager":
      return { ...base, title: "Sales Manager", manager_id: null, salary: "118000.00" };
    case "support":
      return { ...base, title: "Support Engineer", manager_id: SUPPORT_LEAD, salary: "63500.00" };
    default:
      return { ...base, title: "IT Administrator", manager_id: null, salary: "97000.00" };
  }
}

/** Employees of the demo: every demo user (same id and email) plus a few support, finance and ops staff. */
export function demoEmployees(): EmployeeSeed[] {
  const fromUsers = DEMO_USERS.map(employeeFromUser);
  const nextId = Math.max(...DEMO_USERS.map((u) => u.id)) + 1;
  return [...fromUsers, ...STAFF.map((s, i) => ({ ...s, id: nextId + i, salary: s.salary.toFixed(2) }))];
}

function positiveInt(value: number | undefined, fallback: number, name: string): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < 1) throw new TypeError(`scale.${name} must be a positive integer`);
  return n;
}

interface ResolvedScale {
  customers: number;
  orders: number;
  products: number;
  kbArticles: number;
}

function resolveScale(scale: DemoSeedScale): ResolvedScale {
  return {
    customers: positiveInt(scale.customers, 2000, "customers"),
    orders: positiveInt(scale.orders, 12000, "orders"),
    products: positiveInt(scale.products, 200, "products"),
    kbArticles: scale.kbArticles === undefined ? 300 : Math.max(0, Math.floor(scale.kbArticles)),
  };
}

/**
 * A text that changes whenever the seed would produce different data (seed code, generated rows, scale);
 * used to key cached database snapshots.
 */
export function demoSeedFingerprint(scale: DemoSeedScale = {}): string {
  const resolved = resolveScale(scale);
  return JSON.stringify({
    code: seedDemoData.toString(),
    scale: resolved,
    reps: SALES_REP_IDS,
    employees: demoEmployees(),
    kb: demoKbArticles(resolved.kbArticles),
  });
}

/**
 * Fills the demo tables deterministically (no Math.random, no clock): employees and help-centre articles from
 * JSON parameters, customers, products and orders with `generate_series` and integer arithmetic, so the same
 * scale always yields byte-identical rows on PGlite and Postgres. Customers are spread round-robin over
 * SALES_REP_IDS (alice and bob own ~20 each); every order carries its customer's sales rep.
 */
export async function seedDemoData(driver: SqlDriver, schema: string, scale: DemoSeedScale = {}): Promise<void> {
  const s = quoteIdent(schema);
  const { customers, orders, products, kbArticles: kb } = resolveScale(scale);
  const reps = `ARRAY[${SALES_REP_IDS.join(",")}]`;

  await driver.query(
    `INSERT INTO ${s}.employees (id, email, first_name, last_name, title, team, manager_id, salary)
     SELECT id, email, first_name, last_name, title, team, manager_id, salary
     FROM json_to_recordset($1::json) AS x(id integer, email text, first_name text, last_name text, title text,
       team text, manager_id integer, salary numeric)`,
    [JSON.stringify(demoEmployees())],
  );
  await driver.query(
    `INSERT INTO ${s}.kb_articles (slug, title, body, tags, team, is_internal, updated_at)
     SELECT slug, title, body, tags, team, is_internal, updated_at
     FROM json_to_recordset($1::json) AS x(slug text, title text, body text, tags text, team text,
       is_internal boolean, updated_at timestamp)`,
    [JSON.stringify(demoKbArticles(kb))],
  );
  await driver.exec(`
INSERT INTO ${s}.customers (id, name, email, phone, country, segment, sales_rep_id, created_at)
SELECT i,
  c.w1 || ' ' || c.w2 || ' ' || c.suffix,
  lower(c.first) || '.' || lower(c.last) || '@' || lower(c.w1) || '-' || lower(c.w2) || '.example',
  CASE WHEN i % 13 = 0 THEN NULL ELSE '+1-555-' || lpad(((i * 7907) % 10000)::text, 4, '0') END,
  c.country,
  (ARRAY['smb', 'smb', 'mid-market', 'enterprise'])[1 + (i * 7) % 4],
  (${reps})[1 + (i - 1) % array_length(${reps}, 1)],
  timestamp '2022-01-01 08:00:00' + ((i * 7331) % 1051200) * interval '1 minute'
FROM generate_series(1, ${customers}) AS i
CROSS JOIN LATERAL (SELECT
  (ARRAY['Acme','Globex','Initech','Umbrella','Stark','Wayne','Wonka','Hooli','Vandelay','Soylent','Tyrell','Cyberdyne',
         'Gringotts','Oceanic','Massive','Aperture','Virtucon','Monarch','Nakatomi','Pendant','Sterling','Dunder',
         'Prestige','Paper','Blue','Silver','Golden','Northern','Pacific','Summit','Harbor','Granite','Maple',
         'Cedar','Falcon','Orion','Atlas','Zenith','Vertex','Quantum'])[1 + (i * 17) % 40] AS w1,
  (ARRAY['Logistics','Systems','Foods','Labs','Industries','Health','Energy','Retail','Media','Capital','Robotics',
         'Textiles','Analytics','Freight','Pharma','Studios','Builders','Outfitters','Networks','Supply','Dynamics',
         'Partners','Works','Marine','Aviation'])[1 + (i * 29) % 25] AS w2,
  (ARRAY['Inc','LLC','GmbH','Ltd','SARL','BV'])[1 + (i * 11) % 6] AS suffix,
  (ARRAY['Maria','James','Aiko','Lars','Fatima','Chen','Olga','Diego','Amina','Noah','Ines','Ravi','Sara','Jonas',
         'Leila','Marco','Yuki','Emma','Kofi','Hana'])[1 + (i * 13) % 20] AS first,
  (ARRAY['Garcia','Smith','Tanaka','Berg','Haddad','Wei','Ivanova','Lopez','Diallo','Miller','Costa','Iyer',
         'Cohen','Weber','Nasser','Bianchi','Mori','Martin','Mensah','Kim'])[1 + (i * 7) % 20] AS last,
  (ARRAY['United States','United States','Canada','Germany','France','United Kingdom','Netherlands','Spain',
         'Japan','Brazil'])[1 + (i * 3) % 10] AS country
) AS c;

INSERT INTO ${s}.products (id, sku, name, category, price, active)
SELECT i,
  'SKU-' || lpad(i::text, 5, '0'),
  (ARRAY['Compact','Heavy-duty','Eco','Premium','Standard','Modular','Wireless','Portable','Industrial','Smart'])[1 + (i * 7) % 10]
    || ' ' || p.noun,
  p.category,
  round((((i * 7919) % 49000) + 500) / 100.0, 2),
  i % 11 <> 0
FROM generate_series(1, ${products}) AS i
CROSS JOIN LATERAL (SELECT
  (ARRAY['Label Printer','Barcode Scanner','Shelving Unit','Packing Tape','Safety Gloves','Pallet Jack','Desk Lamp',
         'Office Chair','Laptop Stand','Storage Bin','Cable Kit','Hand Truck'])[1 + (i * 5) % 12] AS noun,
  (ARRAY['Printing','Scanning','Storage','Packaging','Safety','Material Handling','Office','Office','Office',
         'Storage','Electronics','Material Handling'])[1 + (i * 5) % 12] AS category
) AS p;

INSERT INTO ${s}.orders (id, customer_id, sales_rep_id, status, total, currency, ordered_at, notes)
SELECT o.i, c.id, c.sales_rep_id,
  (ARRAY['open','open','open','open','pending','pending','shipped','shipped','shipped','shipped','shipped',
         'shipped','shipped','delivered','delivered','delivered','delivered','delivered','cancelled','cancelled'])[1 + (o.i * 37) % 20],
  round(((((o.i * 104729) % 99991) + 1) * 0.137 + ((o.i * 31) % 100) / 100.0)::numeric, 2),
  CASE c.country WHEN 'United Kingdom' THEN 'GBP'
    WHEN 'Germany' THEN 'EUR' WHEN 'France' THEN 'EUR' WHEN 'Netherlands' THEN 'EUR' WHEN 'Spain' THEN 'EUR'
    ELSE 'USD' END,
  timestamp '2024-01-01 00:00:00' + ((o.i * 7907) % 525600) * interval '1 minute',
  CASE WHEN o.i % 7 = 0 THEN
    (ARRAY['Deliver to loading dock B.','Customer asked for a single invoice.','Split shipment approved.',
           'Call before delivery.','Gift wrap not required.','Replacement for a damaged item.'])[1 + (o.i / 7) % 6]
  END
FROM generate_series(1, ${orders}) AS o(i)
JOIN ${s}.customers AS c ON c.id = 1 + ((o.i * 7919) % ${customers});

SELECT setval(pg_get_serial_sequence('${schema}.employees', 'id'), (SELECT max(id) FROM ${s}.employees));
SELECT setval(pg_get_serial_sequence('${schema}.customers', 'id'), ${customers});
SELECT setval(pg_get_serial_sequence('${schema}.orders', 'id'), ${orders});
SELECT setval(pg_get_serial_sequence('${schema}.products', 'id'), ${products});
`);
}
