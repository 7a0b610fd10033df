import type { MikroORM } from "@mikro-orm/postgresql";
import { type EventOf, newEventId, registerSchemas, topics } from "@postprocess/contracts";
import { createOrm, migrate, newProcessingId, processingIdFromEvent } from "@postprocess/db";
import {
  type Consumer,
  createCodec,
  createConsumer,
  createKafka,
  createProducer,
  ensureTopics,
  type Producer,
  silentLogger,
} from "@postprocess/kafka";
import { createDatabase, stackEnv, uniqueName, waitFor } from "@postprocess/testkit";
import {
  type FakeElevenLabs,
  noAudioConversation,
  realisticConversation,
  startFakeElevenLabs,
} from "@postprocess/testkit/fakes/elevenlabs";
import {
  conversationSchema,
  createJobStore,
  defaultSettings,
  normalizeElevenLabsTranscript,
  settingsToRow,
} from "@postprocess/worker";
import type { Admin } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createElevenLabsClient } from "./elevenlabs-client.ts";
import { createExtractorHandler } from "./handle-conversation-ended.ts";

/**
 * The extractor through the real Kafka runtime: its own topic prefix and consumer group, a fresh migrated
 * database for the job store, and the fake ElevenLabs API. Events are read back by a second consumer group.
 */

const account = "acc_extract";
const apiKey = "xi-integration-key";
const defs = [topics.conversationEnded, topics.stepEvent, topics.transcriptExtracted];
const seen = { steps: [] as EventOf<"stepEvent">[], extracted: [] as EventOf<"transcriptExtracted">[] };

let fake: FakeElevenLabs;
let orm: MikroORM;
let producer: Producer;
let admin: Admin;
const consumers: Consumer[] = [];
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  const env = await stackEnv();
  const kafka = createKafka({
    brokers: env.KAFKA_BROKERS.split(","),
    clientId: uniqueName("ext"),
    logger: silentLogger,
  });
  admin = kafka.admin();
  await admin.connect();
  const prefix = `${uniqueName("x")}.`;
  const [group, readerGroup] = [uniqueName("extractor"), uniqueName("reader")];
  await registerSchemas(env.SCHEMA_REGISTRY_URL, { prefix, topics: defs });
  const { created } = await ensureTopics(admin, {
    topicPrefix: prefix,
    topics: defs,
    groups: [group, readerGroup],
  });
  cleanups.push(() => admin.deleteTopics({ topics: created }).catch(() => {}));

  const db = await createDatabase(env);
  cleanups.push(() => db.drop());
  orm = createOrm({ clientUrl: db.url });
  cleanups.push(() => orm.close());
  await migrate(orm);
  await sql("INSERT INTO accounts (id, name) VALUES (?, 'Extract test')", [account]);

  fake = await startFakeElevenLabs({ apiKey });
  cleanups.push(() => fake.close());

  const codec = createCodec({ registryUrl: env.SCHEMA_REGISTRY_URL });
  producer = createProducer(kafka, codec, { topicPrefix: prefix });
  await producer.connect();
  cleanups.push(() => producer.disconnect());
  consumers.push(
    createConsumer(kafka, codec, {
      groupId: group,
      topicPrefix: prefix,
      logger: silentLogger,
      retry: { baseMs: 10, maxMs: 200 },
      handlers: {
        conversationEnded: createExtractorHandler({
          producer,
          jobs: createJobStore(orm),
          elevenlabs: createElevenLabsClient({ baseUrl: fake.url, apiKey, timeoutMs: 2_000 }),
          maxWaitMs: 60,
          pollBaseMs: 10,
        }),
      },
    }),
    createConsumer(kafka, codec, {
      groupId: readerGroup,
      topicPrefix: prefix,
      logger: silentLogger,
      handlers: {
        stepEvent: async (e) => void seen.steps.push(e),
        transcriptExtracted: async (e) => void seen.extracted.push(e),
      },
    }),
  );
  await Promise.all(consumers.map((c) => c.start()));
});

afterAll(async () => {
  await Promise.all(consumers.map((c) => c.stop(5_000)));
  for (const cleanup of cleanups.reverse()) await cleanup();
  await admin?.disconnect();
});

function sql(query: string, params: unknown[] = []) {
  return orm.em.fork().getConnection().execute(query, params);
}

function ended(
  conversationId: string,
  over: Partial<EventOf<"conversationEnded">> = {},
): EventOf<"conversationEnded"> {
  return {
    event_id: newEventId(),
    occurred_at: new Date().toISOString(),
    account_id: account,
    conversation_id: conversationId,
    processing_id: newProcessingId(),
    email_id: "ops@example.com",
    source: { kind: "elevenlabs", agent_id: null, transcript: [], audio_url: null },
    labels: {},
    settings: null,
    ...over,
  };
}

