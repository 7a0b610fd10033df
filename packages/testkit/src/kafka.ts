import { type Admin, Kafka, type KafkaMessage, logLevel } from "kafkajs";
import type { StackEnv } from "./stack-env.ts";
import { uniqueName } from "./unique.ts";
import { waitFor } from "./wait-for.ts";

/** A kafkajs client on the stack's broker, quiet unless something is wrong. */
export function kafkaClient(env: StackEnv, clientId = uniqueName("test")): Kafka {
  return new Kafka({ clientId, brokers: env.KAFKA_BROKERS.split(","), logLevel: logLevel.ERROR });
}

/**
 * Deletes every topic of one run (all names starting with `prefix`, retry and dead-letter topics included):
 * the cleanup of a test or benchmark that ran services on its own topic prefix. Best effort.
 */
export async function deleteTopicsWithPrefix(admin: Admin, prefix: string): Promise<void> {
  const names = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
  await admin.deleteTopics({ topics: names }).catch(() => {});
}

/** Creates a fresh topic (unique name) and returns its name; `deleteTopic` removes it. */
export async function createTopic(
  admin: Admin,
  opts: { prefix?: string; partitions?: number } = {},
): Promise<string> {
  const topic = uniqueName(opts.prefix ?? "t");
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic, numPartitions: opts.partitions ?? 1, replicationFactor: 1 }],
  });
  return topic;
}

/** Reads a topic from the beginning with a fresh group until `count` messages arrived, then disconnects. */
export async function readMessages(
  kafka: Kafka,
  topic: string,
  count: number,
  timeoutMs = 15_000,
): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({ groupId: uniqueName("reader"), maxWaitTimeInMs: 100 });
  const seen: KafkaMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(message);
      },
    });
    await waitFor(`${count} messages on ${topic}`, () => seen.length >= count && seen, { timeoutMs });
    return seen;
  } finally {
    await consumer.disconnect();
  }
}
