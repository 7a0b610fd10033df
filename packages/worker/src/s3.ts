import * as Minio from "minio";

/** Where S3 is and how to sign in (parsed once in main). */
export interface S3Settings {
  endpoint: string;
  region: string;
  accessKey: string;
  secretKey: string;
  /** The shared bucket, used when an account names none. */
  defaultBucket: string;
}

/** The S3 client from a worker's parsed `s3ConfigSchema` settings (what every S3-using main.ts builds). */
export function s3FromConfig(c: {
  S3_ENDPOINT: string;
  S3_REGION: string;
  S3_ACCESS_KEY: string;
  S3_SECRET_KEY: string;
  S3_BUCKET: string;
}): Minio.Client {
  return createS3({
    endpoint: c.S3_ENDPOINT,
    region: c.S3_REGION,
    accessKey: c.S3_ACCESS_KEY,
    secretKey: c.S3_SECRET_KEY,
    defaultBucket: c.S3_BUCKET,
  });
}

export function createS3(s: S3Settings): Minio.Client {
  const url = new URL(s.endpoint);
  return new Minio.Client({
    endPoint: url.hostname,
    port: url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80,
    useSSL: url.protocol === "https:",
    accessKey: s.accessKey,
    secretKey: s.secretKey,
    region: s.region,
    pathStyle: true,
  });
}

/**
 * How long a bucket seen to exist is not checked again. Three steps write to the job's bucket, and a HEAD
 * before every write was an S3 round trip each on the hot path; buckets are not deleted under a running
 * deployment (if one is, writes fail and their retries recreate it once this has passed).
 */
export const bucketCheckCacheMs = 60_000;
const ensured = new WeakMap<Minio.Client, Map<string, number>>();

/** Creates the bucket if it is missing (idempotent; safe when replicas race). */
export async function ensureBucket(client: Minio.Client, bucket: string, region: string): Promise<void> {
  const seen = ensured.get(client) ?? new Map<string, number>();
  ensured.set(client, seen);
  const at = seen.get(bucket);
  if (at !== undefined && Date.now() - at < bucketCheckCacheMs) return;
  if (!(await client.bucketExists(bucket))) {
    try {
      await client.makeBucket(bucket, region);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== "BucketAlreadyOwnedByYou" && code !== "BucketAlreadyExists") throw err;
    }
  }
  seen.set(bucket, Date.now());
}

/**
 * The object key of one artifact of one job: deterministic, so a retried upload overwrites its object
 * instead of leaving a second copy, and grouped by account then conversation for retention and audits.
 */
export function objectKey(
  e: { account_id: string; conversation_id: string; processing_id: string },
  name: string,
): string {
  return `${safe(e.account_id)}/${safe(e.conversation_id)}/${e.processing_id}/${name}`;
}

/**
 * Where the ElevenLabs audio webhook leaves a conversation's recording. It arrives on its own, before or
 * after the transcript, so the key is per conversation, not per job: the job started by the transcript
 * finds it whichever came first, and a replayed webhook overwrites it. `elevenlabs-webhook` cannot be a
 * processing id, so it never collides with a job's artifacts.
 */
export function webhookAudioKey(accountId: string, conversationId: string): string {
  return `${safe(accountId)}/${safe(conversationId)}/elevenlabs-webhook/audio.mp3`;
}

/** `s3://bucket/key`: how an event names an object of our own storage (e.g. webhook audio) as a URL. */
export function s3Url(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/** The bucket and key of an `s3://bucket/key` URL; undefined for anything else. */
export function parseS3Url(url: string): { bucket: string; key: string } | undefined {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/.exec(url);
  return m ? { bucket: m[1]!, key: m[2]! } : undefined;
}

/**
 * An id as one key segment: `/` and anything unusual become `_`, and so do the dots of `.` or `..` (which
 * some S3 servers resolve as path steps), so an id can neither add a level nor climb out of its own.
 */
function safe(id: string): string {
  const s = id.replace(/[^A-Za-z0-9._-]/g, "_");
  return /^\.+$/.test(s) ? s.replace(/\./g, "_") : s;
}

/** Links handed to people always expire; this is how long (the S3 client's own default is 7 days). */
export const urlExpirySeconds = 24 * 3600;

/** A presigned GET with an explicit expiry, and when it expires. */
export async function presign(
  client: Minio.Client,
  bucket: string,
  key: string,
  now: Date = new Date(),
  expirySeconds = urlExpirySeconds,
): Promise<{ url: string; expiresAt: string }> {
  const url = await client.presignedGetObject(bucket, key, expirySeconds, {}, now);
  return { url, expiresAt: new Date(now.getTime() + expirySeconds * 1000).toISOString() };
}
