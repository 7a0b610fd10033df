import { EventEmitter } from "node:events";
import { PassThrough } from "node:stream";
import { uploadStream } from "@postprocess/worker";
import type * as Minio from "minio";

/**
 * Decoded audio pushed into S3 as it is produced, one multipart part (8 MiB) in memory at a time
 * (`uploadStream`, shared with the storage worker). `write` waits while S3 is slower than the sender
 * (backpressure reaches the HTTP request) and rejects as soon as the upload failed (S3 error, or past
 * `maxBytes`: FileTooLargeError); nothing is stored until `end`.
 */
export class AudioUpload {
  readonly #input = new PassThrough();
  readonly #done: Promise<{ size: number; sha256: string }>;
  readonly #failed = new EventEmitter();
  #failure: unknown;

  constructor(client: Minio.Client, target: { bucket: string; key: string }, maxBytes: number) {
    this.#done = uploadStream(client, { ...target, contentType: "audio/mpeg" }, this.#input, { maxBytes });
    this.#done.catch((err: unknown) => {
      this.#failure = err;
      this.#failed.emit("failed");
    });
  }

  /** Queues `bytes`; resolves when the upload can take more. */
  async write(bytes: Buffer): Promise<void> {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#input.write(bytes)) return;
    // The upload failing destroys the input, which then never drains: wait for whichever comes first.
    await new Promise<void>((resolve, reject) => {
      const drained = () => {
        this.#failed.off("failed", failed);
        resolve();
      };
      const failed = () => {
        this.#input.off("drain", drained);
        reject(this.#failure);
      };
      this.#input.once("drain", drained);
      this.#failed.once("failed", failed);
    });
  }

  /** Ends the audio and waits until the object is stored: its size and sha256. */
  async end(): Promise<{ size: number; sha256: string }> {
    this.#input.end();
    return this.#done;
  }

  /** Gives up: the multipart upload is aborted, so no object appears. */
  async abort(): Promise<void> {
    this.#input.destroy(new Error("the webhook was refused"));
    await this.#done.catch(() => {});
  }
}
