import type { Logger } from "./logger.ts";

/** A periodic task; `stop` aborts a pass in flight and waits for it. */
export interface Periodic {
  stop(): Promise<void>;
}

/**
 * Runs `task` every `intervalMs` (the first pass after one interval, so a starting replica serves first),
 * never two passes at once; a failed pass is logged as "`name` failed" and the next one tries again.
 * `intervalMs` 0 (or less) schedules nothing. The task gets a signal that aborts on `stop`, so a long pass
 * can end early at a safe point; `stop` resolves once it has.
 */
export function runEvery(
  name: string,
  intervalMs: number,
  task: (signal: AbortSignal) => Promise<unknown>,
  log: Logger,
): Periodic {
  if (intervalMs <= 0) return { stop: async () => {} };
  const stopping = new AbortController();
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = task(stopping.signal)
      .then(
        () => undefined,
        (err: unknown) => log.error({ task: name, err: (err as Error).message }, `${name} failed`),
      )
      .finally(() => {
        running = null;
      });
  }, intervalMs);
  // The schedule alone must not keep the process alive.
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      stopping.abort();
      await running;
    },
  };
}
