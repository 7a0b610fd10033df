import { RetriableError } from "@postprocess/kafka";
import { StepError } from "@postprocess/worker";
import type * as Minio from "minio";

/**
 * Reads a whole object (summary.json, or a report small enough to attach). A missing object or bucket will not
 * appear by retrying, so it fails the step as invalid input; anything else (S3 down, a timeout) is retried.
 */
export async function readObject(s3: Minio.Client, ref: { bucket: string; key: string }): Promise<Buffer> {
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of await s3.getObject(ref.bucket, ref.key)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "NoSuchKey" || code === "NoSuchBucket" || code === "NotFound") {
      throw new StepError("INPUT_INVALID", `s3://${ref.bucket}/${ref.key} does not exist`, { cause: err });
    }
    throw new RetriableError(`reading s3://${ref.bucket}/${ref.key} failed: ${(err as Error).message}`, {
      cause: err,
    });
  }
}
