import { topics } from "@postprocess/contracts";
import { type StackEnv, uniqueName, waitFor } from "@postprocess/testkit";
import type { Admin } from "kafkajs";
import { expect } from "vitest";
import { type BatchConsumerOptions, type BatchEvent, createBatchConsumer } from "./batch-consumer.ts";
import { createCodec } from "./codec.ts";
import { NonRetriableError, RetriableError } from "./errors.ts";
import { createProducer } from "./producer.ts";
import {
  cancelEvent,
  captureLogger,
  isolatedTopics,
  readRaw,
  test,
  testKafka,
  waitForCommit,
} from "./testing/helpers.ts";

/** A fresh group on its own `processing.cancel-requested` topic, with a typed producer for it. */
async function cancelTopicSetup(env: StackEnv, admin: Admin) {
  const groupId = uniqueName("bg");
  const { prefix, cleanup } = await isolatedTopics(env, admin, [topics.cancelRequested], [groupId]);
  const { logger } = captureLogger();
  const kafka = testKafka(env, logger);
  const codec = createCodec({ registryUrl: env.SCHEMA_REGISTRY_URL });
  const producer = createProducer(kafka, codec, { topicPrefix: prefix });
  /** A batch consumer of that topic in that group; `opts` adds the handler and what the test varies. */
  const batchConsumer = (
    opts: Omit<BatchConsumerOptions<"cancelRequested">, "groupId" | "topicPrefix" | "topics" | "logger">,
  ) =>
    createBatchConsumer(kafka, codec, {
      groupId,
      topicPrefix: prefix,
      topics: ["cancelRequested"],
      logger,
      ...opts,
    });
  return { groupId, prefix, cleanup, logger, kafka, codec, producer, batchConsumer };
}

test("folds batches, dead-letters poison, rejected and refused events alone, retries outages in place", async ({
  env,
  admin,
}) => {
  const { groupId, prefix, cleanup, kafka, producer, batchConsumer } = await cancelTopicSetup(env, admin);
  const raw = kafka.producer();
  const sizes: number[] = [];
  const folded = new Set<string>();
  let outages = 2;
  const consumer = batchConsumer({
    retry: { baseMs: 5, maxMs: 20 },
    handleBatch: async (events: BatchEvent<"cancelRequested">[]) => {
      sizes.push(events.length);
      if (events.some((e) => e.event.reason === "outage") && outages-- > 0)
        throw new RetriableError("db down");
      if (events.some((e) => e.event.reason === "refused")) throw new NonRetriableError("check constraint");
      for (const e of events) folded.add(e.event.reason ?? "");
      const rejected = events.flatMap((e, index) =>
        e.event.reason === "rejected" ? [{ index, error: new NonRetriableError("unknown account") }] : [],
      );
      return { rejected };
    },
  });
  try {
    await producer.connect();
    await raw.connect();
    const pid = cancelEvent().processing_id;
    // All on one partition (same key), produced before the consumer starts so they arrive as one batch.
    const reasons = ["a", "b", "outage", "c", "refused", "d", "rejected", "e"];
    for (const reason of reasons)
      await producer.send("cancelRequested", cancelEvent({ processing_id: pid, reason }));
    const offsets = await admin.fetchTopicOffsets(`${prefix}processing.cancel-requested`);
    const { partition } = offsets.find((x) => x.high !== "0")!;
    await raw.send({
      topic: `${prefix}processing.cancel-requested`,
      messages: [{ partition, value: Buffer.from("not avro") }],
    });
    await producer.send("cancelRequested", cancelEvent({ processing_id: pid, reason: "after-poison" }));
    await consumer.start();

    await waitFor("every good event folded", () => folded.has("after-poison") && folded);
    expect([...folded].sort()).toEqual(["a", "after-poison", "b", "c", "d", "e", "outage", "rejected"]);
    // The first call saw the whole batch; bisection then isolated the refused event.
    expect(sizes[0]).toBe(10 - 1);
    expect(sizes).toContain(1);

    const dead = await readRaw(kafka, `${prefix}${groupId}.dlq`, 3);
    const classes = dead.map((d) => d.headers["x-error-class"]).sort();
    expect(classes).toEqual(["NonRetriableError", "NonRetriableError", "PoisonMessageError"]);
    const messages = dead.map((d) => d.headers["x-error-message"]);
    expect(messages).toEqual(expect.arrayContaining(["check constraint", "unknown account"]));
    expect(dead.find((d) => d.headers["x-error-class"] === "PoisonMessageError")!.value!.toString()).toBe(
      "not avro",
    );
    for (const d of dead) expect(d.headers["x-original-topic"]).toBe(`${prefix}processing.cancel-requested`);
    // Everything, dead letters included, is committed: offsets 0..9 handled, the next to read is 10.
    await waitForCommit(admin, prefix + groupId, {
      topic: `${prefix}processing.cancel-requested`,
      partition,
      next: "10",
    });
  } finally {
    await consumer.stop(5000);
    await producer.disconnect();
    await raw.disconnect();
    await cleanup();
  }
});

