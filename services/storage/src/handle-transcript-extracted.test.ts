import { createHash } from "node:crypto";
import { buffer } from "node:stream/consumers";
import { test } from "@postprocess/testkit";
import { objectKey, presign, transcriptSchema } from "@postprocess/worker";
import type * as Minio from "minio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withWarning } from "./handle-transcript-extracted.ts";
import { fakeRecording, startAudioServer } from "./test-audio-server.ts";
import { extracted, startStorageHarness } from "./test-harness.ts";

const MiB = 1024 * 1024;
const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

let source: Awaited<ReturnType<typeof startAudioServer>>;
let h: Awaited<ReturnType<typeof startStorageHarness>>;

beforeAll(async () => {
  source = await startAudioServer();
  // The audio server stands for ElevenLabs too: URLs on its host get the key.
  h = await startStorageHarness({
    elevenLabsBaseUrl: source.base,
    elevenLabsApiKey: "xi-key",
    timeoutMs: 5000,
  });
});
afterAll(async () => {
  await h?.close();
  await source?.close();
});

async function objects(s3: Minio.Client, bucket: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for await (const o of s3.listObjectsV2(bucket, "", true)) {
    if (o.name) out.set(o.name, await buffer(await s3.getObject(bucket, o.name)));
  }
  return out;
}

/** Every file ref minus its link (a re-run signs a new one). */
const unsigned = (files: { url: string | null; url_expires_at: string | null }[]) =>
  files.map(({ url: _u, url_expires_at: _e, ...rest }) => rest);