/** The step's events of one job once it reached an outcome (completed, failed, skipped or cancelled). */
function outcomeOf(processingId: string) {
  const steps = () => seen.steps.filter((s) => s.processing_id === processingId);
  return waitFor(`the extract step of ${processingId} to finish`, () => {
    const s = steps();
    return s.some((e) => ["completed", "failed", "skipped", "cancelled"].includes(e.status)) && s;
  });
}

const extractedOf = (processingId: string) => seen.extracted.filter((e) => e.processing_id === processingId);
const requestsFor = (conversationId: string) =>
  fake.requests().filter((r) => r.conversationId === conversationId);

describe("extractor (through Kafka, against the fake ElevenLabs)", () => {
  it("fetches an ElevenLabs conversation published without a processing id, normalises it and hands it on", async () => {
    const conversation = realisticConversation({ conversation_id: uniqueName("conv") });
    fake.add(conversation);
    const event = ended(conversation.conversation_id, { processing_id: null });
    await producer.send("conversationEnded", event);
    const processingId = processingIdFromEvent(event.event_id, Date.parse(event.occurred_at));

    const steps = await outcomeOf(processingId);
    expect(steps.map((s) => [s.step, s.status, s.attempt])).toEqual([
      ["extract", "started", 1],
      ["extract", "completed", 1],
    ]);
    expect(steps[1]).toMatchObject({ error: null, warning: null, account_id: account });
    expect(steps[1]!.duration_ms).toBeGreaterThanOrEqual(0);
    const out = await waitFor("transcriptExtracted", () => extractedOf(processingId)[0]);
    expect(out).toMatchObject({
      processing_id: processingId,
      conversation_id: conversation.conversation_id,
      account_id: account,
      agent_id: conversation.agent_id,
      started_at: "2025-06-05T11:55:22.000Z",
      duration_secs: 159,
      audio_url: `${fake.url}/v1/convai/conversations/${conversation.conversation_id}/audio`,
      warnings: [],
    });
    expect(out.turns).toEqual(
      normalizeElevenLabsTranscript(conversationSchema.parse(conversation).transcript),
    );
    expect(out.turns.filter((t) => t.role === "tool").map((t) => t.tool_name)).toEqual([
      "language_detection",
      "language_detection",
      "lookup_grievance",
      "lookup_grievance",
    ]);
    // One authorised fetch of the details; the audio is left for storage to stream.
    expect(
      requestsFor(conversation.conversation_id).map((r) => [r.path.endsWith("/audio"), r.authorized]),
    ).toEqual([[false, true]]);
  });

  it("hands on a conversation without a recording with audio_url null and a NO_AUDIO warning", async () => {
    const conversation = noAudioConversation({ conversation_id: uniqueName("conv") });
    fake.add(conversation);
    const event = ended(conversation.conversation_id);
    await producer.send("conversationEnded", event);
    const steps = await outcomeOf(event.processing_id!);
    expect(steps.at(-1)).toMatchObject({ status: "completed", warning: { code: "NO_AUDIO" } });
    const out = await waitFor("transcriptExtracted", () => extractedOf(event.processing_id!)[0]);
    expect(out.audio_url).toBeNull();
    expect(out.warnings.map((w) => w.code)).toEqual(["NO_AUDIO"]);
    expect(out.turns).toHaveLength(3);
  });

  it("takes an inline transcript from the event and passes its audio URL on by reference", async () => {
    const withAudio = ended(uniqueName("conv"), {
      source: {
        kind: "inline",
        agent_id: "agent_42",
        transcript: [
          { role: "agent", message: "Hi, how can I help?", time_in_call_secs: 0, tool_name: null },
          { role: "user", message: "  ", time_in_call_secs: 1, tool_name: null },
          { role: "user", message: "I'd like a refund.", time_in_call_secs: 3.5, tool_name: null },
        ],
        audio_url: "https://media.example/calls/123.mp3",
      },
    });
    const withoutAudio = ended(uniqueName("conv"), {
      source: { ...withAudio.source, audio_url: null },
    });
    await producer.sendBatch([
      { topic: "conversationEnded", event: withAudio },
      { topic: "conversationEnded", event: withoutAudio },
    ]);
    const a = await waitFor("transcriptExtracted (inline)", () => extractedOf(withAudio.processing_id!)[0]);
    expect(a).toMatchObject({
      agent_id: "agent_42",
      started_at: null,
      duration_secs: null,
      audio_url: "https://media.example/calls/123.mp3",
      warnings: [],
      turns: [
        { role: "agent", message: "Hi, how can I help?", time_in_call_secs: 0, tool_name: null },
        { role: "user", message: "I'd like a refund.", time_in_call_secs: 3.5, tool_name: null },
      ],
    });
    const b = await waitFor(
      "transcriptExtracted (inline, no audio)",
      () => extractedOf(withoutAudio.processing_id!)[0],
    );
    expect([b.audio_url, b.warnings.map((w) => w.code)]).toEqual([null, ["NO_AUDIO"]]);
    expect((await outcomeOf(withoutAudio.processing_id!)).at(-1)?.warning?.code).toBe("NO_AUDIO");
    expect(requestsFor(withAudio.conversation_id)).toEqual([]);
  });

  it("fails the job with ELEVENLABS_NOT_FOUND when ElevenLabs has no such conversation", async () => {
    const event = ended(uniqueName("conv_missing"));
    await producer.send("conversationEnded", event);
    const steps = await outcomeOf(event.processing_id!);
    expect(steps.map((s) => s.status)).toEqual(["started", "failed"]);
    expect(steps[1]!.error?.code).toBe("ELEVENLABS_NOT_FOUND");
    expect(steps[1]!.error?.message).toContain(event.conversation_id);
    expect(extractedOf(event.processing_id!)).toEqual([]);
    expect(requestsFor(event.conversation_id)).toHaveLength(1); // not retried
  });

  it("retries a rate-limited fetch after Retry-After (capped by the policy), then completes", async () => {
    const conversation = realisticConversation({ conversation_id: uniqueName("conv") });
    fake.add(conversation);
    fake.failNext(conversation.conversation_id, { kind: "rateLimited", retryAfterSecs: 1 });
    const event = ended(conversation.conversation_id);
    await producer.send("conversationEnded", event);
    const steps = await outcomeOf(event.processing_id!);
    expect(steps.map((s) => [s.status, s.attempt])).toEqual([
      ["started", 1],
      ["retried", 1],
      ["started", 2],
      ["completed", 2],
    ]);
    expect(steps[1]!.error?.code).toBe("UPSTREAM_UNAVAILABLE");
    expect(steps[1]!.error?.message).toContain("HTTP 429");
    await waitFor("transcriptExtracted", () => extractedOf(event.processing_id!)[0]);
    const [first, second] = requestsFor(conversation.conversation_id);
    expect([first?.status, second?.status]).toEqual([429, 200]);
    // Retry-After said 1 s and the policy caps waits at 200 ms; plain backoff would be ≤ 10 ms.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(150);
  });

  it("retries while the conversation is still processing, then fails with ELEVENLABS_NOT_READY", async () => {
    const conversation = realisticConversation({ conversation_id: uniqueName("conv") });
    fake.add(conversation);
    fake.failNext(conversation.conversation_id, { kind: "processing", polls: Infinity });
    const event = ended(conversation.conversation_id);
    await producer.send("conversationEnded", event);
    const steps = await outcomeOf(event.processing_id!);
    const last = steps.at(-1)!;
    expect(last).toMatchObject({ status: "failed", error: { code: "ELEVENLABS_NOT_READY" } });
    expect(last.error?.message).toContain('still "processing"');
    // Every attempt but the last was handed back for a retry: 3 in place + 2 retry-topic rounds.
    expect(steps.filter((s) => s.status === "retried").map((s) => s.attempt)).toEqual([1, 2, 3, 4]);
    expect(last.attempt).toBe(5);
  });

  it("leaves a cancelled job alone: no fetch, only the cancelled step record", async () => {
    const event = ended(uniqueName("conv"));
    await sql(
      "INSERT INTO conversation_processing (processing_id, conversation_id, email_id, account_id, status) VALUES (?, ?, ?, ?, 'cancelled')",
      [event.processing_id, event.conversation_id, event.email_id, account],
    );
    await producer.send("conversationEnded", event);
    const steps = await outcomeOf(event.processing_id!);
    expect(steps.map((s) => s.status)).toEqual(["cancelled"]);
    expect(requestsFor(event.conversation_id)).toEqual([]);
  });

  it("runs with the settings snapshot of the event, not the account's settings of now", async () => {
    // Both jobs are 20 minutes old. The account allows 60 minutes now; the snapshot allowed 10.
    await sql(
      `INSERT INTO account_settings (account_id, processing_timeout_minutes) VALUES (?, 60)
       ON CONFLICT (account_id) DO UPDATE SET processing_timeout_minutes = 60`,
      [account],
    );
    const source = {
      kind: "inline" as const,
      agent_id: null,
      transcript: [{ role: "user" as const, message: "Hi", time_in_call_secs: 0, tool_name: null }],
      audio_url: null,
    };
    const snapshot = { ...settingsToRow(defaultSettings), processing_timeout_minutes: 10 };
    const snapped = ended(uniqueName("conv"), { source, settings: snapshot });
    const live = ended(uniqueName("conv"), { source });
    for (const e of [snapped, live]) {
      await sql(
        `INSERT INTO conversation_processing (processing_id, conversation_id, email_id, account_id, created_at)
         VALUES (?, ?, ?, ?, now() - interval '20 minutes')`,
        [e.processing_id, e.conversation_id, e.email_id, account],
      );
      await producer.send("conversationEnded", e);
    }
    expect((await outcomeOf(snapped.processing_id!)).at(-1)).toMatchObject({
      status: "failed",
      error: { code: "TIMEOUT", message: "job exceeded its 10-minute limit" },
    });
    expect((await outcomeOf(live.processing_id!)).at(-1)).toMatchObject({ status: "completed" });
  });
});
