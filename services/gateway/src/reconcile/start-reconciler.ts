import type { Logger } from "@postprocess/kafka";

/** The running schedule; `stop` asks a sweep in flight to stop early, and waits for it. */
export interface Reconciler {
  stop(): Promise<void>;
}

/**
 * Runs `sweep` every `intervalMs` (the first after one interval, so a starting replica serves requests first),
 * never two at once; a failed sweep is logged and the next one tries again. `intervalMs` 0 schedules nothing.
 * The sweep gets a signal that aborts on `stop`: it ends between pages, storing where it got to.
 */
export function startReconciler(
  intervalMs: number,
  sweep: (signal: AbortSignal) => Promise<unknown>,
  log: Logger,
): Reconciler {
  if (intervalMs <= 0) return { stop: async () => {} };
  const stopping = new AbortController();
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = sweep(stopping.signal)
      .then(
        () => undefined,
        (err: unknown) => log.error({ err: (err as Error).message }, "reconciliation sweep failed"),
      )
      .finally(() => {
        running = null;
      });
  }, intervalMs);
  // The sweep alone must not keep the process alive.
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      stopping.abort();
      await running;
    },
  };
}
