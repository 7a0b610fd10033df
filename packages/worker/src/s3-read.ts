import { createHash } from "node:crypto";
import type { EventOf } from "@postprocess/contracts";
import { RetriableError } from "@postprocess/kafka";
import type * as Minio from "minio";
import { StepError } from "./step-error.ts";
import { type Transcript, transcriptSchema } from "./transcript.ts";

/** An object in S3 as events reference it (the catalog's FileRef). */
export type FileRef = NonNullable<EventOf<"artifactsStored">["transcript"]>;

/** A transcript larger than this is not a transcript (a 3-hour call is a few MB of JSON). */
const maxTranscriptBytes = 64 * 1024 * 1024;

const missing = new Set(["NoSuchKey", "NoSuchBucket", "NotFound"]);

/**
 * An S3 failure as a step sees it: retried while attempts remain; on the last one the job fails with
 * `STORAGE_FAILED` (not the step's own code, which would send an operator to the wrong place).
 */
export function s3Failure(err: unknown, what: string, lastAttempt: boolean): Error {
  const code = (err as { code?: string } | null)?.code ?? (err instanceof Error ? err.name : "error");
  const message = `S3 failed ${what} (${code})`;
  return lastAttempt
    ? new StepError("STORAGE_FAILED", message, { cause: err })
    : new RetriableError(message, { cause: err });
}

/** Reads the normalised transcript storage wrote, checking its size, sha256 and shape. */
export async function readTranscript(
  s3: Minio.Client,
  ref: FileRef,
  lastAttempt: boolean,
): Promise<Transcript> {
  if (ref.size > maxTranscriptBytes)
    throw new StepError(
      "INPUT_INVALID",
      `the transcript object is ${ref.size} bytes, over the ${maxTranscriptBytes}-byte limit`,
    );
  let bytes: Buffer;
  try {
    const stream = await s3.getObject(ref.bucket, ref.key);
    bytes = Buffer.concat((await stream.toArray()) as Buffer[]);
  } catch (err) {
    const code = (err as { code?: string } | null)?.code ?? "";
    if (missing.has(code))
      throw new StepError("INPUT_INVALID", `the transcript object ${ref.bucket}/${ref.key} does not exist`, {
        cause: err,
      });
    throw s3Failure(err, "reading the transcript", lastAttempt);
  }
  if (createHash("sha256").update(bytes).digest("hex") !== ref.sha256)
    throw new StepError(
      "INPUT_INVALID",
      `the transcript object ${ref.key} does not match the sha256 its reference carries`,
    );
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString("utf8"));
  } catch (err) {
    throw new StepError("INPUT_INVALID", `the transcript object ${ref.key} is not JSON`, { cause: err });
  }
  const parsed = transcriptSchema.safeParse(json);
  if (!parsed.success) {
    const where = parsed.error.issues
      .map((i) => i.path.join(".") || "(root)")
      .slice(0, 5)
      .join(", ");
    throw new StepError(
      "INPUT_INVALID",
      `the transcript object ${ref.key} does not match the transcript schema at ${where}`,
    );
  }
  return parsed.data;
}

/**
 * Reads a whole object a step needs (summary.json, a report small enough to attach). A missing object or
 * bucket will not appear by retrying, so it fails the step as invalid input; anything else is retried
 * (and on the last attempt fails with STORAGE_FAILED).
 */
export async function readObject(
  s3: Minio.Client,
  ref: { bucket: string; key: string },
  lastAttempt = false,
): Promise<Buffer> {
  try {
    const stream = await s3.getObject(ref.bucket, ref.key);
    return Buffer.concat((await stream.toArray()) as Buffer[]);
  } catch (err) {
    const code = (err as { code?: string } | null)?.code ?? "";
    if (missing.has(code)) {
      throw new StepError("INPUT_INVALID", `s3://${ref.bucket}/${ref.key} does not exist`, { cause: err });
    }
    throw s3Failure(err, `reading s3://${ref.bucket}/${ref.key}`, lastAttempt);
  }
}
