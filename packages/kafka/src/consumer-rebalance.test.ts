import { waitFor } from "@postprocess/testkit";
import { expect } from "vitest";
import { createConsumer } from "./consumer.ts";
import {
  cancelEvent,
  captureLogger,
  committedOffset,
  partitionedCancelTopic,
  test,
  testKafka,
} from "./testing/helpers.ts";

test("a member joining mid-backlog: nothing skipped, partitions handled in order, commits reach the end", async ({
  env,
  admin,
}) => {
  const { groupId, prefix, topic, codec, producer, cleanup } = await partitionedCancelTopic(env, admin, 4);
  const member = () => {
    const { logger } = captureLogger();
    const seen: { id: string; partition: number; offset: bigint }[] = [];
    const consumer = createConsumer(testKafka(env, logger), codec, {
      groupId,
      topicPrefix: prefix,
      logger,
      sessionTimeout: 6000,
      heartbeatInterval: 300,
      concurrency: 2,
      commitIntervalMs: 200,
      handlers: {
        cancelRequested: async (e, ctx) => {
          // Slow enough that the lanes still hold a backlog when the second member arrives.
          await new Promise((r) => setTimeout(r, 15));
          seen.push({ id: e.event_id, partition: ctx.partition, offset: BigInt(ctx.offset) });
        },
      },
    });
    return { consumer, seen };
  };
  const a = member();
  const b = member();
  try {
    await producer.connect();
    const ids: string[] = [];
    for (let i = 0; i < 160; i++) {
      const e = cancelEvent();
      await producer.send("cancelRequested", e);
      ids.push(e.event_id);
    }
    await a.consumer.start();
    await waitFor("the first member to be under way", () => a.seen.length >= 20);
    await b.consumer.start();
    await waitFor(
      "every event handled",
      () => {
        const handled = new Set([...a.seen, ...b.seen].map((s) => s.id));
        return ids.every((id) => handled.has(id));
      },
      { timeoutMs: 60_000 },
    );
    expect(b.seen.length).toBeGreaterThan(0);
    // Each member handles a partition in offset order. The one rebalance may make the first member start a
    // partition it kept again from the committed offset: at most one step back (at-least-once), never more.
    for (const m of [a, b]) {
      for (const p of [0, 1, 2, 3]) {
        const offsets = m.seen.filter((s) => s.partition === p).map((s) => s.offset);
        const stepsBack = offsets.filter((o, i) => i > 0 && o <= offsets[i - 1]!).length;
        expect(stepsBack, `member ${m === a ? "a" : "b"}, partition ${p}`).toBeLessThanOrEqual(
          m === a ? 1 : 0,
        );
      }
    }
  } finally {
    await Promise.all([a.consumer.stop(5000), b.consumer.stop(5000)]);
    await producer.disconnect();
  }
  try {
    // Both stopped after committing what they handled: the group is at the end of every partition.
    const ends = await admin.fetchTopicOffsets(topic);
    for (const { partition, high } of ends)
      expect(await committedOffset(admin, prefix + groupId, topic, partition)).toBe(high);
  } finally {
    await cleanup();
  }
});
