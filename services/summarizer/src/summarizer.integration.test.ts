import { createHash } from "node:crypto";
import type { MikroORM } from "@mikro-orm/postgresql";
import { type EventOf, registerSchemas, topics } from "@postprocess/contracts";
import { createOrm, migrate } from "@postprocess/db";
import {
  type Codec,
  createCodec,
  createConsumer,
  createJsonLogger,
  createKafka,
  createProducer,
  ensureTopics,
} from "@postprocess/kafka";
import { test, uniqueName } from "@postprocess/testkit";
import { startFakeOpenAI } from "@postprocess/testkit/fakes/openai";
import { readMessages } from "@postprocess/testkit/stack";
import { createJobStore, objectKey } from "@postprocess/worker";
import type * as Minio from "minio";
import { expect } from "vitest";
import { refundCall } from "./fixtures.ts";
import { createSummarizerHandler } from "./handle-artifacts-stored.ts";
import { createLocalSummarizer, localModel } from "./local/local-summarizer.ts";
import { createOpenAIClient, createOpenAISummarizer } from "./openai/openai-summarizer.ts";
import type { Summarizer } from "./summarizer.ts";
import { artifactsStored, newProcessingId, putTranscript, readObject } from "./testing.ts";

const used = [topics.artifactsStored, topics.summaryGenerated, topics.stepEvent];

/** A migrated database with one account (its settings naming `bucket`) and one job in `summarizing`. */
async function jobDatabase(url: string, job: { processingId: string; bucket: string }): Promise<MikroORM> {
  const orm = createOrm({ clientUrl: url });
  await migrate(orm);
  const conn = orm.em.fork().getConnection();
  await conn.execute("INSERT INTO accounts (id, name) VALUES ('acc_test', 'Test')");
  await conn.execute(
    "INSERT INTO account_settings (account_id, minio_bucket_name, openai_model, openai_max_tokens) VALUES ('acc_test', ?, 'gpt-int', 400)",
    [job.bucket],
  );
  await conn.execute(
    "INSERT INTO conversation_processing (processing_id, conversation_id, email_id, account_id, status) VALUES (?, 'conv_test', 'ops@example.test', 'acc_test', 'summarizing')",
    [job.processingId],
  );
  return orm;
}

/**
 * The summarizer's consumer on fresh topics, with its real runtime; returns how to publish and read back.
 * The Kafka client is the runtime's own (`createKafka`), whose logger demotes kafkajs's per-request noise
 * about new topics' leaders; the runtime's expected retry warnings are kept quiet, errors still print.
 */
async function runWorker(opts: {
  env: { SCHEMA_REGISTRY_URL: string; KAFKA_BROKERS: string };
  orm: MikroORM;
  s3: Minio.Client;
  summarizer: Summarizer;
}) {
  const logger = createJsonLogger({ level: "error" });
  const kafka = createKafka({
    brokers: opts.env.KAFKA_BROKERS.split(","),
    clientId: uniqueName("sum"),
    logger,
  });
  const prefix = `${uniqueName("sum")}.`;
  const groupId = uniqueName("summarizer");
  await registerSchemas(opts.env.SCHEMA_REGISTRY_URL, { prefix, topics: used });
  const admin = kafka.admin();
  await admin.connect();
  const { created } = await ensureTopics(admin, { topicPrefix: prefix, topics: used, groups: [groupId] });
  const codec: Codec = createCodec({ registryUrl: opts.env.SCHEMA_REGISTRY_URL });
  const producer = createProducer(kafka, codec, { topicPrefix: prefix });
  await producer.connect();
  const consumer = createConsumer(kafka, codec, {
    groupId,
    topicPrefix: prefix,
    logger,
    sessionTimeout: 60_000,
    retry: { attempts: 2, baseMs: 10, maxMs: 50, retryTopicAttempts: 0 },
    handlers: {
      artifactsStored: createSummarizerHandler({
        producer,
        jobs: createJobStore(opts.orm),
        s3: opts.s3,
        s3Region: "us-east-1",
        defaultBucket: "postprocess-unused",
        summarizer: opts.summarizer,
      }),
    },
  });
  await consumer.start();
  const read = async <K extends "summaryGenerated" | "stepEvent">(key: K, count: number) => {
    const messages = await readMessages(kafka, `${prefix}${topics[key].name}`, count, 30_000);
    return Promise.all(messages.map((m) => codec.decode(m.value))) as Promise<EventOf<K>[]>;
  };
  return {
    publish: (e: EventOf<"artifactsStored">) => producer.send("artifactsStored", e),
    read,
    async stop() {
      await consumer.stop(5000);
      await producer.disconnect();
      await admin.deleteTopics({ topics: created }).catch(() => {});
      await admin.disconnect();
    },
  };
}