describe("storage step through the Kafka runtime", () => {
  test("stores transcript JSON + text and streams the audio; hands on files with expiring links", async ({
    s3,
    bucket,
  }) => {
    const job = await h.job({ minio_bucket_name: bucket });
    const audio = fakeRecording(9 * MiB); // over one 8 MiB part: a real multipart upload
    const path = `/v1/convai/conversations/${job.conversation_id}/audio`;
    source.route(path, { body: audio, contentType: "audio/mpeg" });
    await h.publish(extracted(job, { audio_url: source.url(path) }));

    const [done] = await h.untilStep(job.processing_id, "completed");
    const [out] = await h.untilArtifacts(job.processing_id);
    expect(h.statuses(job.processing_id)).toEqual(["started", "completed"]);
    expect(done!.warning).toBeNull();
    expect(out!.warnings).toEqual([]);
    expect(source.hits(path).map((r) => r.headers["xi-api-key"])).toEqual(["xi-key"]);

    const stored = await objects(s3, bucket);
    const json = stored.get(objectKey(job, "transcript.json"))!;
    const transcript = transcriptSchema.parse(JSON.parse(json.toString("utf8")));
    expect(transcript).toMatchObject({
      conversation_id: job.conversation_id,
      agent_id: "agent_42",
      duration_secs: 41,
    });
    expect(transcript.turns.map((t) => t.index)).toEqual([0, 1]);
    expect(stored.get(objectKey(job, "transcript.txt"))!.toString("utf8")).toBe(
      "[0:00] Agent: Hi, how can I help?\n[0:03] User: I'd like a refund.\n",
    );
    expect(sha256(stored.get(objectKey(job, "audio.mp3"))!)).toBe(sha256(audio));
    expect([...stored.keys()].sort()).toEqual(
      ["audio.mp3", "transcript.json", "transcript.txt"].map((n) => objectKey(job, n)),
    );

    expect(out!.files.map((f) => [f.file_type, f.file_name, f.content_type])).toEqual([
      ["transcript", "transcript.json", "application/json"],
      ["transcript", "transcript.txt", "text/plain; charset=utf-8"],
      ["audio", "audio.mp3", "audio/mpeg"],
    ]);
    expect(out!.transcript).toEqual(out!.files[0]);
    for (const f of out!.files) {
      const body = stored.get(f.key)!;
      expect([f.bucket, f.size, f.sha256]).toEqual([bucket, body.length, sha256(body)]);
      // S3Proxy prints `text/plain;charset=utf-8`: the same media type without the space.
      const spaced = (t: string) => t.replace(/;\s*/g, "; ");
      expect(spaced((await s3.statObject(bucket, f.key)).metaData["content-type"])).toBe(f.content_type);
      // The link works, and it expires: 24 h after it was signed, as url_expires_at says.
      const link = new URL(f.url!);
      expect(link.searchParams.get("X-Amz-Expires")).toBe("86400");
      const signedAt = link.searchParams
        .get("X-Amz-Date")!
        .replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, "$1-$2-$3T$4:$5:$6Z");
      // X-Amz-Date has whole seconds; url_expires_at keeps the milliseconds of the same instant.
      const lifetime = Date.parse(f.url_expires_at!) - Date.parse(signedAt);
      expect(lifetime >= 86_400_000 && lifetime < 86_401_000).toBe(true);
      const res = await fetch(f.url!);
      expect([res.status, sha256(Buffer.from(await res.arrayBuffer()))]).toEqual([200, f.sha256]);
    }
    // A link signed more than its lifetime ago is refused by S3.
    const old = await presign(s3, bucket, out!.files[0]!.key, new Date(Date.now() - 25 * 3600_000));
    expect((await fetch(old.url)).status).toBe(403);
  });

  test("skips a recording over max_file_size_mb with FILE_TOO_LARGE and leaves no audio object", async ({
    s3,
    bucket,
  }) => {
    // Found while copying: chunked, no Content-Length, one 8 MiB part already uploaded when the limit hits.
    const streamed = await h.job({ minio_bucket_name: bucket, max_file_size_mb: 10 });
    source.route("/chunked.mp3", { body: fakeRecording(12 * MiB), chunked: true });
    await h.publish(extracted(streamed, { audio_url: source.url("/chunked.mp3") }));
    // Announced by Content-Length; an object an earlier attempt left at the key goes too.
    const announced = await h.job({ minio_bucket_name: bucket, max_file_size_mb: 1 });
    await s3.putObject(bucket, objectKey(announced, "audio.mp3"), Buffer.from("stale"));
    source.route("/announced.mp3", { body: fakeRecording(3 * MiB) });
    await h.publish(extracted(announced, { audio_url: source.url("/announced.mp3") }));

    for (const job of [streamed, announced]) {
      const [done] = await h.untilStep(job.processing_id, "completed");
      const [out] = await h.untilArtifacts(job.processing_id);
      expect(done!.warning).toMatchObject({ code: "FILE_TOO_LARGE" });
      expect(out!.warnings).toEqual([done!.warning]);
      expect(out!.files.map((f) => f.file_name)).toEqual(["transcript.json", "transcript.txt"]);
    }
    const [streamedDone] = h.steps(streamed.processing_id).filter((s) => s.status === "completed");
    expect(streamedDone!.warning!.message).toContain("while being copied");
    expect([...(await objects(s3, bucket)).keys()].filter((k) => k.includes("audio"))).toEqual([]);
  });

  test("no recording: NO_AUDIO added to the warnings the job already had", async ({ bucket }) => {
    const job = await h.job({ minio_bucket_name: bucket });
    const earlier = { code: "TRANSCRIPT_TRUNCATED", message: "from upstream" };
    await h.publish(extracted(job, { audio_url: null, warnings: [earlier] }));
    const [done] = await h.untilStep(job.processing_id, "completed");
    const [out] = await h.untilArtifacts(job.processing_id);
    expect(done!.warning).toEqual({ code: "NO_AUDIO", message: "the conversation has no recording" });
    expect(out!.warnings).toEqual([earlier, done!.warning]);
    expect(out!.files).toHaveLength(2);
  });

  test("transcript storage off: only a working copy (unlisted, no link), still handed on", async ({
    s3,
    bucket,
  }) => {
    const job = await h.job({ minio_bucket_name: bucket, enable_transcript_storage: false });
    source.route(`/${job.processing_id}.wav`, { body: fakeRecording(1000), contentType: "audio/wav" });
    await h.publish(extracted(job, { audio_url: source.url(`/${job.processing_id}.wav`) }));
    await h.untilStep(job.processing_id, "completed");
    const [out] = await h.untilArtifacts(job.processing_id);
    expect(out!.files.map((f) => f.file_name)).toEqual(["audio.wav"]);
    expect(out!.transcript).toMatchObject({
      file_type: "transcript",
      content_type: "application/json",
      key: objectKey(job, "work/transcript.json"),
      url: null,
      url_expires_at: null,
    });
    const stored = await objects(s3, bucket);
    expect([...stored.keys()].sort()).toEqual([
      objectKey(job, "audio.wav"),
      objectKey(job, "work/transcript.json"),
    ]);
    expect(sha256(stored.get(out!.transcript!.key)!)).toBe(out!.transcript!.sha256);
  });

  test("audio storage off → AUDIO_STORAGE_DISABLED; a vanished recording (404) → AUDIO_UNAVAILABLE", async ({
    bucket,
  }) => {
    const off = await h.job({ minio_bucket_name: bucket, enable_audio_storage: false });
    await h.publish(extracted(off, { audio_url: source.url("/never-fetched.mp3") }));
    const gone = await h.job({ minio_bucket_name: bucket });
    await h.publish(extracted(gone, { audio_url: source.url("/deleted.mp3") }));

    const [offDone] = await h.untilStep(off.processing_id, "completed");
    const [goneDone] = await h.untilStep(gone.processing_id, "completed");
    expect(offDone!.warning).toMatchObject({ code: "AUDIO_STORAGE_DISABLED" });
    expect(goneDone!.warning).toMatchObject({ code: "AUDIO_UNAVAILABLE" });
    expect(source.hits("/never-fetched.mp3")).toEqual([]);
    expect((await h.untilArtifacts(gone.processing_id))[0]!.files).toHaveLength(2);
  });

  test("a redelivered event overwrites the same objects: nothing duplicated, same hand-off id", async ({
    s3,
    bucket,
  }) => {
    const job = await h.job({ minio_bucket_name: bucket });
    source.route(`/${job.processing_id}.mp3`, { body: fakeRecording(200_000) });
    const event = extracted(job, { audio_url: source.url(`/${job.processing_id}.mp3`) });
    await h.publish(event);
    await h.untilArtifacts(job.processing_id);
    const first = await objects(s3, bucket);
    await h.publish(event);
    const [a, b] = await h.untilArtifacts(job.processing_id, 2);
    await h.untilStep(job.processing_id, "completed", 2);

    const second = await objects(s3, bucket);
    expect(second.size).toBe(3);
    expect([...second.keys()].sort()).toEqual([...first.keys()].sort());
    for (const [key, body] of second) expect(sha256(body)).toBe(sha256(first.get(key)!));
    expect(b!.event_id).toBe(a!.event_id);
    expect(unsigned(b!.files)).toEqual(unsigned(a!.files));
  });

  test("a job cancelled while the transcript is written stops before the audio: only the cancellation", async ({
    s3,
    bucket,
  }) => {
    const job = await h.job({ minio_bucket_name: bucket });
    const path = `/${job.processing_id}.mp3`;
    source.route(path, { body: fakeRecording(1000) });
    h.afterStepStarts(job.processing_id, () => h.cancel(job.processing_id));
    await h.publish(extracted(job, { audio_url: source.url(path) }));

    await h.untilStep(job.processing_id, "cancelled");
    await h.settled();
    expect(h.statuses(job.processing_id)).toEqual(["started", "cancelled"]);
    expect(h.artifacts(job.processing_id)).toEqual([]);
    expect(source.hits(path)).toEqual([]);
    expect([...(await objects(s3, bucket)).keys()].some((k) => k.includes("audio"))).toBe(false);
  });

  test("a source answering 500 then 200: the step is retried, then completes", async ({ bucket }) => {
    const job = await h.job({ minio_bucket_name: bucket });
    const path = `/${job.processing_id}.mp3`;
    const audio = fakeRecording(50_000);
    source.route(path, { status: 500 }, { body: audio });
    await h.publish(extracted(job, { audio_url: source.url(path) }));

    await h.untilStep(job.processing_id, "completed");
    const [out] = await h.untilArtifacts(job.processing_id);
    const statuses = h.statuses(job.processing_id);
    expect(statuses).toContain("retried");
    expect(statuses.at(-1)).toBe("completed");
    expect(h.steps(job.processing_id).find((s) => s.status === "retried")!.error).toMatchObject({
      code: "STORAGE_FAILED",
      message: expect.stringContaining("answered 500"),
    });
    expect(source.hits(path)).toHaveLength(2);
    expect(out!.files.find((f) => f.file_type === "audio")!.sha256).toBe(sha256(audio));
  });
});

describe("withWarning", () => {
  it("appends the step's warning once, keeping the inherited ones", () => {
    const noAudio = { code: "NO_AUDIO", message: "none" };
    const other = { code: "X", message: "y" };
    expect(withWarning([other], noAudio)).toEqual([other, noAudio]);
    expect(withWarning([noAudio], { ...noAudio, message: "again" })).toEqual([noAudio]);
    expect(withWarning([other], undefined)).toEqual([other]);
  });
});
