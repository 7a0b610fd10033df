import { type EventOf, newEventId, registerSchemas, topics } from "@postprocess/contracts";
import { newProcessingId } from "@postprocess/db";
import {
  createCodec,
  createConsumer,
  createKafka,
  createProducer,
  ensureTopics,
  silentLogger,
} from "@postprocess/kafka";
import { test, uniqueName, waitFor } from "@postprocess/testkit";
import { derivedEventId } from "@postprocess/worker";
import { expect } from "vitest";
import { createFilesExpiredHandler } from "./handle-files-expired.ts";

test("deletes expired objects from S3 (a missing one is fine) and reports them, idempotently", async ({
  env,
  admin,
  s3,
  bucket,
}) => {
  const prefix = `${uniqueName("ret")}.`;
  const defs = [topics.filesExpired, topics.filesDeleted];
  const [group, observer] = [uniqueName("storage"), uniqueName("observer")];
  await registerSchemas(env.SCHEMA_REGISTRY_URL, { prefix, topics: defs });
  const { created } = await ensureTopics(admin, {
    topicPrefix: prefix,
    topics: defs,
    groups: [group, observer],
  });
  const kafka = createKafka({
    brokers: env.KAFKA_BROKERS.split(","),
    clientId: uniqueName("ret"),
    logger: silentLogger,
  });
  const codec = createCodec({ registryUrl: env.SCHEMA_REGISTRY_URL });
  const producer = createProducer(kafka, codec, { topicPrefix: prefix });
  const deleted: EventOf<"filesDeleted">[] = [];
  const worker = createConsumer(kafka, codec, {
    groupId: group,
    topicPrefix: prefix,
    logger: silentLogger,
    handlers: { filesExpired: createFilesExpiredHandler({ s3, producer }) },
  });
  const watcher = createConsumer(kafka, codec, {
    groupId: observer,
    topicPrefix: prefix,
    logger: silentLogger,
    handlers: { filesDeleted: async (e) => void deleted.push(e) },
  });
  try {
    await producer.connect();
    const pid = newProcessingId();
    await s3.putObject(bucket, `acc/${pid}/audio.mp3`, Buffer.from("old audio"));
    await s3.putObject(bucket, `acc/${pid}/report.pdf`, Buffer.from("old report"));
    await s3.putObject(bucket, `acc/${pid}/summary.json`, Buffer.from("{}")); // not expired: stays
    const expired: EventOf<"filesExpired"> = {
      event_id: newEventId(),
      occurred_at: new Date().toISOString(),
      processing_id: pid,
      conversation_id: "conv_ret",
      account_id: "acc_ret",
      files: [
        { file_type: "audio", bucket, key: `acc/${pid}/audio.mp3` },
        { file_type: "report", bucket, key: `acc/${pid}/report.pdf` },
        { file_type: "transcript", bucket, key: `acc/${pid}/transcript.json` }, // already gone
      ],
    };
    await Promise.all([worker.start(), watcher.start()]);
    // Delivered twice (a redelivery, or two sweeps): both succeed with the same output id.
    await producer.sendBatch([
      { topic: "filesExpired", event: expired },
      { topic: "filesExpired", event: expired },
    ]);
    await waitFor("two files-deleted events", () => deleted.length === 2, { timeoutMs: 30_000 });
    expect(deleted.map((e) => e.event_id)).toEqual([
      derivedEventId(expired.event_id, "files-deleted"),
      derivedEventId(expired.event_id, "files-deleted"),
    ]);
    expect(deleted[0]).toMatchObject({ processing_id: pid, files: expired.files });
    const left: string[] = [];
    for await (const o of s3.listObjectsV2(bucket, "acc/", true)) {
      const name = (o as { name?: string }).name;
      if (name) left.push(name);
    }
    expect(left).toEqual([`acc/${pid}/summary.json`]);
  } finally {
    await Promise.all([worker.stop(), watcher.stop()]).catch(() => {});
    await producer.disconnect().catch(() => {});
    await admin.deleteTopics({ topics: created }).catch(() => {});
  }
});
