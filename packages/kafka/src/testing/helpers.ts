import {
  type EventOf,
  newEventId,
  registerSchemas,
  type TopicDef,
  type TopicKey,
  topics,
} from "@postprocess/contracts";
import { test as base, type StackEnv, uniqueName, waitFor } from "@postprocess/testkit";
import type { Admin, IHeaders, Kafka } from "kafkajs";
import { ensureTopics } from "../bootstrap.ts";
import { createCodec } from "../codec.ts";
import { createKafka } from "../kafka-client.ts";
import { createJsonLogger, type Logger } from "../logger.ts";
import { createProducer } from "../producer.ts";

/** Test support for this package's integration tests (not exported from the package). */

/**
 * The testkit's `test`, with `admin` built by this package's `createKafka`: kafkajs's per-request error
 * lines (a new topic's leader not answering yet, which the bootstrap waits out) are then demoted to debug
 * instead of printed by kafkajs's own logger; real warnings and errors still reach stderr.
 */
export const test = base.extend<{ admin: Admin }>({
  admin: async ({ env }, use) => {
    const admin = testKafka(env, createJsonLogger({ level: "warn" })).admin();
    await admin.connect();
    await use(admin);
    await admin.disconnect();
  },
});

/** A logger that keeps entries for assertions; set KAFKA_TEST_LOGS=1 to also print them. */
export function captureLogger(): { logger: Logger; entries: { level: string; msg: string; obj: object }[] } {
  const entries: { level: string; msg: string; obj: object }[] = [];
  const print = process.env.KAFKA_TEST_LOGS === "1";
  const at = (level: string) => (obj: object, msg: string) => {
    entries.push({ level, msg, obj });
    if (print) process.stderr.write(`${level} ${msg} ${JSON.stringify(obj)}\n`);
  };
  return { logger: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") }, entries };
}

/** A kafkajs client through the package's own factory, logging into `logger`. */
export function testKafka(env: StackEnv, logger: Logger): Kafka {
  return createKafka({ brokers: env.KAFKA_BROKERS.split(","), clientId: uniqueName("kt"), logger });
}

/**
 * A fresh namespace for one test: unique topic prefix, schemas registered, topics (and the groups' retry and
 * DLQ topics) created. Returns the prefix and a cleanup that deletes the topics.
 */
export async function isolatedTopics(
  env: StackEnv,
  admin: Admin,
  defs: readonly TopicDef[],
  groups: readonly string[],
): Promise<{ prefix: string; cleanup(): Promise<void> }> {
  const prefix = `${uniqueName("k")}.`;
  await registerSchemas(env.SCHEMA_REGISTRY_URL, { prefix, topics: defs });
  const { created } = await ensureTopics(admin, { topicPrefix: prefix, topics: defs, groups });
  return { prefix, cleanup: () => admin.deleteTopics({ topics: created }).catch(() => {}) };
}

/** A job id of the right shape (`proc_` + 26 Crockford base32 chars). */
export function newProcessingId(): string {
  return `proc_${newEventId().slice("evt_".length)}`;
}

/** A complete, valid cancel-requested event. */
export function cancelEvent(over: Partial<EventOf<"cancelRequested">> = {}): EventOf<"cancelRequested"> {
  return {
    event_id: newEventId(),
    occurred_at: new Date().toISOString(),
    processing_id: newProcessingId(),
    conversation_id: "conv_test",
    account_id: "acc_test",
    reason: null,
    ...over,
  };
}

/** A record as read back raw, with its partition. */
export interface RawRecord {
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/** Reads `count` raw records of a topic with a throwaway group (kafkajs directly: no codec, no runtime). */
export async function readRaw(
  kafka: Kafka,
  topic: string,
  count: number,
  timeoutMs = 15_000,
): Promise<RawRecord[]> {
  const consumer = kafka.consumer({ groupId: uniqueName("raw"), maxWaitTimeInMs: 100 });
  const seen: RawRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        seen.push({
          partition,
          offset: message.offset,
          key: message.key?.toString() ?? null,
          value: message.value,
          headers: stringHeaders(message.headers),
        });
      },
    });
    return await waitFor(`${count} record(s) on ${topic}`, () => seen.length >= count && seen, { timeoutMs });
  } finally {
    await consumer.disconnect();
  }
}

/** Total number of records ever written to a topic (sum of high watermarks). */
export async function recordCount(admin: Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
}

/** The group's committed offset of one partition ("-1" when none). */
export async function committedOffset(
  admin: Admin,
  groupId: string,
  topic: string,
  partition: number,
): Promise<string> {
  const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return t?.partitions.find((p) => p.partition === partition)?.offset ?? "-1";
}

function stringHeaders(h: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) if (v !== undefined) out[k] = v.toString();
  return out;
}

/** The catalog def of `key`, with a different partition count (tests of partition assignment). */
export function withPartitions<K extends TopicKey>(key: K, partitions: number): TopicDef {
  const def = topics[key] as TopicDef;
  return { ...def, layout: { ...def.layout, partitions } };
}

/**
 * A group's world on a cancel-requested topic of `partitions` partitions (the group tests): a fresh group
 * id, the topic (and the group's retry and DLQ topics), the codec, and a producer (not yet connected).
 */
export async function partitionedCancelTopic(env: StackEnv, admin: Admin, partitions: number) {
  const groupId = uniqueName("g");
  const def = withPartitions("cancelRequested", partitions);
  const { prefix, cleanup } = await isolatedTopics(env, admin, [def], [groupId]);
  const codec = createCodec({ registryUrl: env.SCHEMA_REGISTRY_URL });
  const producer = createProducer(testKafka(env, captureLogger().logger), codec, { topicPrefix: prefix });
  return { groupId, prefix, topic: `${prefix}${def.name}`, codec, producer, cleanup };
}

/** Waits until the group's committed offset of a partition is `next` (the offset after the last handled). */
export function waitForCommit(
  admin: Admin,
  groupId: string,
  at: { topic: string; partition: number; next: string },
  timeoutMs = 15_000,
): Promise<true> {
  return waitFor(
    `${groupId} to commit ${at.topic}[${at.partition}] at ${at.next}`,
    async () => {
      const committed = await committedOffset(admin, groupId, at.topic, at.partition);
      if (committed !== at.next) throw new Error(`committed offset is ${committed}`);
      return true as const;
    },
    { timeoutMs, intervalMs: 100 },
  );
}
