import { DreamFactoryError } from "../errors/dreamfactory-error.js";

/**
 * Waits for work shared by several callers (a refresh, a session lookup). The caller's signal ends only this
 * caller's wait (rejecting with `aborted`), never the shared work.
 *
 * @param shared - the shared promise
 * @param signal - the caller's signal
 * @param what - what is waited for, for the message (e.g. "token refresh")
 */
export function waitShared<T>(shared: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (signal === undefined) return shared;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new DreamFactoryError("aborted", `DreamFactory ${what} wait was aborted by the caller.`));
    // Handlers are attached even when already aborted, so a later failure of the shared work is never unhandled.
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    shared.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
