/**
 * The sandbox's demo directory: DreamFactory roles, the database role each maps to, and the demo users.
 * Shared by the database seed (row ownership, teams) and the HTTP server (logins, role rules).
 * Demo credentials only: they exist solely inside the sandbox.
 */

/** DreamFactory role names of the demo app, and the Postgres role each one runs as. */
export const DEMO_ROLES = {
  sales_rep: { id: 1, name: "sales_rep", dbRole: "dfsb_sales_rep" },
  sales_manager: { id: 2, name: "sales_manager", dbRole: "dfsb_sales_manager" },
  support: { id: 3, name: "support", dbRole: "dfsb_support" },
} as const;

export type DemoRoleName = keyof typeof DEMO_ROLES;

/** Database role used for sys-admin requests (DreamFactory admins have no role mapping). */
export const ADMIN_DB_ROLE = "dfsb_admin";

export interface DemoUser {
  id: number;
  /** Short handle, e.g. "alice". */
  handle: string;
  email: string;
  password: string;
  firstName: string;
  lastName: string;
  /** DreamFactory role of the user in the demo app; null for the sys-admin. */
  role: DemoRoleName | null;
  isSysAdmin: boolean;
  /** Team used by the database's row-level security (kb_articles internal to a team). */
  team: string;
}

const named: DemoUser[] = [
  { id: 1, handle: "alice", email: "alice@example.com", password: "alice-demo-pass", firstName: "Alice", lastName: "Archer", role: "sales_rep", isSysAdmin: false, team: "sales" },
  { id: 2, handle: "bob", email: "bob@example.com", password: "bob-demo-pass", firstName: "Bob", lastName: "Baker", role: "sales_rep", isSysAdmin: false, team: "sales" },
  { id: 3, handle: "carol", email: "carol@example.com", password: "carol-demo-pass", firstName: "Carol", lastName: "Chen", role: "sales_manager", isSysAdmin: false, team: "sales" },
  { id: 4, handle: "dave", email: "dave@example.com", password: "dave-demo-pass", firstName: "Dave", lastName: "Diaz", role: "support", isSysAdmin: false, team: "support" },
  { id: 5, handle: "admin", email: "admin@example.com", password: "admin-demo-pass", firstName: "Ada", lastName: "Admin", role: null, isSysAdmin: true, team: "it" },
];

/** Extra sales reps for load and isolation tests: rep006 … rep105 (ids 6 … 105). */
export const EXTRA_REP_COUNT = 100;

const extra: DemoUser[] = Array.from({ length: EXTRA_REP_COUNT }, (_, i) => {
  const id = i + 6;
  const handle = `rep${String(id).padStart(3, "0")}`;
  return {
    id,
    handle,
    email: `${handle}@example.com`,
    password: `${handle}-demo-pass`,
    firstName: "Rep",
    lastName: String(id).padStart(3, "0"),
    role: "sales_rep",
    isSysAdmin: false,
    team: "sales",
  };
});

/** Every demo user, ordered by id. */
export const DEMO_USERS: readonly DemoUser[] = [...named, ...extra];

/** Ids of every user whose role is sales_rep (owners of customers and orders in the seed). */
export const SALES_REP_IDS: readonly number[] = DEMO_USERS.filter((u) => u.role === "sales_rep").map((u) => u.id);
