import { describe, expect } from "vitest";
import { json, test } from "../test-gateway.ts";

const hoursAgo = (n: number) => new Date(Date.now() - n * 3_600_000);

describe("GET /api/v1/postprocess/failed", () => {
  test("lists the account's failed jobs of the window, newest first", async ({ gw }) => {
    const recent = await gw.insertJob({
      conversationId: "conv_1",
      status: "failed",
      createdAt: hoursAgo(1),
      startedAt: hoursAgo(1),
      errorCode: "TIMEOUT",
      errorMessage: "summarizer timed out",
    });
    const older = await gw.insertJob({
      conversationId: "conv_2",
      status: "failed",
      createdAt: hoursAgo(20),
      errorMessage: "boom",
    });
    await gw.insertJob({ conversationId: "conv_3", status: "failed", createdAt: hoursAgo(30) });
    await gw.insertJob({ conversationId: "conv_4", status: "completed", createdAt: hoursAgo(2) });
    await gw.insertJob({
      conversationId: "conv_5",
      status: "failed",
      createdAt: hoursAgo(1),
      accountId: "acc_b",
    });

    const res = await gw.request("/api/v1/postprocess/failed");
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.hours).toBe(24);
    expect(body.jobs).toEqual([
      {
        processing_id: recent,
        conversation_id: "conv_1",
        error_code: "TIMEOUT",
        error_message: "summarizer timed out",
        created_at: expect.any(String),
        processing_started_at: expect.any(String),
      },
      {
        processing_id: older,
        conversation_id: "conv_2",
        error_code: null,
        error_message: "boom",
        created_at: expect.any(String),
        processing_started_at: null,
      },
    ]);

    const narrow = await json(await gw.request("/api/v1/postprocess/failed?hours=2"));
    expect(narrow.jobs.map((j: { processing_id: string }) => j.processing_id)).toEqual([recent]);
    const wide = await json(await gw.request("/api/v1/postprocess/failed?hours=168"));
    expect(wide.jobs).toHaveLength(3);
  });

  test("hours must be 1..168", async ({ gw }) => {
    for (const hours of ["0", "169", "x"]) {
      const res = await gw.request(`/api/v1/postprocess/failed?hours=${hours}`);
      expect(res.status, hours).toBe(400);
      const { error } = await json(res);
      expect(error).toMatchObject({ code: "INVALID_QUERY", details: [{ path: "hours" }] });
    }
  });
});
