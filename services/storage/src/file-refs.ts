import { createHash } from "node:crypto";
import type { EventOf } from "@postprocess/contracts";
import { RetriableError } from "@postprocess/kafka";
import { presign } from "@postprocess/worker";
import type * as Minio from "minio";
import type { StoredObject } from "./copy-audio.ts";

/** A file as events carry it. */
export type FileRef = EventOf<"artifactsStored">["files"][number];

/** Runs an S3 call; its failure is retriable (S3 down or throttling), with the call named in the message. */
export async function s3Call<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const code = (err as { code?: string }).code ?? (err as Error).name;
    throw new RetriableError(`S3 ${what} failed (${code})`, { cause: err });
  }
}

/** Writes a small in-memory body (the transcript) at its deterministic key: a retry overwrites it. */
export async function putBuffer(
  s3: Minio.Client,
  target: { bucket: string; key: string; fileName: string; contentType: string },
  body: Buffer,
): Promise<StoredObject> {
  await s3Call(`put of ${target.bucket}/${target.key}`, () =>
    s3.putObject(target.bucket, target.key, body, body.length, { "Content-Type": target.contentType }),
  );
  return { ...target, size: body.length, sha256: createHash("sha256").update(body).digest("hex") };
}

/**
 * The event's reference to a stored object. An artifact handed to people gets a presigned URL with an
 * explicit expiry; a working copy (`withUrl` false) gets none.
 */
export async function fileRef(
  s3: Minio.Client,
  o: StoredObject,
  fileType: FileRef["file_type"],
  opts: { withUrl: boolean; now: Date },
): Promise<FileRef> {
  const link = opts.withUrl ? await presign(s3, o.bucket, o.key, opts.now) : undefined;
  return {
    file_type: fileType,
    file_name: o.fileName,
    bucket: o.bucket,
    key: o.key,
    size: o.size,
    sha256: o.sha256,
    content_type: o.contentType,
    url: link?.url ?? null,
    url_expires_at: link?.expiresAt ?? null,
  };
}
