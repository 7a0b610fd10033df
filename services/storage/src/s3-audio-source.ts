import type { Readable } from "node:stream";
import { RetriableError, RetryAfterError } from "@postprocess/kafka";
import { parseS3Url } from "@postprocess/worker";
import type * as Minio from "minio";
import { type AudioSource, mediaType } from "./audio-source.ts";

/** Whose objects of our own storage a job may read, and how it waits for a recording still on its way. */
export interface OwnStorageScope {
  /** The job's account: only keys under `<account>/` are its own. */
  accountId: string;
  /** Buckets its objects can be in: the shared bucket and the account's own. */
  buckets: readonly string[];
  /** The step's last attempt: a recording still missing is given up (a warning), not waited for again. */
  lastAttempt: boolean;
  /** How long to wait before looking again for a recording that has not arrived yet. */
  retryAfterMs: number;
}

// The shape `accounts.id` allows; an id outside it cannot own a key prefix.
const ACCOUNT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const missing = new Set(["NoSuchKey", "NoSuchBucket", "NotFound"]);

/**
 * Opens a recording that already lives in our own S3, named `s3://bucket/key` (the ElevenLabs audio
 * webhook stores it there, see the gateway). Only the job's own account's keys, in the shared bucket or
 * the account's, are read: an event naming any other object is refused (AUDIO_UNAVAILABLE), whoever
 * published it. The webhook may arrive after the transcript, so a missing object is waited for through the
 * step's retries (`RetryAfterError`); on the last attempt it is given up with AUDIO_NOT_RECEIVED, and the
 * job completes without audio rather than failing.
 */
export async function openS3Audio(
  s3: Minio.Client,
  url: string,
  scope: OwnStorageScope,
): Promise<AudioSource> {
  const at = parseS3Url(url);
  if (!at) return { kind: "unavailable", reason: "the audio URL is not a valid s3:// URL" };
  const refused = refusal(at, scope);
  if (refused) return { kind: "unavailable", reason: refused };

  const what = `s3://${at.bucket}/${at.key}`;
  let stat: Minio.BucketItemStat;
  let body: Readable;
  try {
    stat = await s3.statObject(at.bucket, at.key);
    body = await s3.getObject(at.bucket, at.key);
  } catch (err) {
    const code = (err as { code?: string } | null)?.code ?? (err instanceof Error ? err.name : "error");
    if (!missing.has(code)) throw new RetriableError(`S3 read of ${what} failed (${code})`, { cause: err });
    if (scope.lastAttempt) {
      return {
        kind: "unavailable",
        code: "AUDIO_NOT_RECEIVED",
        reason: "the recording (ElevenLabs audio webhook) never arrived; the job goes on without it",
      };
    }
    throw new RetryAfterError(scope.retryAfterMs, `the recording ${what} has not arrived yet`, {
      cause: err,
    });
  }
  return {
    kind: "stream",
    body,
    contentType: mediaType(stat.metaData["content-type"] ?? null) ?? "audio/mpeg",
    contentLength: stat.size,
  };
}

/** Why the job may not read this object, or undefined when it may. */
function refusal(at: { bucket: string; key: string }, scope: OwnStorageScope): string | undefined {
  if (!scope.buckets.includes(at.bucket)) {
    return `the audio URL names bucket ${at.bucket}, which is not this account's storage (refused)`;
  }
  const segments = at.key.split("/");
  const climbs = segments.some((s) => s === "" || s === "." || s === "..");
  if (!ACCOUNT_ID.test(scope.accountId) || segments[0] !== scope.accountId || climbs) {
    return "the audio URL names an object outside this account's storage (refused)";
  }
  return undefined;
}
