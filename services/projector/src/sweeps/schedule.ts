import type { Logger } from "@postprocess/kafka";

/** A periodic task; `stop` waits for a pass in flight. */
export interface Scheduled {
  stop(): Promise<void>;
}

/**
 * Runs `task` every `intervalMs` (first pass after one interval), never two passes at once; a failing pass
 * is logged and the next one tries again.
 */
export function schedule(
  name: string,
  intervalMs: number,
  task: () => Promise<unknown>,
  log: Logger,
): Scheduled {
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = task()
      .then(
        () => undefined,
        (err: unknown) => log.error({ sweep: name, err: (err as Error).message }, "sweep failed"),
      )
      .finally(() => {
        running = null;
      });
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
