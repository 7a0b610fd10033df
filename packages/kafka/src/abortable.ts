import { setTimeout as delay } from "node:timers/promises";

/** Waits `ms`; resolves false at once if `signal` aborts first (shutdown), true otherwise. */
export async function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  try {
    await delay(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

/**
 * Settles with `promise`, or with `onAbort()` when `signal` aborts first. The listener is removed when the
 * promise settles, so racing millions of messages against one long-lived signal leaks nothing.
 */
export function raceAbort<T, U>(promise: Promise<T>, signal: AbortSignal, onAbort: () => U): Promise<T | U> {
  if (signal.aborted) return Promise.resolve(onAbort());
  return new Promise<T | U>((resolve, reject) => {
    const abort = () => resolve(onAbort());
    signal.addEventListener("abort", abort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", abort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener("abort", abort);
        reject(err);
      },
    );
  });
}
