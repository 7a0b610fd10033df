import { FileTooLargeError, S3UploadError } from "@postprocess/worker";
import type * as Minio from "minio";
import { ApiError } from "../errors.ts";
import { AudioUpload } from "./audio-upload.ts";
import { Base64Error, Base64StreamDecoder } from "./base64-stream.ts";
import { EnvelopeScanner, EnvelopeSyntaxError, EnvelopeTooLargeError } from "./envelope-scanner.ts";
import type { SignatureVerifier } from "./signature.ts";

/** How much of a webhook body the gateway reads. */
export interface WebhookLimits {
  /** The body without its recording: a transcription webhook is all of it. */
  jsonBytes: number;
  /** The recording, decoded. */
  audioBytes: number;
}

/**
 * The most raw bytes a body within the limits can take: the JSON, the base64 of the recording (4/3), and
 * an eighth more for escapes (`\/`) and wrapped lines (`\r\n`). Beyond it the body is refused, so a stream
 * of escapes that decode to nothing cannot go on forever.
 */
export function rawLimitBytes(limits: WebhookLimits): number {
  const base64 = Math.ceil(limits.audioBytes / 3) * 4;
  return limits.jsonBytes + base64 + Math.ceil(base64 / 8);
}

/** The recording of an audio webhook, stored at a temporary key until the signature is known good. */
export interface StagedAudio {
  bucket: string;
  key: string;
  size: number;
  sha256: string;
}

/** A webhook body, read once. */
export interface WebhookBody {
  /** The JSON without `data.full_audio` (`""` in its place); undefined when it is not JSON. */
  envelope: Buffer | undefined;
  /** What is wrong with the body; answered only once the signature is known good (else: 401). */
  problem: ApiError | undefined;
  /** The recording, when there was one and somewhere to stage it. */
  audio: StagedAudio | undefined;
}

/**
 * Reads a webhook body once, as it streams: every byte goes to the signature verifier; the JSON is kept
 * (up to `jsonBytes`) without `data.full_audio`, whose base64 is decoded on the fly into S3 at
 * `staging.key` (up to `audioBytes`). Neither the body nor the recording is ever held whole. Over a limit
 * it throws 413 at once (reading on would cost what the limit protects); an S3 failure throws 503; a body
 * that is not JSON or not base64 is reported in `problem`, because before the signature is checked the
 * only answer a stranger may get is 401. Without `staging` (no account to stage for) the audio is decoded
 * and dropped.
 */
export async function readWebhookBody(
  body: ReadableStream<Uint8Array> | null,
  opts: {
    verifier: SignatureVerifier;
    limits: WebhookLimits;
    staging: { client: Minio.Client; bucket: string; key: string } | undefined;
  },
): Promise<WebhookBody> {
  const { verifier, limits, staging } = opts;
  const rawLimit = rawLimitBytes(limits);
  const decoder = new Base64StreamDecoder();
  let decoded: Buffer[] = [];
  let problem: ApiError | undefined;
  const scanner = new EnvelopeScanner({
    maxEnvelopeBytes: limits.jsonBytes,
    onAudio(text) {
      if (problem) return;
      try {
        const bytes = decoder.write(text);
        if (bytes.length) decoded.push(bytes);
      } catch (err) {
        problem = notBase64(err);
      }
    },
  });
  let upload: AudioUpload | undefined;
  const send = async (bytes: Buffer[]) => {
    if (!staging) return;
    for (const b of bytes) {
      upload ??= new AudioUpload(staging.client, staging, limits.audioBytes);
      await upload.write(b);
    }
  };

  let raw = 0;
  let envelope: Buffer | undefined;
  try {
    for await (const chunk of body ?? []) {
      raw += chunk.length;
      if (raw > rawLimit) throw tooLarge(`the webhook body exceeds ${rawLimit} bytes`);
      verifier.update(chunk);
      // Past a problem only the signature matters: the answer is 401 or that problem.
      if (problem) continue;
      try {
        scanner.feed(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      } catch (err) {
        if (err instanceof EnvelopeTooLargeError) throw tooLarge(err.message);
        problem = err instanceof Base64Error ? notBase64(err) : malformed(err);
        continue;
      }
      const ready = decoded;
      decoded = [];
      if (!problem) await send(ready);
    }
    if (!problem) {
      try {
        envelope = scanner.end();
        await send([decoder.end()].filter((b) => b.length > 0));
      } catch (err) {
        problem = err instanceof Base64Error ? notBase64(err) : malformed(err);
      }
    }
    if (!problem && scanner.audioFields > 1) {
      problem = new ApiError("VALIDATION_FAILED", "the webhook body is invalid", {
        details: [{ path: "data.full_audio", message: "appears more than once" }],
      });
    }
    if (problem || !upload) {
      await upload?.abort();
      return { envelope: problem ? undefined : envelope, problem, audio: undefined };
    }
    const stored = await upload.end();
    return { envelope, problem, audio: { bucket: staging!.bucket, key: staging!.key, ...stored } };
  } catch (err) {
    await upload?.abort();
    if (err instanceof ApiError) throw err;
    if (err instanceof FileTooLargeError) throw tooLarge(`the recording exceeds ${limits.audioBytes} bytes`);
    if (err instanceof S3UploadError) {
      throw new ApiError("UNAVAILABLE", "the recording could not be stored; retry later", { cause: err });
    }
    throw err;
  }
}

function tooLarge(message: string): ApiError {
  return new ApiError("PAYLOAD_TOO_LARGE", message);
}

function malformed(cause: unknown): ApiError {
  const why = cause instanceof EnvelopeSyntaxError ? ` (${cause.message})` : "";
  return new ApiError("MALFORMED_JSON", `the webhook body is not valid JSON${why}`, { cause });
}

function notBase64(cause: unknown): ApiError {
  return new ApiError("VALIDATION_FAILED", "the webhook body is invalid", {
    details: [{ path: "data.full_audio", message: `not base64: ${(cause as Error).message}` }],
    cause,
  });
}
