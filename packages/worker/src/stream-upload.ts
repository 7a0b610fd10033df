import { createHash } from "node:crypto";
import { type Readable, Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import type * as Minio from "minio";

/** The stream grew past the limit while being copied; nothing was kept in S3. */
export class FileTooLargeError extends Error {
  override name = "FileTooLargeError";
  readonly limitBytes: number;
  constructor(limitBytes: number) {
    super(`the stream exceeded ${limitBytes} bytes`);
    this.limitBytes = limitBytes;
  }
}

/** The source sent nothing for too long (S3 time does not count); the copy was abandoned. */
export class SourceIdleError extends Error {
  override name = "SourceIdleError";
}

/** An S3 call failed (as opposed to the source): the caller decides whether to retry. */
export class S3UploadError extends Error {
  override name = "S3UploadError";
}

/**
 * S3's smallest multipart part (except the last). The copy holds one part in memory, so this is what the
 * copy costs in RAM whatever the file's size; bigger parts would only save requests.
 */
export const partSizeBytes = 8 * 1024 * 1024;

/**
 * A pass-through that hashes (sha256) and counts what flows through it and fails the stream the moment it
 * passes `maxBytes`, so an oversized source is cut off instead of copied to the end.
 */
export class Meter extends Transform {
  bytes = 0;
  readonly #hash = createHash("sha256");
  readonly #maxBytes: number;

  constructor(maxBytes: number) {
    super();
    this.#maxBytes = maxBytes;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.#maxBytes) {
      done(new FileTooLargeError(this.#maxBytes));
      return;
    }
    this.#hash.update(chunk);
    done(null, chunk);
  }

  /** Hex sha256 of everything that passed (call once, at the end). */
  digest(): string {
    return this.#hash.digest("hex");
  }
}

/**
 * Copies `source` into `bucket/key` with bounded memory: parts of `partSize` bytes go up one at a time
 * (S3 multipart upload), the source waiting — backpressure — while a part uploads; a source no larger than
 * one part is a single PUT. Sha256 and size are computed on the way through. On any failure (source error,
 * over the limit, S3 error, abort) the multipart upload is aborted, so no object is created.
 *
 * Why not `client.putObject(bucket, key, stream)`: minio buffers whole parts of at least 64 MiB (and,
 * without a known size, parts sized for a 5 TiB object, i.e. the whole file), resumes uploads through
 * ListMultipartUploads, which S3Proxy does not implement, and never settles when its source stream errors.
 */
export async function uploadStream(
  client: Minio.Client,
  target: { bucket: string; key: string; contentType: string },
  source: Readable,
  opts: {
    maxBytes: number;
    partSize?: number;
    signal?: AbortSignal;
    /** Give up (SourceIdleError) when the source sends nothing this long; time spent in S3 is not counted. */
    sourceIdleMs?: number;
  },
): Promise<{ size: number; sha256: string }> {
  const { bucket, key } = target;
  const headers = { "Content-Type": target.contentType };
  const partSize = opts.partSize ?? partSizeBytes;
  const meter = new Meter(opts.maxBytes);
  // Grown on demand up to partSize: most recordings are far smaller than a part, and an 8 MiB buffer per
  // upload made the storage service spend more CPU collecting garbage than copying (pipeline benchmark).
  let part = Buffer.allocUnsafe(Math.min(partSize, 64 * 1024));
  let filled = 0;
  const room = (wanted: number) => {
    if (part.length >= Math.min(partSize, filled + wanted)) return;
    const grown = Buffer.allocUnsafe(Math.min(partSize, Math.max(part.length * 2, filled + wanted)));
    part.copy(grown, 0, 0, filled);
    part = grown;
  };
  let uploadId: string | undefined;
  const etags: { part: number; etag: string }[] = [];

  const s3 = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (err) {
      const code = (err as { code?: string }).code ?? (err as Error).name;
      throw new S3UploadError(`S3 ${what} of ${bucket}/${key} failed (${code})`, { cause: err });
    }
  };
  const flushPart = async (bytes: Buffer) => {
    uploadId ??= await s3("initiate multipart upload", () =>
      client.initiateNewMultipartUpload(bucket, key, headers),
    );
    const id = uploadId;
    const n = etags.length + 1;
    const done = await s3(`upload of part ${n}`, () =>
      client.uploadPart(
        { bucketName: bucket, objectName: key, uploadID: id, partNumber: n, headers: {} },
        bytes,
      ),
    );
    etags.push({ part: n, etag: done.etag });
  };

  // Armed only while the copy waits for the source, so a slow part upload is not blamed on it.
  let idle: NodeJS.Timeout | undefined;
  const waitForSource = () => {
    if (opts.sourceIdleMs === undefined) return;
    const ms = opts.sourceIdleMs;
    idle = setTimeout(() => source.destroy(new SourceIdleError(`the source sent nothing for ${ms} ms`)), ms);
  };

  try {
    await pipeline(
      source,
      meter,
      async (chunks: AsyncIterable<Buffer>) => {
        waitForSource();
        for await (const chunk of chunks) {
          clearTimeout(idle);
          let offset = 0;
          while (offset < chunk.length) {
            room(chunk.length - offset);
            const copied = chunk.copy(part, filled, offset);
            filled += copied;
            offset += copied;
            // Only a full part goes up here, so every part but the last is exactly partSize.
            if (filled === partSize) {
              await flushPart(part);
              filled = 0;
            }
          }
          waitForSource();
        }
        clearTimeout(idle);
      },
      { signal: opts.signal },
    );
    if (uploadId === undefined) {
      await s3("put", () => client.putObject(bucket, key, part.subarray(0, filled), filled, headers));
    } else {
      if (filled > 0) await flushPart(part.subarray(0, filled));
      const id = uploadId;
      await s3("complete multipart upload", () => client.completeMultipartUpload(bucket, key, id, etags));
    }
  } catch (err) {
    clearTimeout(idle);
    if (uploadId !== undefined) {
      const id = uploadId;
      await client.abortMultipartUpload(bucket, key, id).catch(() => {});
    }
    throw err;
  }
  return { size: meter.bytes, sha256: meter.digest() };
}
