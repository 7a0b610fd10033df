import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { test } from "@postprocess/testkit";
import type * as Minio from "minio";
import { describe, expect } from "vitest";
import { FileTooLargeError, Meter, SourceIdleError, uploadStream } from "./stream-upload.ts";

const MiB = 1024 * 1024;
const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
// Random, so a wrong offset or a lost part changes the sha256.
const fakeRecording = (bytes: number) => randomBytes(bytes);

/** `data` as a stream of 64 KiB chunks; `failAt` makes it error after that many bytes instead of ending. */
function chunks(data: Buffer, failAt?: number): Readable {
  let at = 0;
  return new Readable({
    read() {
      if (failAt !== undefined && at >= failAt) return this.destroy(new Error("connection reset"));
      if (at >= data.length) return void this.push(null);
      this.push(data.subarray(at, at + 65_536));
      at += 65_536;
    },
  });
}

async function names(s3: Minio.Client, bucket: string): Promise<string[]> {
  const out: string[] = [];
  for await (const o of s3.listObjectsV2(bucket, "", true)) if (o.name) out.push(o.name);
  return out;
}

describe("uploadStream", () => {
  test("copies a multi-part stream byte for byte, with its sha256, size and content type", async ({
    s3,
    bucket,
  }) => {
    const data = fakeRecording(11 * MiB + 123);
    const target = { bucket, key: "a/audio.mp3", contentType: "audio/mpeg" };
    const out = await uploadStream(s3, target, chunks(data), { maxBytes: 20 * MiB, partSize: 5 * MiB });
    expect(out).toEqual({ size: data.length, sha256: sha256(data) });
    const stored = await buffer(await s3.getObject(bucket, "a/audio.mp3"));
    expect(sha256(stored)).toBe(sha256(data));
    expect((await s3.statObject(bucket, "a/audio.mp3")).metaData["content-type"]).toBe("audio/mpeg");
  });

  test("stores a source smaller than one part (or empty) with one PUT", async ({ s3, bucket }) => {
    const small = Buffer.from("tiny");
    const target = { bucket, key: "small.wav", contentType: "audio/wav" };
    expect(await uploadStream(s3, target, chunks(small), { maxBytes: MiB })).toEqual({
      size: 4,
      sha256: sha256(small),
    });
    const empty = { bucket, key: "empty.mp3", contentType: "audio/mpeg" };
    expect((await uploadStream(s3, empty, chunks(Buffer.alloc(0)), { maxBytes: MiB })).size).toBe(0);
    expect((await names(s3, bucket)).sort()).toEqual(["empty.mp3", "small.wav"]);
  });

  test("cuts a source off past the limit, after parts went up, leaving no object", async ({ s3, bucket }) => {
    const data = fakeRecording(12 * MiB);
    const target = { bucket, key: "big.mp3", contentType: "audio/mpeg" };
    await expect(
      uploadStream(s3, target, chunks(data), { maxBytes: 7 * MiB, partSize: 5 * MiB }),
    ).rejects.toBeInstanceOf(FileTooLargeError);
    expect(await names(s3, bucket)).toEqual([]);
  });

  test("rejects (and leaves no object) when the source fails mid-stream or falls silent", async ({
    s3,
    bucket,
  }) => {
    const target = { bucket, key: "broken.mp3", contentType: "audio/mpeg" };
    await expect(
      uploadStream(s3, target, chunks(fakeRecording(8 * MiB), 6 * MiB), {
        maxBytes: 20 * MiB,
        partSize: 5 * MiB,
      }),
    ).rejects.toThrow("connection reset");
    const silent = new Readable({ read() {} });
    silent.push(Buffer.from("first bytes, then nothing"));
    await expect(
      uploadStream(s3, target, silent, { maxBytes: MiB, sourceIdleMs: 150 }),
    ).rejects.toBeInstanceOf(SourceIdleError);
    expect(await names(s3, bucket)).toEqual([]);
  });
});

describe("Meter", () => {
  test("hashes and counts what passes, and errors past its limit", async () => {
    const data = Buffer.from("0123456789");
    const meter = new Meter(10);
    expect(await buffer(chunks(data).pipe(meter))).toEqual(data);
    expect([meter.bytes, meter.digest()]).toEqual([10, sha256(data)]);
    const strict = new Meter(9);
    await expect(buffer(chunks(data).pipe(strict))).rejects.toBeInstanceOf(FileTooLargeError);
  });
});
