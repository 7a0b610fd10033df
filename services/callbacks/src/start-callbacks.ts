import type { MikroORM } from "@mikro-orm/postgresql";
import type { SecretBox } from "@postprocess/db";
import { type Codec, type Consumer, createConsumer, type Logger, type RetryPolicy } from "@postprocess/kafka";
import type { Kafka } from "kafkajs";
import { createDeliveryLoop, type DeliveryLoop, type DeliveryLoopDeps } from "./delivery-loop.ts";
import { createDeliveryStore } from "./delivery-store.ts";
import { handleProcessingStatus } from "./handle-processing-status.ts";

/** What `startCallbacks` wires together (main.ts builds it from the config; tests from the stack). */
export interface CallbacksOptions {
  orm: MikroORM;
  kafka: Kafka;
  codec: Codec;
  groupId: string;
  topicPrefix: string;
  publicBaseUrl: string;
  secrets: SecretBox;
  now?: () => Date;
  log: Logger;
  /** The consumer's retry policy (a failing insert is retried in place, then via the group's retry topic). */
  consumerRetry?: Partial<RetryPolicy>;
  /** Partitions enqueued from at once (each in order). */
  concurrency?: number;
  delivery: Pick<DeliveryLoopDeps, "retry" | "timeoutMs" | "agents" | "pollIntervalMs" | "batchSize">;
}

/** The running service: the status consumer and the delivery loop (stop the consumer first). */
export interface RunningCallbacks {
  consumer: Consumer;
  loop: DeliveryLoop;
}

/**
 * Starts the two halves of the service in one process: a consumer of `processing.status` that enqueues
 * callbacks in PostgreSQL, and the loop that posts them. The table between them is the queue, so a slow or
 * dead receiver never holds the consumer back, and retries need neither Kafka nor memory.
 */
export async function startCallbacks(opts: CallbacksOptions): Promise<RunningCallbacks> {
  const now = opts.now ?? (() => new Date());
  const consumer = createConsumer(opts.kafka, opts.codec, {
    groupId: opts.groupId,
    topicPrefix: opts.topicPrefix,
    deps: { orm: opts.orm, publicBaseUrl: opts.publicBaseUrl, now },
    handlers: {
      processingStatus: async (event, ctx) => {
        await handleProcessingStatus(event, ctx);
      },
    },
    retry: opts.consumerRetry,
    concurrency: opts.concurrency,
    // A callback may leave a quarter second later; the status topic carries several records per job, and
    // fetching them in bunches rather than one by one saves this process and the broker a fetch each.
    minBytes: 16 * 1024,
    maxWaitTimeInMs: 250,
    logger: opts.log,
  });
  const loop = createDeliveryLoop({
    ...opts.delivery,
    store: createDeliveryStore(opts.orm),
    secrets: opts.secrets,
    now,
    log: opts.log,
  });
  await consumer.start();
  loop.start();
  return { consumer, loop };
}
