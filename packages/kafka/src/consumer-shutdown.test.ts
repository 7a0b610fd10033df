import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { topics } from "@postprocess/contracts";
import { uniqueName, waitFor } from "@postprocess/testkit";
import { expect } from "vitest";
import { createCodec } from "./codec.ts";
import { createConsumer } from "./consumer.ts";
import { createProducer } from "./producer.ts";
import {
  cancelEvent,
  captureLogger,
  committedOffset,
  isolatedTopics,
  newProcessingId,
  recordCount,
  test,
  testKafka,
  waitForCommit,
} from "./testing/helpers.ts";

test("stop() mid-message: signal aborted, bounded, finished work committed, unfinished redelivered", async ({
  env,
  admin,
}) => {
  const groupId = uniqueName("g");
  const { prefix, cleanup } = await isolatedTopics(env, admin, [topics.cancelRequested], [groupId]);
  const topic = `${prefix}${topics.cancelRequested.name}`;
  const { logger } = captureLogger();
  const kafka = testKafka(env, logger);
  const codec = createCodec({ registryUrl: env.SCHEMA_REGISTRY_URL });
  const producer = createProducer(kafka, codec, { topicPrefix: prefix });
  const first = { handled: [] as string[], slowStarted: false, slowAborted: false };
  const consumer = createConsumer(kafka, codec, {
    groupId,
    topicPrefix: prefix,
    logger,
    handlers: {
      cancelRequested: async (event, ctx) => {
        if (event.reason === "quick") return void first.handled.push(event.event_id);
        first.slowStarted = true;
        ctx.signal.addEventListener("abort", () => {
          first.slowAborted = true;
        });
        // An uncooperative handler: it never finishes, abort or not. stop() must not wait for it for ever.
        await new Promise(() => {});
      },
    },
  });
  const second = createConsumer(kafka, codec, {
    groupId,
    topicPrefix: prefix,
    logger,
    handlers: { cancelRequested: async (event) => void secondHandled.push(event.event_id) },
  });
  const secondHandled: string[] = [];
  try {
    await producer.connect();
    await consumer.start();
    const job = newProcessingId();
    const quick = cancelEvent({ processing_id: job, reason: "quick" });
    const slow = cancelEvent({ processing_id: job, reason: "slow" });
    await producer.send("cancelRequested", quick);
    const slowSent = await producer.send("cancelRequested", slow);
    await waitFor("the slow handler to start", () => first.slowStarted);

    const t0 = performance.now();
    await consumer.stop(2000);
    const took = performance.now() - t0;
    expect(took).toBeLessThan(2000 + 250);
    expect(first.slowAborted).toBe(true);
    expect(first.handled).toEqual([quick.event_id]);
    // `quick` is committed, `slow` is not: the group's position is exactly the slow message.
    expect(await committedOffset(admin, prefix + groupId, topic, slowSent.partition)).toBe(slowSent.offset);
    // A handler abandoned by shutdown is not a failure: nothing went to the retry topic.
    expect(await recordCount(admin, `${prefix}${groupId}.retry`)).toBe(0);

    await second.start();
    await waitFor("the next member to get the unfinished message", () => secondHandled.length >= 1);
    expect(secondHandled).toEqual([slow.event_id]);
  } finally {
    await consumer.stop(2000);
    await second.stop(5000);
    await producer.disconnect();
    await cleanup();
  }
});

test("a consumer killed mid-handler (SIGKILL, no commit) → the same message goes to the next member", async ({
  env,
  admin,
}) => {
  const groupId = uniqueName("g");
  const { prefix, cleanup } = await isolatedTopics(env, admin, [topics.cancelRequested], [groupId]);
  const { logger } = captureLogger();
  const kafka = testKafka(env, logger);
  const codec = createCodec({ registryUrl: env.SCHEMA_REGISTRY_URL });
  const producer = createProducer(kafka, codec, { topicPrefix: prefix });
  const config = {
    brokers: env.KAFKA_BROKERS.split(","),
    registryUrl: env.SCHEMA_REGISTRY_URL,
    groupId,
    topicPrefix: prefix,
  };
  const child = spawn(
    process.execPath,
    [new URL("./testing/hanging-consumer.ts", import.meta.url).pathname, JSON.stringify(config)],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const said: { started?: boolean; handling?: string; offset?: string }[] = [];
  createInterface({ input: child.stdout! }).on("line", (line) => said.push(JSON.parse(line)));
  const handled: string[] = [];
  const next = createConsumer(kafka, codec, {
    groupId,
    topicPrefix: prefix,
    logger,
    handlers: { cancelRequested: async (event) => void handled.push(event.event_id) },
  });
  try {
    await producer.connect();
    await waitFor("the child consumer to join", () => said.some((s) => s.started));
    const job = newProcessingId();
    const ok = cancelEvent({ processing_id: job, reason: "ok" });
    const n = cancelEvent({ processing_id: job, reason: "hang" });
    const okSent = await producer.send("cancelRequested", ok);
    // Handled work is committed within the commit interval; N comes once "ok" is, so only N is owed.
    await waitForCommit(admin, prefix + groupId, {
      topic: prefix + topics.cancelRequested.name,
      partition: okSent.partition,
      next: (BigInt(okSent.offset) + 1n).toString(),
    });
    await producer.send("cancelRequested", n);
    await waitFor("the child to be inside the handler of message N", () =>
      said.some((s) => s.handling === n.event_id),
    );
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));

    // Joining waits for the broker to expire the dead member (its 6 s session).
    await next.start();
    await waitFor("message N redelivered to the new member", () => handled.includes(n.event_id), {
      timeoutMs: 20_000,
    });
    // Only N: the message before it was committed by the child before it died.
    expect(handled).toEqual([n.event_id]);
  } finally {
    child.kill("SIGKILL");
    await next.stop(5000);
    await producer.disconnect();
    await cleanup();
  }
});
