import { RetriableError } from "@postprocess/kafka";
import { FileTooLargeError, S3UploadError, uploadStream } from "@postprocess/worker";
import type * as Minio from "minio";
import { type AudioSource, type AudioSourceSettings, audioFileName, openAudio } from "./audio-source.ts";
import { type OwnStorageScope, openS3Audio } from "./s3-audio-source.ts";

/** An object the copy wrote. */
export interface StoredObject {
  bucket: string;
  key: string;
  fileName: string;
  size: number;
  sha256: string;
  contentType: string;
}

/** The recording was copied, or skipped with a warning the job keeps. */
export type AudioCopy = { stored: StoredObject } | { warning: { code: string; message: string } };

const mb = (bytes: number) => Math.round((bytes / (1024 * 1024)) * 10) / 10;

/**
 * Streams the recording at `url` into `bucket` under `keyFor(fileName)`, never holding more than one
 * upload part of it in memory. Over `maxBytes` (by Content-Length, or found while copying) it is skipped
 * with FILE_TOO_LARGE and no object is left at its key; a source that says it is gone, AUDIO_UNAVAILABLE.
 * Throws retriable errors for what may pass (429, 5xx, network, S3). An `s3://` URL is a recording already
 * in our own storage (webhook audio), read within `ownStorage` only (see `openS3Audio`).
 */
export async function copyAudio(args: {
  s3: Minio.Client;
  source: AudioSourceSettings;
  /** Whose `s3://` objects may be read; without it, `s3://` URLs are refused. */
  ownStorage?: OwnStorageScope;
  url: string;
  bucket: string;
  keyFor(fileName: string): string;
  maxBytes: number;
  signal?: AbortSignal;
  partSize?: number;
}): Promise<AudioCopy> {
  const { s3, bucket, maxBytes } = args;
  const audio = await openSource(args);
  if (audio.kind === "unavailable") {
    return { warning: { code: audio.code ?? "AUDIO_UNAVAILABLE", message: audio.reason } };
  }
  const fileName = audioFileName(audio.contentType);
  const key = args.keyFor(fileName);
  const tooLarge = async (message: string): Promise<AudioCopy> => {
    // A retry's earlier attempt (under a higher limit) may have stored one: a skipped file leaves none.
    await s3.removeObject(bucket, key).catch((err: unknown) => {
      throw new RetriableError(`S3 remove of ${bucket}/${key} failed`, { cause: err });
    });
    return { warning: { code: "FILE_TOO_LARGE", message } };
  };
  const limit = `the account's ${mb(maxBytes)} MB limit`;

  if (audio.contentLength !== undefined && audio.contentLength > maxBytes) {
    audio.body.destroy();
    return tooLarge(`the recording (${mb(audio.contentLength)} MB) is over ${limit}; not stored`);
  }
  try {
    const { size, sha256 } = await uploadStream(
      s3,
      { bucket, key, contentType: audio.contentType },
      audio.body,
      {
        maxBytes,
        partSize: args.partSize,
        signal: args.signal,
        sourceIdleMs: args.source.timeoutMs,
      },
    );
    return { stored: { bucket, key, fileName, size, sha256, contentType: audio.contentType } };
  } catch (err) {
    if (err instanceof FileTooLargeError) {
      return tooLarge(`the recording grew past ${limit} while being copied; not stored`);
    }
    if (err instanceof S3UploadError) throw new RetriableError(err.message, { cause: err });
    if (args.signal?.aborted)
      throw new RetriableError("the audio copy was stopped by a shutdown", { cause: err });
    const why = err instanceof Error ? err.message : String(err);
    throw new RetriableError(`the audio source failed while being copied (${why})`, { cause: err });
  }
}

function openSource(args: {
  s3: Minio.Client;
  source: AudioSourceSettings;
  ownStorage?: OwnStorageScope;
  url: string;
  signal?: AbortSignal;
}): Promise<AudioSource> {
  if (!args.url.startsWith("s3:")) return openAudio(args.url, args.source, args.signal);
  if (!args.ownStorage) {
    return Promise.resolve({ kind: "unavailable", reason: "s3:// audio URLs are not read here (refused)" });
  }
  return openS3Audio(args.s3, args.url, args.ownStorage);
}