test("artifacts-stored in → summary-generated out, summary.json in S3 (local summarizer, real Kafka, S3, DB)", async ({
  env,
  s3,
  bucket,
  databaseUrl,
}) => {
  const processingId = newProcessingId();
  const orm = await jobDatabase(databaseUrl, { processingId, bucket });
  const worker = await runWorker({ env, orm, s3, summarizer: createLocalSummarizer() });
  try {
    const ref = await putTranscript(
      s3,
      bucket,
      refundCall,
      `acc_test/conv_test/${processingId}/transcript.json`,
    );
    const input = artifactsStored(ref, { processing_id: processingId });
    await worker.publish(input);

    const [out] = await worker.read("summaryGenerated", 1);
    const steps = await worker.read("stepEvent", 2);
    expect(steps.map((s) => [s.step, s.status])).toEqual([
      ["summarize", "started"],
      ["summarize", "completed"],
    ]);
    expect(out).toMatchObject({
      processing_id: processingId,
      conversation_id: "conv_test",
      account_id: "acc_test",
      model: localModel,
      topic: "Refund for my annual plan",
      sentiment: "mixed",
      prompt_tokens: null,
      completion_tokens: null,
      transcript: ref,
      warnings: input.warnings,
    });
    expect(out!.action_items.map((a) => [a.turns, a.at_secs])).toEqual([
      [[2], 20],
      [[6], 60],
    ]);
    // summary.json went to the account's bucket, at the job's key, and matches its reference.
    const file = out!.summary_file!;
    expect([file.bucket, file.key]).toEqual([bucket, objectKey(input, "summary.json")]);
    const body = await readObject(s3, bucket, file.key);
    expect(createHash("sha256").update(body).digest("hex")).toBe(file.sha256);
    expect(JSON.parse(body.toString())).toMatchObject({ summary: out!.summary, model: localModel });
  } finally {
    await worker.stop();
    await orm.close();
  }
});

test("OpenAI down: retried by the runtime, then the job fails with LLM_UNAVAILABLE", async ({
  env,
  s3,
  bucket,
  databaseUrl,
}) => {
  const fake = await startFakeOpenAI({ apiKey: "sk-int" });
  fake.failNext("server_error", 5);
  const processingId = newProcessingId();
  const orm = await jobDatabase(databaseUrl, { processingId, bucket });
  const summarizer = createOpenAISummarizer({
    client: createOpenAIClient({ apiKey: "sk-int", baseURL: fake.url, timeoutMs: 5000 }),
    contextTokens: 100_000,
    timeoutMs: 5000,
  });
  const worker = await runWorker({ env, orm, s3, summarizer });
  try {
    const ref = await putTranscript(
      s3,
      bucket,
      refundCall,
      `acc_test/conv_test/${processingId}/transcript.json`,
    );
    await worker.publish(artifactsStored(ref, { processing_id: processingId }));
    const steps = await worker.read("stepEvent", 4);
    expect(steps.map((s) => [s.status, s.attempt, s.error?.code ?? null])).toEqual([
      ["started", 1, null],
      ["retried", 1, "LLM_UNAVAILABLE"],
      ["started", 2, null],
      ["failed", 2, "LLM_UNAVAILABLE"],
    ]);
    // The account's model and token limit reached OpenAI on every attempt.
    expect(fake.requests().map((r) => [r.model, r.maxCompletionTokens, r.status])).toEqual([
      ["gpt-int", 400, 500],
      ["gpt-int", 400, 500],
    ]);
  } finally {
    await worker.stop();
    await orm.close();
    await fake.close();
  }
});
