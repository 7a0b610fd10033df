import { type EventOf, topics } from "@postprocess/contracts";
import { uniqueName, waitFor } from "@postprocess/testkit";
import type { Admin } from "kafkajs";
import { expect } from "vitest";
import { createCodec } from "./codec.ts";
import { createConsumer } from "./consumer.ts";
import { failureTopics } from "./dead-letter.ts";
import { NonRetriableError, RetriableError, RetryAfterError } from "./errors.ts";
import type { Handler } from "./handler.ts";
import { createProducer } from "./producer.ts";
import {
  cancelEvent,
  captureLogger,
  isolatedTopics,
  newProcessingId,
  readRaw,
  recordCount,
  test,
  testKafka,
  waitForCommit,
} from "./testing/helpers.ts";

const next = (offset: string) => String(Number(offset) + 1);

/** Small waits so a full retry → retry topic → DLQ cycle takes well under a second. */
const retry = { attempts: 3, baseMs: 10, maxMs: 150, retryTopicAttempts: 2 };

/** One test's world: topics, a typed producer, and a consumer whose handler the test supplies. */
async function world(
  env: Parameters<typeof isolatedTopics>[0],
  admin: Admin,
  handler: Handler<"cancelRequested">,
  policy: typeof retry = retry,
) {
  const groupId = uniqueName("g");
  const { prefix, cleanup } = await isolatedTopics(env, admin, [topics.cancelRequested], [groupId]);
  const { logger, entries } = captureLogger();
  const kafka = testKafka(env, logger);
  const codec = createCodec({ registryUrl: env.SCHEMA_REGISTRY_URL });
  const producer = createProducer(kafka, codec, { topicPrefix: prefix });
  const consumer = createConsumer(kafka, codec, {
    groupId,
    topicPrefix: prefix,
    logger,
    retry: policy,
    handlers: { cancelRequested: handler },
  });
  await producer.connect();
  await consumer.start();
  return {
    kafka,
    producer,
    // The Kafka group: the consumer prefixes its group id as it prefixes its topics.
    groupId: prefix + groupId,
    entries,
    topic: `${prefix}${topics.cancelRequested.name}`,
    ...failureTopics(prefix, groupId),
    async close() {
      await consumer.stop(5000);
      await producer.disconnect();
      await cleanup();
    },
  };
}

test("retriable failures: in place, then the retry topic, then the DLQ — and the partition moves on", async ({
  env,
  admin,
}) => {
  const calls: { eventId: string; attempt: number; last: boolean; at: number }[] = [];
  const w = await world(env, admin, async (event, ctx) => {
    calls.push({ eventId: event.event_id, attempt: ctx.attempt, last: ctx.lastAttempt, at: Date.now() });
    if (event.reason === "fail") throw new RetriableError("remote timed out");
  });
  try {
    const job = newProcessingId();
    const bad = cancelEvent({ processing_id: job, reason: "fail" });
    const good = cancelEvent({ processing_id: job, reason: "ok" });
    // One batch, one partition: `good` sits right behind `bad`.
    await w.producer.sendBatch([
      { topic: "cancelRequested", event: bad },
      { topic: "cancelRequested", event: good },
    ]);

    const [dead] = await readRaw(w.kafka, w.dlq, 1);
    const [original] = (await readRaw(w.kafka, w.topic, 2)).filter(
      (r) => r.offset === dead!.headers["x-original-offset"],
    );
    const retried = (await readRaw(w.kafka, w.retry, 2)).sort((a, b) =>
      a.headers["x-attempt"]!.localeCompare(b.headers["x-attempt"]!),
    );

    // Three attempts in place, then one per retry-topic round (two rounds): five in all.
    const badCalls = calls.filter((c) => c.eventId === bad.event_id);
    expect(badCalls.map((c) => c.attempt)).toEqual([1, 2, 3, 4, 5]);
    // Only the fifth knows no retry follows it.
    expect(badCalls.map((c) => c.last)).toEqual([false, false, false, false, true]);
    // `good` was handled once, right after `bad` left the partition, before any retry-topic attempt.
    const goodCalls = calls.filter((c) => c.eventId === good.event_id);
    expect(goodCalls.map((c) => c.attempt)).toEqual([1]);
    expect(calls.indexOf(goodCalls[0]!)).toBe(3);

    // The retry topic got the original record twice, with the failure's bookkeeping.
    expect(retried.map((r) => [r.headers["x-attempt"], r.headers["x-retry-round"]])).toEqual([
      ["3", "1"],
      ["4", "2"],
    ]);
    for (const r of retried) {
      expect(r.key).toBe(job);
      expect(r.value?.equals(original!.value!)).toBe(true);
      expect(r.headers["x-original-topic"]).toBe(w.topic);
      expect(r.headers["x-original-offset"]).toBe(original!.offset);
      expect(r.headers["x-error-class"]).toBe("RetriableError");
      const notBefore = Number(r.headers["x-retry-not-before"]);
      const failedAt = Date.parse(r.headers["x-failed-at"]!);
      expect(notBefore - failedAt).toBeGreaterThanOrEqual(0);
      expect(notBefore - failedAt).toBeLessThanOrEqual(retry.maxMs + 50);
    }
    // Each retry-topic attempt waited until its record was due.
    expect(badCalls[3]!.at).toBeGreaterThanOrEqual(Number(retried[0]!.headers["x-retry-not-before"]));
    expect(badCalls[4]!.at).toBeGreaterThanOrEqual(Number(retried[1]!.headers["x-retry-not-before"]));

    // The dead letter: original key, bytes and headers, plus where it came from and why it died.
    expect(dead!.key).toBe(job);
    expect(dead!.value?.equals(original!.value!)).toBe(true);
    expect(dead!.headers).toMatchObject({
      traceparent: original!.headers.traceparent,
      "x-processing-id": job,
      "x-event-type": "dev.postprocess.events.CancelRequested",
      "x-original-topic": w.topic,
      "x-original-partition": String(original!.partition),
      "x-original-offset": original!.offset,
      "x-error-class": "RetriableError",
      "x-error-message": "remote timed out",
      "x-attempts": "5",
    });
    expect(Date.parse(dead!.headers["x-failed-at"]!)).toBeGreaterThan(Date.now() - 60_000);
    expect(dead!.headers["x-retry-not-before"]).toBeUndefined();
    expect(w.entries.some((e) => e.msg === "message dead-lettered")).toBe(true);
  } finally {
    await w.close();
  }
});

