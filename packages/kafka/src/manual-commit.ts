import type { Consumer, EachBatchPayload } from "kafkajs";

/**
 * Runs a kafkajs consumer with offsets committed by us, never by kafkajs (at-least-once: only after the
 * handler's effects are durable). Each batch in progress is kept in `inFlight`, so stop() can wait for it.
 */
export function runWithManualCommits(
  consumer: Consumer,
  opts: {
    concurrency: number;
    inFlight: Set<Promise<void>>;
    processBatch(payload: EachBatchPayload): Promise<void>;
  },
): Promise<void> {
  return consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: opts.concurrency,
    eachBatch: async (payload) => {
      const run = opts.processBatch(payload);
      opts.inFlight.add(run);
      try {
        await run;
      } finally {
        opts.inFlight.delete(run);
      }
    },
  });
}
