import { describe, expect } from "vitest";
import { json, test } from "../test-gateway.ts";

const status = (id: string) => `/api/v1/postprocess/status/${id}`;

describe("GET /api/v1/postprocess/status/:processing_id", () => {
  test("shows a projected job: the design document's fields, error and warnings", async ({ gw }) => {
    const started = new Date("2026-11-26T10:00:00.000Z");
    const completed = new Date("2026-11-26T10:01:30.500Z");
    const id = await gw.insertJob({
      conversationId: "conv_1",
      status: "completed",
      progress: 100,
      startedAt: started,
      completedAt: completed,
      extra: {
        current_step: "email",
        total_duration: "90.5 seconds",
        minio_transcript_url: "https://s3/t.json",
        minio_audio_url: "https://s3/a.mp3",
        minio_report_url: "https://s3/r.pdf",
        summary_topic: "Late order",
        summary_sentiment: "negative",
        warnings: JSON.stringify([{ code: "NO_AUDIO", message: "no recording" }]),
      },
    });
    const res = await gw.request(status(id));
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      processing_id: id,
      conversation_id: "conv_1",
      status: "completed",
      progress: 100,
      current_step: "email",
      processing_started_at: started.toISOString(),
      processing_completed_at: completed.toISOString(),
      total_duration: 90.5,
      minio_transcript_url: "https://s3/t.json",
      minio_audio_url: "https://s3/a.mp3",
      minio_report_url: "https://s3/r.pdf",
      summary_topic: "Late order",
      summary_sentiment: "negative",
      error: null,
      warnings: [{ code: "NO_AUDIO", message: "no recording" }],
      // Inserted without a snapshot (as for a job an outside system published without one).
      settings: null,
    });
  });

  test("shows a failed job's error", async ({ gw }) => {
    const id = await gw.insertJob({
      conversationId: "conv_1",
      status: "failed",
      errorCode: "ELEVENLABS_NOT_FOUND",
      errorMessage: "conversation not found",
    });
    const body = await json(await gw.request(status(id)));
    expect(body).toMatchObject({
      status: "failed",
      error: { code: "ELEVENLABS_NOT_FOUND", message: "conversation not found" },
    });
  });

  test("another account's job is a 404, exactly like an unknown one", async ({ gw }) => {
    const id = await gw.insertJob({ conversationId: "conv_1", accountId: "acc_b" });
    const theirs = await gw.request(status(id));
    const unknown = await gw.request(status("proc_01JDX0000000000000000000AB"));
    for (const res of [theirs, unknown]) {
      expect(res.status).toBe(404);
      expect((await json(res)).error).toMatchObject({
        code: "NOT_FOUND",
        requestId: res.headers.get("x-request-id"),
      });
    }
    expect((await gw.request(status(id), { account: "acc_b" })).status).toBe(200);
  });

  test("another account's unprojected submission is a 404 too", async ({ gw }) => {
    const res = await gw.post(
      "/api/v1/postprocess/conversation",
      { conversation_id: "c", email_id: "a@b.io", source: { kind: "elevenlabs" } },
      { account: "acc_b" },
    );
    const { processing_id } = await json(res);
    expect((await gw.request(status(processing_id))).status).toBe(404);
  });

  test("a malformed id is a 400", async ({ gw }) => {
    for (const id of [
      "proc_123456789",
      "proc_01JDX0000000000000000000Ab",
      "job_01JDX0000000000000000000AB",
      "%00",
    ]) {
      const res = await gw.request(status(id));
      expect(res.status, id).toBe(400);
      expect((await json(res)).error).toMatchObject({
        code: "INVALID_ID",
        requestId: res.headers.get("x-request-id"),
      });
    }
  });
});
