import { test } from "@postprocess/testkit";
import type * as Minio from "minio";
import { expect } from "vitest";
import { ensureBucket } from "./s3.ts";

test("ensureBucket creates a missing bucket once, then trusts it for a while (no S3 call per write)", async ({
  s3,
  bucket,
}) => {
  const fresh = `${bucket}-ensure`;
  let checks = 0;
  // The real client, counting its existence checks.
  const counted = Object.create(s3, {
    bucketExists: {
      value: (name: string) => {
        checks++;
        return s3.bucketExists(name);
      },
    },
  }) as Minio.Client;
  try {
    expect(await s3.bucketExists(fresh)).toBe(false);
    await ensureBucket(counted, fresh, "");
    expect(await s3.bucketExists(fresh)).toBe(true);
    await ensureBucket(counted, fresh, "");
    await ensureBucket(counted, fresh, "");
    expect(checks).toBe(1);
  } finally {
    await s3.removeBucket(fresh).catch(() => {});
  }
});
