import { afterAll, beforeAll, beforeEach } from "vitest";

/** What a test file opens once and closes after its last test: a sandbox, a sandbox database, a SQL driver. */
export interface Closable {
  close(): Promise<void>;
}

/**
 * Opens one resource per test file, fail-closed: registers `beforeAll` (open, then `setup`), `beforeEach` and
 * `afterAll` (close) in the calling file, and returns a stand-in for the resource (see {@link standIn}).
 *
 * If `open` or `setup` throws, the error is kept and thrown again before every test (and on any use of the
 * stand-in), so every test of the file FAILS with it; a throwing `beforeAll` would only mark them skipped.
 * Whatever was opened is closed in `afterAll`, also when `setup` failed. `setup` may use the stand-in already.
 *
 * @param open Starts the resource, e.g. `() => startSandbox({ ... })`.
 * @param setup Runs once after `open`, e.g. demo-user logins into the file's own variables.
 * @returns A stand-in usable in tests and hooks, not at module load (the resource is not open yet).
 * @example
 * const sb = useResource(() => startSandbox(), async () => {
 *   token = await sb.login(sb.users.alice.email, sb.users.alice.password);
 * });
 */
export function useResource<R extends Closable>(open: () => Promise<R>, setup?: (resource: R) => Promise<void>): R {
  let resource: R | undefined;
  let failure: { error: unknown } | undefined;
  beforeAll(async () => {
    try {
      resource = await open();
      await setup?.(resource);
    } catch (error) {
      failure = { error };
    }
  });
  beforeEach(() => {
    if (failure) throw failure.error;
  });
  afterAll(async () => {
    await resource?.close();
  });
  return standIn(() => {
    if (failure) throw failure.error;
    if (resource === undefined) throw new Error("useResource: the resource is used before its beforeAll opened it");
    return resource;
  });
}

/**
 * An object that forwards every property read (methods bound), write and `in` test to `current()`, evaluated at
 * each use, so test code can name a resource that does not exist yet. `current()` may throw; the use then throws.
 *
 * @param current Returns the object to forward to.
 * @example
 * const first = standIn(() => pair.first);
 */
export function standIn<T extends object>(current: () => T): T {
  return new Proxy({} as T, {
    get(_, key) {
      const target = current();
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
    set: (_, key, value) => Reflect.set(current(), key, value),
    has: (_, key) => Reflect.has(current(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(current()),
  });
}
