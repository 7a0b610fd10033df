import type { EventOf } from "@postprocess/contracts";
import type { Handler, HandlerContext, Producer } from "@postprocess/kafka";
import {
  type ElevenLabsKeys,
  ensureBucket,
  type JobStore,
  objectKey,
  runStep,
  type StepWork,
} from "@postprocess/worker";
import type * as Minio from "minio";
import type { AudioSourceSettings } from "./audio-source.ts";
import { type AudioCopy, copyAudio } from "./copy-audio.ts";
import { type FileRef, fileRef, putBuffer, s3Call } from "./file-refs.ts";
import { buildTranscript, transcriptBodies } from "./transcript-files.ts";

type Warning = { code: string; message: string };

/** What the storage step is built from (plain objects: real stack clients in tests). */
export interface StorageDeps {
  producer: Pick<Producer, "sendBatch">;
  jobs: JobStore;
  s3: Minio.Client;
  /** Region new buckets are made in. */
  region: string;
  /** The bucket of accounts that name none. */
  defaultBucket: string;
  audio: AudioSourceSettings;
  /** The account's own ElevenLabs key for its recordings, when it registered one (else `audio`'s key). */
  elevenlabsKeys?: ElevenLabsKeys;
  /**
   * How long to wait before looking again for webhook audio (`s3://`) that has not arrived yet; the
   * step's retry policy bounds how many times (default 5 s).
   */
  webhookAudioRetryMs?: number;
  now?: () => Date;
}

/**
 * The `store` step: writes the normalised transcript (JSON + text, or only a working copy when the account
 * keeps no transcripts), then streams the recording into S3, and hands the files on in `artifactsStored`.
 * Keys are deterministic per job, so a retry overwrites what an earlier attempt wrote.
 */
export function createStorageHandler(deps: StorageDeps): Handler<"transcriptExtracted"> {
  return (event, ctx) =>
    runStep({
      step: "store",
      input: event,
      ctx,
      deps: { producer: deps.producer, jobs: deps.jobs, now: deps.now },
      exhaustedCode: "STORAGE_FAILED",
      work: (w) => store(event, w, ctx, deps),
    });
}

async function store(
  event: EventOf<"transcriptExtracted">,
  w: StepWork,
  ctx: HandlerContext,
  deps: StorageDeps,
) {
  const now = deps.now?.() ?? new Date();
  const bucket = w.settings.bucketName ?? deps.defaultBucket;
  await s3Call(`bucket check of ${bucket}`, () => ensureBucket(deps.s3, bucket, deps.region));
  const transcript = buildTranscript(event);
  const bodies = transcriptBodies(transcript);
  const files: FileRef[] = [];
  const at = (name: string) => ({ bucket, key: objectKey(event, name), fileName: name.split("/").at(-1)! });

  let transcriptRef: FileRef;
  if (w.settings.enableTranscriptStorage) {
    const json = await putBuffer(
      deps.s3,
      { ...at("transcript.json"), contentType: "application/json" },
      bodies.json,
    );
    const text = await putBuffer(
      deps.s3,
      { ...at("transcript.txt"), contentType: "text/plain; charset=utf-8" },
      bodies.text,
    );
    transcriptRef = await fileRef(deps.s3, json, "transcript", { withUrl: true, now });
    files.push(transcriptRef, await fileRef(deps.s3, text, "transcript", { withUrl: true, now }));
  } else {
    // The later steps still need the transcript: a working copy, not an artifact (no link, not listed).
    const work = await putBuffer(
      deps.s3,
      { ...at("work/transcript.json"), contentType: "application/json" },
      bodies.json,
    );
    transcriptRef = await fileRef(deps.s3, work, "transcript", { withUrl: false, now });
  }

  await w.checkCancelled();
  const audio = await storeAudio(event, w, ctx, deps, bucket);
  if ("stored" in audio) files.push(await fileRef(deps.s3, audio.stored, "audio", { withUrl: true, now }));
  const warning = "warning" in audio ? audio.warning : undefined;
  ctx.log.info(
    { step: "store", bucket, files: files.length, audioBytes: "stored" in audio ? audio.stored.size : null },
    warning ? `artifacts stored; audio skipped (${warning.code})` : "artifacts stored",
  );
  return {
    emit: [
      {
        topic: "artifactsStored" as const,
        context: ctx,
        event: {
          ...w.envelope("artifactsStored"),
          files,
          warnings: withWarning(event.warnings, warning),
          transcript: transcriptRef,
          settings: w.snapshot,
        },
      },
    ],
    warning,
  };
}

async function storeAudio(
  event: EventOf<"transcriptExtracted">,
  w: StepWork,
  ctx: HandlerContext,
  deps: StorageDeps,
  bucket: string,
): Promise<AudioCopy> {
  if (!event.audio_url) {
    return { warning: { code: "NO_AUDIO", message: "the conversation has no recording" } };
  }
  if (!w.settings.enableAudioStorage) {
    return {
      warning: { code: "AUDIO_STORAGE_DISABLED", message: "audio storage is turned off for this account" },
    };
  }
  const accountKey = await deps.elevenlabsKeys?.forAccount(event.account_id);
  return copyAudio({
    s3: deps.s3,
    source: accountKey ? { ...deps.audio, elevenLabsApiKey: accountKey } : deps.audio,
    ownStorage: {
      accountId: event.account_id,
      buckets: [deps.defaultBucket, bucket],
      lastAttempt: ctx.lastAttempt,
      retryAfterMs: deps.webhookAudioRetryMs ?? 5000,
    },
    url: event.audio_url,
    bucket,
    keyFor: (name) => objectKey(event, name),
    maxBytes: w.settings.maxFileSizeMb * 1024 * 1024,
    signal: w.signal,
  });
}

/** The input's warnings plus this step's own (once: an upstream NO_AUDIO is not repeated). */
export function withWarning(inherited: readonly Warning[], own: Warning | undefined): Warning[] {
  if (!own || inherited.some((w) => w.code === own.code)) return [...inherited];
  return [...inherited, own];
}
