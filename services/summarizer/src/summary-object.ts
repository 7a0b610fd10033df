import { createHash } from "node:crypto";
import { ensureBucket, type FileRef, objectKey, presign, s3Failure } from "@postprocess/worker";
import type * as Minio from "minio";
import type { Summary } from "./summary.ts";

/** `summary.json` as the report and the mailer read it. */
export interface SummaryFile extends Summary {
  model: string;
}

/**
 * Writes `summary.json` at the job's deterministic key (a retry overwrites it) and returns its reference,
 * with a presigned URL that expires.
 */
export async function writeSummary(
  s3: Minio.Client,
  opts: {
    bucket: string;
    region: string;
    envelope: { account_id: string; conversation_id: string; processing_id: string };
    content: SummaryFile;
    lastAttempt: boolean;
  },
): Promise<FileRef> {
  const { bucket } = opts;
  const key = objectKey(opts.envelope, "summary.json");
  const body = Buffer.from(`${JSON.stringify(opts.content, null, 2)}\n`, "utf8");
  try {
    await ensureBucket(s3, bucket, opts.region);
    await s3.putObject(bucket, key, body, body.length, { "Content-Type": "application/json" });
    const { url, expiresAt } = await presign(s3, bucket, key);
    return {
      file_type: "summary",
      file_name: "summary.json",
      bucket,
      key,
      size: body.length,
      sha256: createHash("sha256").update(body).digest("hex"),
      content_type: "application/json",
      url,
      url_expires_at: expiresAt,
    };
  } catch (err) {
    throw s3Failure(err, "writing summary.json", opts.lastAttempt);
  }
}
