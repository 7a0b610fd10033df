import * as Minio from "minio";
import type { StackEnv } from "./stack-env.ts";
import { uniqueName } from "./unique.ts";

/** A minio client on the stack's S3 server. */
export function s3Client(env: StackEnv): Minio.Client {
  const url = new URL(env.S3_ENDPOINT);
  return new Minio.Client({
    endPoint: url.hostname,
    port: Number(url.port),
    useSSL: url.protocol === "https:",
    accessKey: env.S3_ACCESS_KEY,
    secretKey: env.S3_SECRET_KEY,
    region: env.S3_REGION,
    pathStyle: true,
  });
}

/** Creates a fresh bucket; the returned function empties and removes it. */
export async function createBucket(
  client: Minio.Client,
): Promise<{ bucket: string; remove(): Promise<void> }> {
  const bucket = uniqueName("b").toLowerCase();
  await client.makeBucket(bucket);
  return {
    bucket,
    async remove() {
      const names: string[] = [];
      for await (const o of client.listObjectsV2(bucket, "", true)) if (o.name) names.push(o.name);
      if (names.length) await client.removeObjects(bucket, names);
      await client.removeBucket(bucket);
    },
  };
}