test("group commit: the partitions of one fetch fold in one call; a refused event still goes alone to the DLQ", async ({
  env,
  admin,
}) => {
  const { groupId, prefix, cleanup, kafka, producer, batchConsumer } = await cancelTopicSetup(env, admin);
  const calls: { partitions: Set<number>; size: number }[] = [];
  const folded = new Set<string>();
  const consumer = batchConsumer({
    concurrency: 6,
    handleBatch: async (events: BatchEvent<"cancelRequested">[]) => {
      calls.push({ partitions: new Set(events.map((e) => e.meta.partition)), size: events.length });
      if (events.some((e) => e.event.reason === "refused")) throw new NonRetriableError("check constraint");
      for (const e of events) folded.add(e.event.reason ?? "");
      return {};
    },
  });
  try {
    await producer.connect();
    // Twelve jobs: their keys spread over the topic's six partitions. Produced before the consumer
    // starts, so the first fetch returns them all.
    const reasons = Array.from({ length: 12 }, (_, i) => (i === 7 ? "refused" : `ok-${i}`));
    const sent = await Promise.all(
      reasons.map((reason) => producer.send("cancelRequested", cancelEvent({ reason }))),
    );
    const partitions = new Set(sent.map((s) => s.partition));
    expect(partitions.size).toBeGreaterThan(1);
    await consumer.start();

    await waitFor("every good event folded", () => folded.size === 11 && folded);
    // The first call got every partition of the fetch together (it failed on the refused event) …
    expect(calls[0]).toEqual({ partitions, size: 12 });
    // … then each partition's chunk folded alone: the refused one bisected down to itself.
    expect(calls.filter((c) => c.size === 1 && c.partitions.size === 1).length).toBeGreaterThan(0);
    const dead = await readRaw(kafka, `${prefix}${groupId}.dlq`, 1);
    expect(dead.map((d) => d.headers["x-error-message"])).toEqual(["check constraint"]);
    expect([...folded].sort()).toEqual(reasons.filter((r) => r !== "refused").sort());
  } finally {
    await consumer.stop(5000);
    await producer.disconnect();
    await cleanup();
  }
});

test("a backlog of whole batches is folded by up to three handler calls at once; a trickle by one", async ({
  env,
  admin,
}) => {
  const { cleanup, producer, batchConsumer } = await cancelTopicSetup(env, admin);
  let inFlight = 0;
  let most = 0;
  const folded: string[] = [];
  const consumer = batchConsumer({
    concurrency: 6,
    maxBatchSize: 2,
    handleBatch: async (events: BatchEvent<"cancelRequested">[]) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 50));
      inFlight--;
      for (const e of events) folded.push(e.event.reason ?? "");
      return {};
    },
  });
  try {
    await producer.connect();
    // A backlog: 24 events over the six partitions, published before the consumer starts.
    await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        producer.send("cancelRequested", cancelEvent({ reason: `b${i}` })),
      ),
    );
    await consumer.start();
    await waitFor("the backlog folded", () => folded.length === 24 && folded);
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(3);
    // A trickle: one event at a time never runs two folds at once.
    most = 0;
    for (let i = 0; i < 4; i++) {
      await producer.send("cancelRequested", cancelEvent({ reason: `t${i}` }));
      await waitFor(`t${i} folded`, () => folded.includes(`t${i}`));
    }
    expect(most).toBe(1);
  } finally {
    await consumer.stop(5000);
    await producer.disconnect();
    await cleanup();
  }
});
