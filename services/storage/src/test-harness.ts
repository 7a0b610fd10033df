import { type EventOf, newEventId, registerSchemas, topics } from "@postprocess/contracts";
import { createOrm, migrate, newProcessingId } from "@postprocess/db";
import {
  createCodec,
  createConsumer,
  createJsonLogger,
  createKafka,
  createProducer,
  ensureTopics,
  type RetryPolicy,
  silentLogger,
} from "@postprocess/kafka";
import { createDatabase, s3Client, stackEnv, uniqueName, waitFor } from "@postprocess/testkit";
import { createJobStore, type Envelope, type JobStore } from "@postprocess/worker";
import type { AudioSourceSettings } from "./audio-source.ts";
import { createStorageHandler } from "./handle-transcript-extracted.ts";

type StepEvent = EventOf<"stepEvent">;
type Stored = EventOf<"artifactsStored">;

/** Account settings a test sets (the `account_settings` columns; the rest keep their defaults). */
export interface SettingsRow {
  minio_bucket_name: string;
  max_file_size_mb?: number;
  enable_audio_storage?: boolean;
  enable_transcript_storage?: boolean;
}

/**
 * The storage handler running in the real Kafka runtime (unique topic prefix, its own consumer group) on a
 * fresh migrated database, with a second consumer group recording every step event and hand-off it
 * publishes. One per test file: joining groups is the slow part.
 */
