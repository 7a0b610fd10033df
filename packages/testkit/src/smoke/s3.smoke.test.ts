import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { expect } from "vitest";
import { test } from "../fixtures.ts";

/** 20 MB of deterministic bytes, generated chunk by chunk so the test never holds them all. */
function bytes(total: number, chunk = 1 << 20): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) return this.push(null);
      const n = Math.min(chunk, total - sent);
      const buf = Buffer.alloc(n, sent % 251);
      sent += n;
      this.push(buf);
    },
  });
}

test("minio streams a 20 MB object, stats it and serves it through an expiring presigned URL", async ({
  s3,
  bucket,
}) => {
  const size = 20 * 1024 * 1024;
  const sha = createHash("sha256");
  const source = bytes(size);
  source.on("data", (c: Buffer) => sha.update(c));
  await s3.putObject(bucket, "big.bin", source, size, { "Content-Type": "application/octet-stream" });
  const digest = sha.digest("hex");

  const stat = await s3.statObject(bucket, "big.bin");
  expect(stat.size).toBe(size);
  expect(stat.etag).toMatch(/^[0-9a-f-]+$/);

  const url = await s3.presignedGetObject(bucket, "big.bin", 60);
  const res = await fetch(url);
  expect(res.status).toBe(200);
  const body = Buffer.from(await res.arrayBuffer());
  expect(createHash("sha256").update(body).digest("hex")).toBe(digest);

  const shortLived = await s3.presignedGetObject(bucket, "big.bin", 1);
  await sleep(2100);
  const expired = await fetch(shortLived);
  expect(expired.status).toBe(403);
  await expired.body?.cancel();
});
