import type { MikroORM } from "@mikro-orm/postgresql";
import type { TopicKey } from "@postprocess/contracts";
import { createOrm } from "@postprocess/db";
import {
  bootstrapTopics,
  type Codec,
  createCodec,
  createConsumer,
  createJsonLogger,
  createKafka,
  createProducer,
  type Handlers,
  installSignalHandlers,
  type Logger,
  type Producer,
  type RetryPolicy,
  type Stoppable,
} from "@postprocess/kafka";
import type { Kafka } from "kafkajs";
import { createJobStore, type JobStore } from "./job-store.ts";
import type { WorkerConfig } from "./worker-config.ts";

/** What a worker's handlers are built from. */
export interface WorkerRuntime {
  orm: MikroORM;
  kafka: Kafka;
  codec: Codec;
  producer: Producer;
  jobs: JobStore;
  log: Logger;
}

/**
 * Wires a pipeline worker: database (read-only), Kafka client, codec, producer, topic bootstrap, a consumer
 * group named after the service, and SIGTERM handling (consumer first, then producer, then the pool). The
 * service's main.ts only parses its config and passes its handlers.
 */
export async function startWorker<K extends TopicKey>(opts: {
  name: string;
  config: WorkerConfig;
  handlers(rt: WorkerRuntime): Handlers<K>;
  retry?: Partial<RetryPolicy>;
  /** Extra things to close on shutdown (HTTP clients, SMTP pools), after the producer. */
  close?: Stoppable[];
  sessionTimeout?: number;
}): Promise<WorkerRuntime> {
  const { config } = opts;
  const log = createJsonLogger({ level: config.LOG_LEVEL, bindings: { service: opts.name } });
  const orm = createOrm({ clientUrl: config.DATABASE_URL });
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS.split(","), clientId: opts.name, logger: log });
  await bootstrapTopics(kafka, { topicPrefix: config.TOPIC_PREFIX, group: opts.name });
  const codec = createCodec({
    registryUrl: config.SCHEMA_REGISTRY_URL,
    autoRegister: config.SCHEMA_AUTO_REGISTER,
  });
  const producer = createProducer(kafka, codec, { topicPrefix: config.TOPIC_PREFIX });
  await producer.connect();
  const rt: WorkerRuntime = { orm, kafka, codec, producer, jobs: createJobStore(orm), log };
  const consumer = createConsumer(kafka, codec, {
    groupId: opts.name,
    topicPrefix: config.TOPIC_PREFIX,
    handlers: opts.handlers(rt),
    retry: {
      attempts: config.RETRY_ATTEMPTS,
      baseMs: config.RETRY_BASE_MS,
      maxMs: config.RETRY_MAX_MS,
      retryTopicAttempts: config.RETRY_TOPIC_ATTEMPTS,
      ...opts.retry,
    },
    sessionTimeout: opts.sessionTimeout,
    concurrency: config.WORKER_CONCURRENCY,
    logger: log,
  });
  installSignalHandlers(
    [consumer, producer, ...(opts.close ?? []), { disconnect: () => orm.close() }],
    config.SHUTDOWN_TIMEOUT_MS,
    { logger: log },
  );
  await consumer.start();
  return rt;
}
