import type { MikroORM } from "@mikro-orm/postgresql";
import {
  type Codec,
  type Consumer,
  createBatchConsumer,
  createProducer,
  type Logger,
  type Producer,
} from "@postprocess/kafka";
import type { Kafka } from "kafkajs";
import { createBatchHandler, projectedTopics } from "./handle-batch.ts";

export interface ProjectorOptions {
  orm: MikroORM;
  kafka: Kafka;
  codec: Codec;
  groupId: string;
  topicPrefix?: string;
  maxBatchSize?: number;
  concurrency?: number;
  logger?: Logger;
}

/** The running projector: its consumer (stop it first) and the status producer it writes with. */
export interface Projector {
  consumer: Consumer;
  producer: Producer;
}

/** Builds and starts the projector: a batch consumer of every pipeline topic folding into PostgreSQL. */
export async function startProjector(o: ProjectorOptions): Promise<Projector> {
  const producer = createProducer(o.kafka, o.codec, { topicPrefix: o.topicPrefix });
  await producer.connect();
  const consumer = createBatchConsumer(o.kafka, o.codec, {
    groupId: o.groupId,
    topicPrefix: o.topicPrefix,
    topics: projectedTopics,
    maxBatchSize: o.maxBatchSize,
    concurrency: o.concurrency,
    logger: o.logger,
    handleBatch: createBatchHandler({ orm: o.orm, producer }),
  });
  await consumer.start();
  return { consumer, producer };
}
