import { createHash, randomBytes } from "node:crypto";
import { buffer } from "node:stream/consumers";
import { test } from "@postprocess/testkit";
import { objectKey, s3Url, webhookAudioKey } from "@postprocess/worker";
import type * as Minio from "minio";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { extracted, startStorageHarness } from "./test-harness.ts";

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

let h: Awaited<ReturnType<typeof startStorageHarness>>;

beforeAll(async () => {
  // Three attempts about a second apart: room for a test to deliver the audio between two of them.
  h = await startStorageHarness(
    { elevenLabsBaseUrl: "http://127.0.0.1:9", elevenLabsApiKey: undefined, timeoutMs: 5000 },
    { retry: { attempts: 2, baseMs: 20, maxMs: 1500, retryTopicAttempts: 1 }, webhookAudioRetryMs: 1000 },
  );
});
afterAll(async () => {
  await h?.close();
});

async function keys(s3: Minio.Client, bucket: string): Promise<string[]> {
  const out: string[] = [];
  for await (const o of s3.listObjectsV2(bucket, "", true)) if (o.name) out.push(o.name);
  return out.sort();
}

/** Puts webhook audio where the gateway leaves it for this job's conversation; returns its bytes. */
async function deliverWebhookAudio(
  s3: Minio.Client,
  bucket: string,
  job: { account_id: string; conversation_id: string },
): Promise<Buffer> {
  const bytes = randomBytes(300_000);
  await s3.putObject(bucket, webhookAudioKey(job.account_id, job.conversation_id), bytes, bytes.length, {
    "Content-Type": "audio/mpeg",
  });
  return bytes;
}

describe("webhook audio (s3:// in our own storage)", () => {
  test("audio that arrived before the transcript is copied to the job's audio artifact", async ({
    s3,
    bucket,
  }) => {
    const job = await h.job({ minio_bucket_name: bucket });
    const bytes = await deliverWebhookAudio(s3, bucket, job);
    const url = s3Url(bucket, webhookAudioKey(job.account_id, job.conversation_id));
    await h.publish(extracted(job, { audio_url: url }));

    const [done] = await h.untilStep(job.processing_id, "completed");
    const [out] = await h.untilArtifacts(job.processing_id);
    expect(h.statuses(job.processing_id)).toEqual(["started", "completed"]);
    expect(done!.warning).toBeNull();
    const audio = out!.files.find((f) => f.file_type === "audio")!;
    expect(audio).toMatchObject({
      bucket,
      key: objectKey(job, "audio.mp3"),
      size: bytes.length,
      sha256: sha256(bytes),
      content_type: "audio/mpeg",
    });
    expect(sha256(await buffer(await s3.getObject(bucket, audio.key)))).toBe(sha256(bytes));
  });

  test("audio that arrives after the transcript is waited for through the step's retries", async ({
    s3,
    bucket,
  }) => {
    const job = await h.job({ minio_bucket_name: bucket });
    const url = s3Url(bucket, webhookAudioKey(job.account_id, job.conversation_id));
    await h.publish(extracted(job, { audio_url: url }));

    const [retried] = await h.untilStep(job.processing_id, "retried");
    expect(retried!.error!.message).toContain("has not arrived yet");
    const bytes = await deliverWebhookAudio(s3, bucket, job);

    const [done] = await h.untilStep(job.processing_id, "completed");
    const [out] = await h.untilArtifacts(job.processing_id);
    expect(done!.warning).toBeNull();
    const audio = out!.files.find((f) => f.file_type === "audio")!;
    expect([audio.size, audio.sha256]).toEqual([bytes.length, sha256(bytes)]);
  });

  test("audio that never arrives: the job completes without it, warning AUDIO_NOT_RECEIVED", async ({
    s3,
    bucket,
  }) => {
    const job = await h.job({ minio_bucket_name: bucket });
    const url = s3Url(bucket, webhookAudioKey(job.account_id, job.conversation_id));
    await h.publish(extracted(job, { audio_url: url }));

    const [done] = await h.untilStep(job.processing_id, "completed");
    const [out] = await h.untilArtifacts(job.processing_id);
    // Every attempt but the last looked and asked to be retried; the last gave up without failing the job.
    expect(h.statuses(job.processing_id).filter((s) => s === "retried")).toHaveLength(2);
    expect(h.statuses(job.processing_id)).not.toContain("failed");
    expect(done!.warning).toMatchObject({ code: "AUDIO_NOT_RECEIVED" });
    expect(out!.warnings).toEqual([done!.warning]);
    expect(out!.files.map((f) => f.file_type)).toEqual(["transcript", "transcript"]);
    expect((await keys(s3, bucket)).filter((k) => k.includes("audio"))).toEqual([]);
  });

  test("another account's object, or a bucket that is not ours, is refused (AUDIO_UNAVAILABLE)", async ({
    s3,
    bucket,
  }) => {
    const victim = await h.job({ minio_bucket_name: bucket });
    await deliverWebhookAudio(s3, bucket, victim);
    const [a, b, c] = [
      await h.job({ minio_bucket_name: bucket }),
      await h.job({ minio_bucket_name: bucket }),
      await h.job({ minio_bucket_name: bucket }),
    ];
    const victimsKey = webhookAudioKey(victim.account_id, victim.conversation_id);
    const jobs = [a!, b!, c!];
    await h.publish(extracted(a!, { audio_url: s3Url(bucket, victimsKey) }));
    // A key that starts with the job's own account but climbs out of it.
    await h.publish(extracted(b!, { audio_url: s3Url(bucket, `${b!.account_id}/../${victimsKey}`) }));
    const own = webhookAudioKey(c!.account_id, c!.conversation_id);
    await h.publish(extracted(c!, { audio_url: s3Url("someone-elses-bucket", own) }));

    for (const job of jobs) {
      const [done] = await h.untilStep(job.processing_id, "completed");
      const [out] = await h.untilArtifacts(job.processing_id);
      expect(done!.warning).toMatchObject({ code: "AUDIO_UNAVAILABLE" });
      expect(done!.warning!.message).toContain("refused");
      expect(out!.files.some((f) => f.file_type === "audio")).toBe(false);
      // Refused at once: not retried as if the audio might still come.
      expect(h.statuses(job.processing_id)).toEqual(["started", "completed"]);
    }
    expect((await keys(s3, bucket)).filter((k) => k.endsWith("/audio.mp3"))).toEqual([victimsKey]);
  });
});
