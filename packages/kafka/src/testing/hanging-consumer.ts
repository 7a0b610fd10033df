/**
 * A consumer process for the crash test: it handles events whose reason is "ok" and hangs forever on any
 * other, reporting each on stdout as a JSON line. The test SIGKILLs it mid-handler — a real crash, with no
 * chance to commit or leave the group. Usage: node hanging-consumer.ts '<json config>'
 */
import { createCodec } from "../codec.ts";
import { createConsumer } from "../consumer.ts";
import { createKafka } from "../kafka-client.ts";
import { silentLogger } from "../logger.ts";

const cfg = JSON.parse(process.argv[2] ?? "{}") as {
  brokers: string[];
  registryUrl: string;
  groupId: string;
  topicPrefix: string;
};
const say = (obj: object) => process.stdout.write(`${JSON.stringify(obj)}\n`);

const kafka = createKafka({ brokers: cfg.brokers, clientId: "hanging-consumer", logger: silentLogger });
const consumer = createConsumer(kafka, createCodec({ registryUrl: cfg.registryUrl }), {
  groupId: cfg.groupId,
  topicPrefix: cfg.topicPrefix,
  logger: silentLogger,
  // The broker notices the dead member after this long; the test waits for that.
  sessionTimeout: 6000,
  rebalanceTimeout: 6000,
  heartbeatInterval: 500,
  handlers: {
    cancelRequested: async (event, ctx) => {
      say({ handling: event.event_id, offset: ctx.offset });
      if (event.reason === "ok") return;
      await new Promise(() => {});
    },
  },
});
await consumer.start();
say({ started: true });
