import type { EventOf, TopicKey } from "@postprocess/contracts";
import { createOrm } from "@postprocess/db";
import { type BatchItem, createTraceparent, type HandlerContext, silentLogger } from "@postprocess/kafka";
import type { StackEnv } from "@postprocess/testkit/stack";
import { s3Client } from "@postprocess/testkit/stack";
import { createJobStore } from "../../../packages/worker/src/job-store.ts";
// Bench scripts may reach into the services' sources: these are the very factories their main.ts wire.
import { createElevenLabsClient } from "../../../services/extractor/src/elevenlabs-client.ts";
import { createExtractorHandler } from "../../../services/extractor/src/handle-conversation-ended.ts";
import { createDeliveryStore } from "../../../services/mailer/src/delivery-store.ts";
import { createMailerHandler } from "../../../services/mailer/src/handle-report-generated.ts";
import { createSmtpTransport } from "../../../services/mailer/src/smtp-transport.ts";
import { loadReportFonts } from "../../../services/report/src/fonts.ts";
import { createReportHandler } from "../../../services/report/src/handle-summary-generated.ts";
import { createStorageHandler } from "../../../services/storage/src/handle-transcript-extracted.ts";
import { createSummarizer } from "../../../services/summarizer/src/create-summarizer.ts";
import { createSummarizerHandler } from "../../../services/summarizer/src/handle-artifacts-stored.ts";

/** The five pipeline handlers chained in one process: a job runs start to end with no Kafka in between. */
export interface InProcessChain {
  /** Runs one job through extract → store → summarize → report → email; rejects naming the step that failed. */
  run(event: EventOf<"conversationEnded">): Promise<void>;
  /** Mean milliseconds each step's handler took so far, by step (where the in-process time goes). */
  stepMeans(): Record<string, number>;
  close(): Promise<void>;
}

/**
 * Builds each service's handler with its real factory and the deps its main.ts gives it, except:
 * - the producer is an outbox per job: `sendBatch` keeps the items, and the chain hands the next step the
 *   output event the previous step emitted (step events are kept only to report a failure);
 * - the JobStore is the workers' own (`createJobStore`) on the real database: with no projector running,
 *   the job has no row (status undefined, so nothing is terminal), settings are the seed defaults;
 * - the mailer's DeliveryStore is the real one (email_deliveries, row lock, one email per job), but the
 *   recipient comes from the event rather than the projector's `conversation_processing` row.
 */
export async function createInProcessChain(opts: {
  env: StackEnv;
  databaseUrl: string;
  bucket: string;
  elevenlabs: { url: string; apiKey: string };
}): Promise<InProcessChain> {
  const { env } = opts;
  const fonts = await loadReportFonts();
  const orm = createOrm({ clientUrl: opts.databaseUrl });
  const jobs = createJobStore(orm);
  const s3 = s3Client(env);
  const outboxes = new Map<string, BatchItem[]>();
  const producer = {
    async sendBatch(items: readonly BatchItem[]) {
      for (const item of items)
        if (item.event.processing_id) outboxes.get(item.event.processing_id)?.push(item);
    },
  };
  const recipients = new Map<string, string>();
  const deliveries = createDeliveryStore(orm);
  const transport = createSmtpTransport({ host: env.SMTP_HOST, port: env.SMTP_PORT, secure: false });

  const extract = createExtractorHandler({
    producer,
    jobs,
    elevenlabs: createElevenLabsClient({
      baseUrl: opts.elevenlabs.url,
      apiKey: opts.elevenlabs.apiKey,
      timeoutMs: 15_000,
    }),
    maxWaitMs: 60_000,
  });
  const store = createStorageHandler({
    producer,
    jobs,
    s3,
    region: env.S3_REGION,
    defaultBucket: opts.bucket,
    audio: {
      elevenLabsBaseUrl: opts.elevenlabs.url,
      elevenLabsApiKey: opts.elevenlabs.apiKey,
      timeoutMs: 30_000,
    },
  });
  const summarize = createSummarizerHandler({
    producer,
    jobs,
    s3,
    s3Region: env.S3_REGION,
    defaultBucket: opts.bucket,
    summarizer: createSummarizer({
      OPENAI_API_KEY: undefined,
      OPENAI_BASE_URL: undefined,
      OPENAI_TIMEOUT_MS: 120_000,
      SUMMARIZER_CONTEXT_TOKENS: 100_000,
    }).summarizer,
  });
  const report = createReportHandler({
    producer,
    jobs,
    s3,
    region: env.S3_REGION,
    defaultBucket: opts.bucket,
    fonts,
  });
  const email = createMailerHandler({
    producer,
    jobs,
    deliveries: { ...deliveries, recipientOf: async (id) => recipients.get(id) },
    s3,
    transport,
    from: { name: "Postprocess", address: "reports@postprocess.local" },
    attachMaxBytes: 5 * 1024 * 1024,
  });

  const ctxFor = (processingId: string, topic: string): HandlerContext => ({
    topic,
    partition: 0,
    offset: "0",
    key: processingId,
    headers: {},
    traceparent: createTraceparent(),
    processingId,
    attempt: 1,
    // No runtime to retry: a retriable failure fails the job at once, so the chain never hangs on it.
    lastAttempt: true,
    signal: new AbortController().signal,
    log: silentLogger,
  });

  /** The event of `topic` the step emitted, or an error with the step's failure. */
  const take = <K extends TopicKey>(outbox: BatchItem[], topic: K): EventOf<K> => {
    const found = outbox.find((i) => i.topic === topic);
    if (found) return found.event as EventOf<K>;
    // The last step record: the one of the step that emitted nothing (earlier steps completed).
    const failed = outbox.findLast((i) => i.topic === "stepEvent" && i.event.status !== "started");
    const step = failed?.topic === "stepEvent" ? failed.event : undefined;
    throw new Error(
      step ? `${step.step} ${step.status}: ${step.error?.code ?? "no error code"}` : `no ${topic} emitted`,
    );
  };

  const spent = new Map<string, { total: number; n: number }>();
  const timed = async (step: string, call: Promise<void>) => {
    const start = performance.now();
    await call;
    const s = spent.get(step) ?? { total: 0, n: 0 };
    s.total += performance.now() - start;
    s.n += 1;
    spent.set(step, s);
  };

  return {
    stepMeans: () => Object.fromEntries([...spent].map(([step, s]) => [step, Math.round(s.total / s.n)])),
    async run(event) {
      const id = event.processing_id;
      if (!id) throw new Error("conversation.ended without a processing_id");
      recipients.set(id, event.email_id);
      const outbox: BatchItem[] = [];
      outboxes.set(id, outbox);
      try {
        await timed("extract", extract(event, ctxFor(id, "conversationEnded")));
        await timed("store", store(take(outbox, "transcriptExtracted"), ctxFor(id, "transcriptExtracted")));
        await timed("summarize", summarize(take(outbox, "artifactsStored"), ctxFor(id, "artifactsStored")));
        await timed("report", report(take(outbox, "summaryGenerated"), ctxFor(id, "summaryGenerated")));
        await timed("email", email(take(outbox, "reportGenerated"), ctxFor(id, "reportGenerated")));
        take(outbox, "emailSent");
      } finally {
        outboxes.delete(id);
        recipients.delete(id);
      }
    },
    async close() {
      transport.close();
      await orm.close();
    },
  };
}