export async function startStorageHarness(
  audio: AudioSourceSettings,
  opts: { retry?: Partial<RetryPolicy>; webhookAudioRetryMs?: number } = {},
) {
  const env = await stackEnv();
  const logger = process.env.STORAGE_TEST_LOGS === "1" ? createJsonLogger({ level: "debug" }) : silentLogger;
  const db = await createDatabase(env);
  const orm = createOrm({ clientUrl: db.url });
  await migrate(orm);
  const sql = (query: string, params: unknown[] = []) => orm.em.fork().getConnection().execute(query, params);

  const kafka = createKafka({ brokers: env.KAFKA_BROKERS.split(","), clientId: uniqueName("st"), logger });
  const admin = kafka.admin();
  await admin.connect();
  const prefix = `${uniqueName("st")}.`;
  const defs = [topics.transcriptExtracted, topics.stepEvent, topics.artifactsStored];
  const group = uniqueName("storage");
  const observerGroup = uniqueName("observer");
  await registerSchemas(env.SCHEMA_REGISTRY_URL, { prefix, topics: defs });
  const { created } = await ensureTopics(admin, {
    topicPrefix: prefix,
    topics: defs,
    groups: [group, observerGroup],
  });
  const codec = createCodec({ registryUrl: env.SCHEMA_REGISTRY_URL });
  const producer = createProducer(kafka, codec, { topicPrefix: prefix });
  await producer.connect();

  // The real store; a test may hook the moment after a job's first read (the step has started).
  const store = createJobStore(orm);
  const afterFirstView = new Map<string, () => Promise<void>>();
  const jobs: JobStore = {
    async view(processingId, accountId) {
      const view = await store.view(processingId, accountId);
      const hook = afterFirstView.get(processingId);
      afterFirstView.delete(processingId);
      await hook?.();
      return view;
    },
  };
  const storage = createConsumer(kafka, codec, {
    groupId: group,
    topicPrefix: prefix,
    logger,
    retry: { attempts: 3, baseMs: 20, maxMs: 200, retryTopicAttempts: 1, ...opts.retry },
    handlers: {
      transcriptExtracted: createStorageHandler({
        producer,
        jobs,
        s3: s3Client(env),
        region: env.S3_REGION,
        defaultBucket: "postprocess-storage-tests",
        audio,
        webhookAudioRetryMs: opts.webhookAudioRetryMs,
      }),
    },
  });

  const steps: StepEvent[] = [];
  const stored: Stored[] = [];
  const seen = new Map<string, number>();
  const mark = (ctx: { topic: string; partition: number; offset: string }) => {
    const at = `${ctx.topic}:${ctx.partition}`;
    seen.set(at, Math.max(seen.get(at) ?? -1, Number(ctx.offset)));
  };
  const observer = createConsumer(kafka, codec, {
    groupId: observerGroup,
    topicPrefix: prefix,
    logger,
    handlers: {
      stepEvent: async (e, ctx) => {
        steps.push(e);
        mark(ctx);
      },
      artifactsStored: async (e, ctx) => {
        stored.push(e);
        mark(ctx);
      },
    },
  });
  await Promise.all([storage.start(), observer.start()]);

  const storeSteps = (id: string) => steps.filter((s) => s.processing_id === id && s.step === "store");
  return {
    /** A new account with these settings, and a job of it in `storing` (as the projector would have it). */
    async job(settings: SettingsRow): Promise<Envelope> {
      const account = uniqueName("acc");
      await sql("INSERT INTO accounts (id, name) VALUES (?, ?)", [account, "Test account"]);
      await sql(
        `INSERT INTO account_settings (account_id, minio_bucket_name, max_file_size_mb, enable_audio_storage,
           enable_transcript_storage) VALUES (?, ?, ?, ?, ?)`,
        [
          account,
          settings.minio_bucket_name,
          settings.max_file_size_mb ?? 10,
          settings.enable_audio_storage ?? true,
          settings.enable_transcript_storage ?? true,
        ],
      );
      const job = {
        processing_id: newProcessingId(),
        conversation_id: uniqueName("conv"),
        account_id: account,
      };
      await sql(
        `INSERT INTO conversation_processing (processing_id, conversation_id, email_id, account_id, status)
         VALUES (?, ?, 'ops@example.test', ?, 'storing')`,
        [job.processing_id, job.conversation_id, account],
      );
      return job;
    },
    /** Runs `hook` right after the step's first read of the job (before its work starts). */
    afterStepStarts(processingId: string, hook: () => Promise<void>) {
      afterFirstView.set(processingId, hook);
    },
    /** Marks the job cancelled, as the projector does on a cancel request. */
    async cancel(processingId: string): Promise<void> {
      await sql("UPDATE conversation_processing SET status = 'cancelled' WHERE processing_id = ?", [
        processingId,
      ]);
    },
    publish: (event: EventOf<"transcriptExtracted">) => producer.send("transcriptExtracted", event),
    /** Statuses of the job's `store` step events, in the order they arrived. */
    statuses: (id: string) => storeSteps(id).map((s) => s.status),
    steps: storeSteps,
    artifacts: (id: string) => stored.filter((s) => s.processing_id === id),
    /** Waits until the job's store step has published `status` (`count` times). */
    untilStep: (id: string, status: StepEvent["status"], count = 1) =>
      waitFor(`store step of ${id} to publish ${status} ×${count}`, () => {
        const found = storeSteps(id).filter((s) => s.status === status);
        return found.length >= count && found;
      }),
    /** Waits until the job's hand-off arrived (`count` times). */
    untilArtifacts: (id: string, count = 1) =>
      waitFor(`artifacts-stored of ${id} ×${count}`, () => {
        const found = stored.filter((s) => s.processing_id === id);
        return found.length >= count && found;
      }),
    /** Waits until the observer has read everything published so far (to assert that something is absent). */
    async settled() {
      const names = [topics.stepEvent.name, topics.artifactsStored.name].map((n) => prefix + n);
      const ends = await Promise.all(
        names.map(async (t) => ({ t, parts: await admin.fetchTopicOffsets(t) })),
      );
      await waitFor("the observer to read to the end of both topics", () =>
        ends.every(({ t, parts }) =>
          parts.every(
            (p) => Number(p.high) === 0 || (seen.get(`${t}:${p.partition}`) ?? -1) + 1 >= Number(p.high),
          ),
        ),
      );
    },
    async close() {
      await Promise.all([storage.stop(5000), observer.stop(5000)]);
      await producer.disconnect();
      await admin.deleteTopics({ topics: created }).catch(() => {});
      await admin.disconnect();
      await orm.close();
      await db.drop();
    },
  };
}

/** A transcript-extracted event of `job`: two turns, optional audio URL, inherited warnings. */
export function extracted(
  job: Envelope,
  over: Partial<EventOf<"transcriptExtracted">> = {},
): EventOf<"transcriptExtracted"> {
  return {
    ...job,
    event_id: newEventId(),
    occurred_at: new Date().toISOString(),
    agent_id: "agent_42",
    started_at: "2026-11-26T11:58:00.000Z",
    duration_secs: 41,
    turns: [
      { role: "agent", message: "Hi, how can I help?", time_in_call_secs: 0, tool_name: null },
      { role: "user", message: "I'd like a refund.", time_in_call_secs: 3.5, tool_name: null },
    ],
    audio_url: null,
    warnings: [],
    settings: null,
    ...over,
  };
}
