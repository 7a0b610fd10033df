import { expect } from "vitest";
import { test } from "../fixtures.ts";
import { createTopic } from "../kafka.ts";
import { uniqueName } from "../unique.ts";
import { waitFor } from "../wait-for.ts";

test("kafkajs produces with acks=-1 and consumes through a group on the real broker", async ({
  kafka,
  topic,
}) => {
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  const n = 50;
  const sentAt = new Map<string, number>();
  const hops: number[] = [];
  const consumer = kafka.consumer({ groupId: uniqueName("g"), maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const got: string[] = [];
  await consumer.run({
    eachMessage: async ({ message }) => {
      const v = message.value!.toString();
      got.push(v);
      const t = sentAt.get(v);
      if (t !== undefined) hops.push(performance.now() - t);
    },
  });
  for (let i = 0; i < n; i++) {
    const v = `m${i}`;
    sentAt.set(v, performance.now());
    await producer.send({ topic, acks: -1, messages: [{ key: "k", value: v }] });
  }
  await waitFor(`${n} messages`, () => got.length >= n);
  expect(got).toEqual(Array.from({ length: n }, (_, i) => `m${i}`));
  hops.sort((a, b) => a - b);
  console.log(
    `kafka hop latency (produce→consume, acks=-1, n=${hops.length}): p50 ${hops[Math.floor(hops.length * 0.5)]!.toFixed(1)} ms, p95 ${hops[Math.floor(hops.length * 0.95)]!.toFixed(1)} ms`,
  );
  await consumer.disconnect();
  await producer.disconnect();
});

test("a second consumer in the group takes over the partitions when the first leaves", async ({
  kafka,
  admin,
}) => {
  const topic = await createTopic(admin, { prefix: "t2", partitions: 2 });
  const groupId = uniqueName("g");
  const producer = kafka.producer();
  await producer.connect();

  const first = kafka.consumer({
    groupId,
    maxWaitTimeInMs: 100,
    heartbeatInterval: 500,
    sessionTimeout: 6000,
  });
  const firstSeen: string[] = [];
  await first.connect();
  await first.subscribe({ topic, fromBeginning: true });
  await first.run({ eachMessage: async ({ message }) => void firstSeen.push(message.value!.toString()) });
  await producer.send({
    topic,
    acks: -1,
    messages: [
      { partition: 0, value: "a" },
      { partition: 1, value: "b" },
    ],
  });
  await waitFor("the first consumer to read both partitions", () => firstSeen.length === 2);

  const second = kafka.consumer({
    groupId,
    maxWaitTimeInMs: 100,
    heartbeatInterval: 500,
    sessionTimeout: 6000,
  });
  const secondSeen: string[] = [];
  await second.connect();
  await second.subscribe({ topic, fromBeginning: true });
  await second.run({ eachMessage: async ({ message }) => void secondSeen.push(message.value!.toString()) });
  // Leaving the group (not crashing) triggers an immediate rebalance onto the second member.
  await first.disconnect();
  await producer.send({
    topic,
    acks: -1,
    messages: [
      { partition: 0, value: "c" },
      { partition: 1, value: "d" },
    ],
  });
  await waitFor("the second consumer to get both partitions' new messages", () => secondSeen.length >= 2, {
    timeoutMs: 30_000,
  });
  // Committed offsets carry over: the second member starts after what the first consumed.
  expect(secondSeen.sort()).toEqual(["c", "d"]);
  await second.disconnect();
  await producer.disconnect();
  await admin.deleteTopics({ topics: [topic] });
});
