import { createJsonLogger, type Logger } from "./logger.ts";

/** Anything main.ts shuts down: a consumer (stop with a timeout) or a producer/client (disconnect). */
export type Stoppable = { stop(timeoutMs?: number): Promise<void> } | { disconnect(): Promise<void> };

/**
 * On the first SIGTERM or SIGINT, stops `stoppables` in the order given (consumers first, then the
 * producers they write with), each within `timeoutMs`, then exits. A second signal exits at once: an
 * operator pressing Ctrl-C twice means it. Returns a function that removes the handlers.
 */
export function installSignalHandlers(
  stoppables: readonly Stoppable[],
  timeoutMs = 10_000,
  opts: { logger?: Logger; exit?: (code: number) => void } = {},
): () => void {
  const log = opts.logger ?? createJsonLogger();
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    log.info({ signal, timeoutMs }, "shutting down");
    let code = 0;
    for (const s of stoppables) {
      try {
        await withTimeout("stop" in s ? s.stop(timeoutMs) : s.disconnect(), timeoutMs);
      } catch (err) {
        log.error({ signal, err }, "shutdown step failed");
        code = 1;
      }
    }
    exit(code);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return exit(130);
    stopping = true;
    shutdown(signal).catch(() => exit(1));
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  return () => {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
  };
}

function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`did not stop within ${ms} ms`)), ms);
    t.unref();
    p.then(
      () => {
        clearTimeout(t);
        resolve();
      },
      (err: unknown) => {
        clearTimeout(t);
        reject(err);
      },
    );
  });
}
