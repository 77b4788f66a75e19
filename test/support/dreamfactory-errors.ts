/**
 * Test helpers that capture the DreamFactoryError a call must raise (and fail the test when it raises nothing, or
 * something else).
 */
import { expect } from "vitest";
import { DreamFactoryError } from "../../src/errors/index.js";

/** The DreamFactoryError `promise` rejects with. */
export async function failure(promise: Promise<unknown>): Promise<DreamFactoryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DreamFactoryError);
  return error as DreamFactoryError;
}

/** The DreamFactoryError `fn` throws synchronously; anything else thrown is rethrown. */
export function errorOf(fn: () => unknown): DreamFactoryError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DreamFactoryError) return e;
    throw e;
  }
  throw new Error("expected a DreamFactoryError");
}
