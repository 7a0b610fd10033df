import { createHash } from "node:crypto";
import { type EventOf, newEventId } from "@postprocess/contracts";
import { type BatchItem, type HandlerContext, silentLogger } from "@postprocess/kafka";
import type { FileRef } from "@postprocess/worker";
import {
  defaultSettings,
  type JobSettings,
  type JobStore,
  type JobView,
  type Transcript,
} from "@postprocess/worker";
import type * as Minio from "minio";
import { createSummarizerHandler } from "./handle-artifacts-stored.ts";
import type { Summarizer } from "./summarizer.ts";

/** Test support (not part of the service): transcripts in S3, input events, and a handler run by hand. */

/** A job id of the right shape. */
export function newProcessingId(): string {
  return `proc_${newEventId().slice("evt_".length)}`;
}

/** Puts `t` into S3 as storage would (`transcript.json`, JSON) and returns its reference. */
export async function putTranscript(
  s3: Minio.Client,
  bucket: string,
  t: Transcript,
  key: string,
): Promise<FileRef> {
  const body = Buffer.from(JSON.stringify(t), "utf8");
  await s3.putObject(bucket, key, body, body.length, { "Content-Type": "application/json" });
  return {
    file_type: "transcript",
    file_name: "transcript.json",
    bucket,
    key,
    size: body.length,
    sha256: createHash("sha256").update(body).digest("hex"),
    content_type: "application/json",
    url: null,
    url_expires_at: null,
  };
}

/** An artifacts-stored event for a fresh job, carrying `transcript`. */
export function artifactsStored(
  transcript: FileRef | null,
  over: Partial<EventOf<"artifactsStored">> = {},
): EventOf<"artifactsStored"> {
  return {
    event_id: newEventId(),
    occurred_at: new Date().toISOString(),
    processing_id: newProcessingId(),
    conversation_id: "conv_test",
    account_id: "acc_test",
    files: transcript ? [transcript] : [],
    warnings: [{ code: "NO_AUDIO", message: "the conversation has no recording" }],
    transcript,
    settings: null,
    ...over,
  };
}

/** Reads an S3 object whole. */
export async function readObject(s3: Minio.Client, bucket: string, key: string): Promise<Buffer> {
  return Buffer.concat((await (await s3.getObject(bucket, key)).toArray()) as Buffer[]);
}

/**
 * The summarize handler with hand-made Kafka context: what it publishes is recorded (the runtime's own
 * behaviour is proven against the real broker in the integration test), the job's view is scripted.
 */
export function handlerHarness(opts: {
  s3: Minio.Client;
  bucket: string;
  summarizer: Summarizer;
  settings?: Partial<JobSettings>;
  /** Job statuses the store reports, call after call (the last one repeats). */
  statuses?: JobView["status"][];
}) {
  const sent: BatchItem[] = [];
  let views = 0;
  const statuses = opts.statuses ?? ["summarizing"];
  const jobs: JobStore = {
    async view() {
      const status = statuses[Math.min(views++, statuses.length - 1)];
      return {
        status,
        createdAt: new Date(),
        settings: { ...defaultSettings, bucketName: opts.bucket, ...opts.settings },
      };
    },
  };
  const handle = createSummarizerHandler({
    producer: { sendBatch: async (items) => void sent.push(...items) },
    jobs,
    s3: opts.s3,
    s3Region: "us-east-1",
    defaultBucket: opts.bucket,
    summarizer: opts.summarizer,
  });
  const run = (event: EventOf<"artifactsStored">, attempt = { attempt: 1, lastAttempt: false }) => {
    const ctx: HandlerContext = {
      topic: "pipeline.artifacts-stored",
      partition: 0,
      offset: "0",
      key: event.processing_id,
      headers: {},
      traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
      processingId: event.processing_id,
      signal: new AbortController().signal,
      log: silentLogger,
      ...attempt,
    };
    return handle(event, ctx);
  };
  const steps = () =>
    sent.flatMap((s) => (s.topic === "stepEvent" ? [s.event] : [])) as EventOf<"stepEvent">[];
  const output = () =>
    sent.find((s) => s.topic === "summaryGenerated")?.event as EventOf<"summaryGenerated"> | undefined;
  return { run, sent, steps, statuses: () => steps().map((s) => s.status), output };
}
