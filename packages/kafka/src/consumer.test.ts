import { type EventOf, topics } from "@postprocess/contracts";
import { uniqueName, waitFor } from "@postprocess/testkit";
import { expect } from "vitest";
import { createCodec } from "./codec.ts";
import { createConsumer } from "./consumer.ts";
import type { HandlerContext } from "./handler.ts";
import { createProducer, type Sent } from "./producer.ts";
import {
  cancelEvent,
  captureLogger,
  isolatedTopics,
  newProcessingId,
  partitionedCancelTopic,
  test,
  testKafka,
  waitForCommit,
} from "./testing/helpers.ts";
import { createTraceparent, parseTraceparent } from "./traceparent.ts";

test("produce → consume: typed event, correlation headers, key, one partition per job, commits", async ({
  env,
  admin,
}) => {
  const groupId = uniqueName("g");
  const { prefix, cleanup } = await isolatedTopics(env, admin, [topics.cancelRequested], [groupId]);
  const { logger } = captureLogger();
  const kafka = testKafka(env, logger);
  const codec = createCodec({ registryUrl: env.SCHEMA_REGISTRY_URL });
  const producer = createProducer(kafka, codec, { topicPrefix: prefix });
  const received: { event: EventOf<"cancelRequested">; ctx: HandlerContext }[] = [];
  const consumer = createConsumer(kafka, codec, {
    groupId,
    topicPrefix: prefix,
    logger,
    handlers: { cancelRequested: async (event, ctx) => void received.push({ event, ctx }) },
  });
  try {
    await producer.connect();
    await consumer.start();
    const parent = createTraceparent();
    const jobA = newProcessingId();
    const events = [
      cancelEvent({ processing_id: jobA, reason: "first" }),
      cancelEvent({ processing_id: jobA, reason: "second" }),
      cancelEvent({ processing_id: jobA, reason: "third" }),
      cancelEvent({ processing_id: newProcessingId() }),
    ];
    const sent: Sent[] = [];
    for (const e of events)
      sent.push(await producer.send("cancelRequested", e, { context: { traceparent: parent } }));
    await waitFor("4 events handled", () => received.length >= 4 && received);

    const byId = new Map(received.map((r) => [r.event.event_id, r]));
    for (const [i, e] of events.entries()) {
      const r = byId.get(e.event_id)!;
      expect({ ...r.event }).toEqual(e);
      expect(r.ctx.key).toBe(topics.cancelRequested.key(e));
      expect(r.ctx.topic).toBe(`${prefix}processing.cancel-requested`);
      expect([r.ctx.partition, r.ctx.offset]).toEqual([sent[i]!.partition, sent[i]!.offset]);
      expect(r.ctx.processingId).toBe(e.processing_id);
      expect(r.ctx.headers["x-processing-id"]).toBe(e.processing_id);
      expect(r.ctx.headers["x-event-type"]).toBe("dev.postprocess.events.CancelRequested");
      expect(r.ctx.attempt).toBe(1);
      // The producer continued the caller's trace with a span of its own.
      expect(r.ctx.traceparent).toBe(r.ctx.headers.traceparent);
      expect(parseTraceparent(r.ctx.traceparent)?.traceId).toBe(parseTraceparent(parent)?.traceId);
      expect(parseTraceparent(r.ctx.traceparent)?.spanId).not.toBe(parseTraceparent(parent)?.spanId);
    }
    // All of one job's events on one partition, handled in the order produced.
    const jobEvents = received.filter((r) => r.event.processing_id === jobA);
    expect(new Set(jobEvents.map((r) => r.ctx.partition)).size).toBe(1);
    expect(jobEvents.map((r) => r.event.reason)).toEqual(["first", "second", "third"]);
    // Committed after the handlers resolved: the group's offset is past the partition's last event (the
    // other job may hash to the same partition).
    const { partition } = jobEvents[0]!.ctx;
    const last = Math.max(
      ...received.filter((r) => r.ctx.partition === partition).map((r) => Number(r.ctx.offset)),
    );
    await waitForCommit(admin, prefix + groupId, {
      topic: `${prefix}processing.cancel-requested`,
      partition,
      next: String(last + 1),
    });
  } finally {
    await consumer.stop(5000);
    await producer.disconnect();
    await cleanup();
  }
});

test("two consumers in one group split a 4-partition topic: disjoint, non-empty, complete", async ({
  env,
  admin,
}) => {
  const { groupId, prefix, topic, codec, producer, cleanup } = await partitionedCancelTopic(env, admin, 4);
  const member = () => {
    const log = captureLogger();
    const seen: { id: string; partition: number }[] = [];
    const consumer = createConsumer(testKafka(env, log.logger), codec, {
      groupId,
      topicPrefix: prefix,
      logger: log.logger,
      sessionTimeout: 6000,
      heartbeatInterval: 300,
      handlers: {
        cancelRequested: async (e, ctx) => void seen.push({ id: e.event_id, partition: ctx.partition }),
      },
    });
    /** This member's current partitions of the source topic, from its last assignment. */
    const assigned = () => {
      const last = log.entries.filter((e) => e.msg === "partitions assigned").at(-1)?.obj as
        | { assignment: Record<string, number[]> }
        | undefined;
      return last?.assignment[topic] ?? [];
    };
    return { consumer, seen, assigned };
  };
  const a = member();
  const b = member();
  try {
    await producer.connect();
    await a.consumer.start();
    await b.consumer.start();
    await waitFor("both members to hold two partitions each", () => {
      const [pa, pb] = [a.assigned(), b.assigned()];
      return pa.length === 2 && pb.length === 2 && new Set([...pa, ...pb]).size === 4;
    });

    // Produce until every partition has events (the key hash decides where each job goes).
    const ids: string[] = [];
    const partitions = new Set<number>();
    while (partitions.size < 4 || ids.length < 12) {
      const e = cancelEvent();
      partitions.add((await producer.send("cancelRequested", e)).partition);
      ids.push(e.event_id);
    }
    await waitFor(`all ${ids.length} events handled`, () => a.seen.length + b.seen.length >= ids.length);

    expect(a.seen.length).toBeGreaterThan(0);
    expect(b.seen.length).toBeGreaterThan(0);
    expect([...a.seen, ...b.seen].map((s) => s.id).sort()).toEqual([...ids].sort());
    const pa = new Set(a.seen.map((s) => s.partition));
    expect(b.seen.some((s) => pa.has(s.partition))).toBe(false);
    expect([...pa].sort()).toEqual([...a.assigned()].sort());
  } finally {
    await Promise.all([a.consumer.stop(5000), b.consumer.stop(5000)]);
    await producer.disconnect();
    await cleanup();
  }
});
