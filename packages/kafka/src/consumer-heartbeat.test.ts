import { setTimeout as delay } from "node:timers/promises";
import { topics } from "@postprocess/contracts";
import { uniqueName } from "@postprocess/testkit";
import { expect } from "vitest";
import { createCodec } from "./codec.ts";
import { createConsumer } from "./consumer.ts";
import { createProducer } from "./producer.ts";
import {
  cancelEvent,
  captureLogger,
  isolatedTopics,
  test,
  testKafka,
  waitForCommit,
} from "./testing/helpers.ts";

test("a handler running twice the session timeout keeps its membership: no rebalance, handled once", async ({
  env,
  admin,
}) => {
  const groupId = uniqueName("g");
  const { prefix, cleanup } = await isolatedTopics(env, admin, [topics.cancelRequested], [groupId]);
  const topic = `${prefix}${topics.cancelRequested.name}`;
  const { logger, entries } = captureLogger();
  const kafka = testKafka(env, logger);
  const codec = createCodec({ registryUrl: env.SCHEMA_REGISTRY_URL });
  const producer = createProducer(kafka, codec, { topicPrefix: prefix });
  const calls: string[] = [];
  /** Log entries before the handler started: the group's formation, not what this test is about. */
  let before = Number.POSITIVE_INFINITY;
  const consumer = createConsumer(kafka, codec, {
    groupId,
    topicPrefix: prefix,
    logger,
    sessionTimeout: 6000,
    heartbeatInterval: 1000,
    handlers: {
      cancelRequested: async (event, ctx) => {
        calls.push(event.event_id);
        before = Math.min(before, entries.length);
        // Stands in for a minutes-long LLM call: 12 s, twice the session timeout.
        await delay(12_000, undefined, { signal: ctx.signal });
      },
    },
  });
  try {
    await producer.connect();
    await consumer.start();
    const sent = await producer.send("cancelRequested", cancelEvent());
    // The long handler finishes after 12 s; only then is its offset committed.
    await waitForCommit(
      admin,
      prefix + groupId,
      { topic, partition: sent.partition, next: String(Number(sent.offset) + 1) },
      25_000,
    );
    expect(calls).toHaveLength(1);
    // While the handler ran (and after), the member kept its generation: no rejoin, no rebalance.
    const during = entries.slice(before);
    expect(during.filter((e) => e.msg === "partitions assigned" || e.msg === "group is rebalancing")).toEqual(
      [],
    );
  } finally {
    await consumer.stop(5000);
    await producer.disconnect();
    await cleanup();
  }
});