test("a handler that fails twice then succeeds completes in place: no retry topic, no DLQ", async ({
  env,
  admin,
}) => {
  const attempts: number[] = [];
  const w = await world(env, admin, async (_event, ctx) => {
    attempts.push(ctx.attempt);
    if (ctx.attempt < 3) throw new Error("flaky (an unknown error counts as retriable)");
  });
  try {
    const sent = await w.producer.send("cancelRequested", cancelEvent());
    await waitForCommit(admin, w.groupId, {
      topic: w.topic,
      partition: sent.partition,
      next: next(sent.offset),
    });
    expect(attempts).toEqual([1, 2, 3]);
    // The retry/DLQ publish would have come before the commit we just saw; nothing was written.
    expect(await recordCount(admin, w.retry)).toBe(0);
    expect(await recordCount(admin, w.dlq)).toBe(0);
  } finally {
    await w.close();
  }
});

test("a poison message (not Confluent wire format) goes to the DLQ and the next message is handled", async ({
  env,
  admin,
  kafka: rawKafka,
}) => {
  const handled: EventOf<"cancelRequested">[] = [];
  const w = await world(env, admin, async (event) => void handled.push(event));
  const raw = rawKafka.producer();
  await raw.connect();
  try {
    const good = cancelEvent();
    const garbage = Buffer.from("definitely not avro");
    // Same key as `good`: the same partitioner puts both on one partition, garbage first.
    await raw.send({
      topic: w.topic,
      acks: -1,
      messages: [
        { key: good.processing_id, value: garbage, headers: { "x-processing-id": good.processing_id } },
      ],
    });
    await w.producer.send("cancelRequested", good);

    const [dead] = await readRaw(w.kafka, w.dlq, 1);
    await waitFor("the good message handled", () => handled.length === 1);
    expect(handled[0]!.event_id).toBe(good.event_id);
    expect(dead!.value?.equals(garbage)).toBe(true);
    expect(dead!.key).toBe(good.processing_id);
    expect(dead!.headers).toMatchObject({
      "x-error-class": "PoisonMessageError",
      "x-attempts": "1",
      "x-original-topic": w.topic,
      "x-original-offset": "0",
      "x-processing-id": good.processing_id,
    });
    expect(await recordCount(admin, w.retry)).toBe(0);
  } finally {
    await raw.disconnect();
    await w.close();
  }
});

test("a NonRetriableError goes straight to the DLQ after one attempt", async ({ env, admin }) => {
  const attempts: number[] = [];
  const w = await world(env, admin, async (_event, ctx) => {
    attempts.push(ctx.attempt);
    throw new NonRetriableError("conversation does not exist", { cause: new Error("404 from upstream") });
  });
  try {
    const sent = await w.producer.send("cancelRequested", cancelEvent());
    const [dead] = await readRaw(w.kafka, w.dlq, 1);
    expect(attempts).toEqual([1]);
    expect(dead!.headers).toMatchObject({
      "x-error-class": "NonRetriableError",
      "x-error-message": "conversation does not exist",
      "x-attempts": "1",
      "x-original-partition": String(sent.partition),
      "x-original-offset": sent.offset,
    });
    await waitForCommit(admin, w.groupId, {
      topic: w.topic,
      partition: sent.partition,
      next: next(sent.offset),
    });
    expect(await recordCount(admin, w.retry)).toBe(0);
  } finally {
    await w.close();
  }
});

test("a message waiting for its in-place retry holds no handler slot: other partitions go on", async ({
  env,
  admin,
}) => {
  const calls: { eventId: string; attempt: number }[] = [];
  // One handler at a time (the consumer's default), and a 2 s wait before the second attempt.
  const w = await world(
    env,
    admin,
    async (event, ctx) => {
      calls.push({ eventId: event.event_id, attempt: ctx.attempt });
      if (event.reason === "backoff" && ctx.attempt === 1) throw new RetryAfterError(2000, "429");
    },
    { ...retry, maxMs: 5000 },
  );
  try {
    const slow = cancelEvent({ reason: "backoff" });
    await w.producer.sendBatch([{ topic: "cancelRequested", event: slow }]);
    await waitFor("the first attempt", () => calls.length === 1, { timeoutMs: 30_000 });
    // Eight other jobs: all but a few land on other partitions than `slow`'s.
    const others = Array.from({ length: 8 }, () => cancelEvent({ reason: "ok" }));
    await w.producer.sendBatch(others.map((event) => ({ topic: "cancelRequested" as const, event })));
    await waitFor("every job handled", () => calls.length === 10, { timeoutMs: 30_000 });

    const second = calls.findIndex((c) => c.eventId === slow.event_id && c.attempt === 2);
    // While `slow` waited out its Retry-After, the one handler slot served other partitions' jobs.
    expect(calls.slice(1, second).length).toBeGreaterThan(0);
    expect(calls.filter((c) => c.eventId === slow.event_id).map((c) => c.attempt)).toEqual([1, 2]);
  } finally {
    await w.close();
  }
});
