/**
 * CPU cost of one hop: a relay consumes an event and publishes one, as every pipeline worker does.
 *
 *   node packages/kafka/bench/hop-cost.ts          (from the repo root, with the local stack up)
 *
 * Runs the relay as a child process twice per rate: with this package's consumer and producer, and with
 * bare kafkajs (eachMessage, autoCommit, one send per message) as the same-run baseline. Prints CPU ms per
 * message of the relay process and of the broker, read from /proc (the broker's figure also holds the
 * feeder's produce and this script's offset polling, the same for both relays). HOP_MESSAGES (400),
 * HOP_RATES (20,200); HOP_PROF=<dir> writes a CPU profile of each relay there.
 *
 * What it showed (2 cores): at 20 messages/s a hop costs the relay ≈ 2.5 ms of CPU per message with this
 * package and with bare kafkajs alike (our lanes, committer and codec add nothing measurable), ≈ 1.4 ms at
 * 200/s, where fetches carry several messages. Most of it is outside JavaScript (V8's profile of the relay
 * accounts for about a third): wake-ups, socket reads and writes, per message and per request.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { allTopics, newEventId, registerSchemas, topics } from "@postprocess/contracts";
import { cpuMs, cpuSnapshot } from "@postprocess/testkit/cpu";
import { stackEnv, uniqueName } from "@postprocess/testkit/stack";
import { ensureTopics } from "../src/bootstrap.ts";
import { createCodec } from "../src/codec.ts";
import { createConsumer } from "../src/consumer.ts";
import { createKafka } from "../src/kafka-client.ts";
import { silentLogger } from "../src/logger.ts";
import { createProducer } from "../src/producer.ts";

const env = await stackEnv();
const [mode, inPrefix, outPrefix] = process.argv.slice(2);
const kafka = createKafka({
  brokers: env.KAFKA_BROKERS.split(","),
  clientId: uniqueName("hop"),
  logger: silentLogger,
});
const codec = createCodec({ registryUrl: env.SCHEMA_REGISTRY_URL });

if (mode === "ours" || mode === "bare") {
  // The relay (child process).
  const producer = createProducer(kafka, codec, { topicPrefix: outPrefix });
  await producer.connect();
  if (mode === "ours") {
    const consumer = createConsumer(kafka, codec, {
      groupId: `${inPrefix}relay`,
      topicPrefix: inPrefix,
      logger: silentLogger,
      concurrency: 6,
      handlers: {
        cancelRequested: async (event) => {
          await producer.sendBatch([
            { topic: "cancelRequested", event: { ...event, event_id: newEventId() } },
          ]);
        },
      },
    });
    await consumer.start();
  } else {
    const consumer = kafka.consumer({ groupId: `${inPrefix}bare`, maxWaitTimeInMs: 500 });
    await consumer.connect();
    await consumer.subscribe({ topic: inPrefix + topics.cancelRequested.name, fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: 6,
      eachMessage: async ({ message }) => {
        const event = (await codec.decode(message.value!)) as Record<string, unknown>;
        await producer.sendBatch([
          { topic: "cancelRequested", event: { ...event, event_id: newEventId() } as never },
        ]);
      },
    });
  }
  process.on("SIGINT", () => process.exit(0));
  process.stdout.write("ready\n");
} else {
  await main();
}

async function main() {
  const messages = Number(process.env.HOP_MESSAGES ?? 400);
  const rates = (process.env.HOP_RATES ?? "20,200").split(",").map(Number);
  const admin = kafka.admin();
  await admin.connect();
  for (const rate of rates) {
    for (const relay of ["ours", "bare"] as const) {
      const a = `${uniqueName("hopa")}.`;
      const b = `${uniqueName("hopb")}.`;
      for (const prefix of [a, b]) {
        await registerSchemas(env.SCHEMA_REGISTRY_URL, { prefix, topics: allTopics });
        await ensureTopics(admin, {
          topicPrefix: prefix,
          topics: [topics.cancelRequested],
          groups: [`${a}relay`],
        });
      }
      const child = spawn(
        process.execPath,
        [
          ...(process.env.HOP_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.HOP_PROF}`] : []),
          fileURLToPath(import.meta.url),
          relay,
          a,
          b,
        ],
        {
          stdio: ["ignore", "pipe", "inherit"],
        },
      );
      await new Promise<void>((resolve) =>
        child.stdout!.on("data", (d: Buffer) => d.includes("ready") && resolve()),
      );
      const feeder = createProducer(kafka, codec, { topicPrefix: a });
      await feeder.connect();
      // Warm-up, not measured.
      await feed(feeder, 100, 200);
      await waitOut(admin, b, 100);
      const before = cpuSnapshot();
      const t0 = performance.now();
      await feed(feeder, messages, rate);
      await waitOut(admin, b, 100 + messages);
      const wall = performance.now() - t0;
      const after = cpuSnapshot();
      const relayMs = cpuMs(before, after, (pid) => pid === child.pid);
      const brokerMs = cpuMs(before, after, (_, name) => name === "java kafka");
      console.log(
        `${relay.padEnd(4)} ${String(rate).padStart(4)}/s: relay ${(relayMs / messages).toFixed(2)} ms CPU/msg, broker ${(brokerMs / messages).toFixed(2)} ms CPU/msg (${(wall / 1000).toFixed(1)} s)`,
      );
      // SIGINT lets a profiled relay write its profile before it exits.
      const exited = once(child, "exit");
      child.kill(process.env.HOP_PROF ? "SIGINT" : "SIGKILL");
      await exited;
      await feeder.disconnect();
      await admin
        .deleteTopics({ topics: [a, b].map((p) => p + topics.cancelRequested.name) })
        .catch(() => {});
    }
  }
  await admin.disconnect();
}

async function feed(p: ReturnType<typeof createProducer>, n: number, rate: number) {
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    void p.sendBatch([
      {
        topic: "cancelRequested",
        event: {
          event_id: newEventId(),
          occurred_at: new Date().toISOString(),
          processing_id: `proc_${newEventId().slice(4)}`,
          conversation_id: "c",
          account_id: "a",
          reason: "x".repeat(200),
        },
      },
    ]);
  }
}

async function waitOut(admin: ReturnType<typeof kafka.admin>, prefix: string, n: number) {
  for (;;) {
    const offsets = await admin.fetchTopicOffsets(prefix + topics.cancelRequested.name);
    if (offsets.reduce((s, o) => s + Number(o.high), 0) >= n) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}
