import { topics } from "@postprocess/contracts";
import { uniqueName, waitFor } from "@postprocess/testkit";
import { expect } from "vitest";
import { type BatchEvent, createBatchConsumer } from "./batch-consumer.ts";
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

test("folds batches, dead-letters poison, rejected and refused events alone, retries outages in place", async ({
  env,
  admin,
}) => {
  const groupId = uniqueName("bg");
  const { prefix, cleanup } = await isolatedTopics(env, admin, [topics.cancelRequested], [groupId]);
  const { logger } = captureLogger();
  const kafka = testKafka(env, logger);
  const codec = createCodec({ registryUrl: env.SCHEMA_REGISTRY_URL });
  const producer = createProducer(kafka, codec, { topicPrefix: prefix });
  const raw = kafka.producer();
  const sizes: number[] = [];
  const folded = new Set<string>();
  let outages = 2;
  const consumer = createBatchConsumer(kafka, codec, {
    groupId,
    topicPrefix: prefix,
    topics: ["cancelRequested"],
    logger,
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
