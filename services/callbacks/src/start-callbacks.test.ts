import { createHmac } from "node:crypto";
import { registerSchemas, topics } from "@postprocess/contracts";
import { createCodec, createKafka, createProducer, ensureTopics } from "@postprocess/kafka";
import { test, uniqueName, waitFor } from "@postprocess/testkit";
import { createGuardedAgents, createOutboundGuard } from "@postprocess/worker";
import { expect } from "vitest";
import { startCallbacks } from "./start-callbacks.ts";
import { callbacksDatabase, registerEndpoint, sql } from "./testing/database.ts";
import { startReceiver } from "./testing/receiver.ts";
import { recordingLogger } from "./testing/recording-logger.ts";
import { statusEvent } from "./testing/status-event.ts";

test("a processing.status record on Kafka becomes one signed POST to the account's endpoint", async ({
  env,
  databaseUrl,
}) => {
  const { orm, secrets } = await callbacksDatabase(databaseUrl);
  const receiver = await startReceiver();
  const secret = await registerEndpoint(orm, secrets, "acc_a", receiver.url);

  // A fresh namespace: the status topic and the group's retry and dead-letter topics, schema registered.
  const prefix = `${uniqueName("cb")}.`;
  const groupId = uniqueName("callbacks");
  const { log, entries } = recordingLogger();
  const kafka = createKafka({ brokers: env.KAFKA_BROKERS.split(","), clientId: groupId, logger: log });
  const admin = kafka.admin();
  await admin.connect();
  await registerSchemas(env.SCHEMA_REGISTRY_URL, { prefix, topics: [topics.processingStatus] });
  const { created } = await ensureTopics(admin, {
    topicPrefix: prefix,
    topics: [topics.processingStatus],
    groups: [groupId],
  });
  const codec = createCodec({ registryUrl: env.SCHEMA_REGISTRY_URL });
  const producer = createProducer(kafka, codec, { topicPrefix: prefix });
  await producer.connect();
  const agents = createGuardedAgents(createOutboundGuard({ allowPrivateNetworks: true }));

  const service = await startCallbacks({
    orm,
    kafka,
    codec,
    groupId,
    topicPrefix: prefix,
    publicBaseUrl: "https://pp.example.com",
    secrets,
    log,
    delivery: {
      retry: { scheduleMs: [100], windowMs: 60_000 },
      timeoutMs: 2_000,
      agents,
      pollIntervalMs: 20,
      batchSize: 10,
    },
  });
  try {
    const done = statusEvent();
    // A running status, the terminal one, and the terminal one again (a redelivery or a compaction copy).
    await producer.send("processingStatus", {
      ...done,
      status: "summarizing",
      version: 5,
      completed_at: null,
    });
    await producer.send("processingStatus", done);
    await producer.send("processingStatus", done);
    const other = statusEvent({ account_id: "acc_b" });
    await producer.send("processingStatus", other);

    const [post] = await waitFor(
      "the receiver to get the callback",
      () => receiver.received.length > 0 && receiver.received,
    );
    expect(entries.map((e) => e.msg)).toContain("consumer started");
    const key = Buffer.from(secret.slice("whsec_".length), "base64");
    const expected = createHmac("sha256", key)
      .update(`${post!.headers["webhook-id"]}.${post!.headers["webhook-timestamp"]}.${post!.body}`)
      .digest("base64");
    expect(post!.headers["webhook-signature"]).toBe(`v1,${expected}`);
    expect(JSON.parse(post!.body)).toMatchObject({
      type: "job.completed",
      data: { processing_id: done.processing_id, version: 7 },
    });

    // Everything consumed (the copy found its delivery; acc_b has no endpoint): still one delivery, sent once.
    const logged = (msg: string, id: string) =>
      entries.some((e) => e.msg === msg && (e.obj as { processingId?: string }).processingId === id);
    await waitFor(
      "the copy and acc_b's record to be handled",
      () =>
        logged("callback already enqueued", done.processing_id) &&
        logged("no callback endpoint", other.processing_id),
    );
    // The receiver has answered, but the loop may not have recorded the outcome yet: wait for the record.
    const rows = await waitFor("the delivery to be recorded", async () => {
      const r = await sql<{ status: string }>(
        orm,
        "SELECT processing_id, status, attempts FROM callback_deliveries",
      );
      return r.every((d) => d.status !== "pending") && r;
    });
    expect(rows).toEqual([{ processing_id: done.processing_id, status: "succeeded", attempts: 1 }]);
    expect(receiver.received).toHaveLength(1);
  } finally {
    await service.consumer.stop(5_000);
    await service.loop.stop();
    await producer.disconnect();
    await admin.deleteTopics({ topics: created }).catch(() => {});
    await admin.disconnect();
    agents.destroy();
    await receiver.close();
    await orm.close();
  }
});
