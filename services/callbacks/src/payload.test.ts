import { describe, expect, it } from "vitest";
import { buildCallbackPayload } from "./payload.ts";
import { statusEvent } from "./testing/status-event.ts";

describe("buildCallbackPayload", () => {
  it("a completed job: its summary fields, the status link and the presigned file links", () => {
    const e = statusEvent();
    expect(buildCallbackPayload(e, "https://pp.example.com/")).toEqual({
      type: "job.completed",
      timestamp: e.completed_at,
      data: {
        processing_id: e.processing_id,
        conversation_id: "conv_1",
        status: "completed",
        summary: e.summary,
        topic: "Late order",
        sentiment: "negative",
        key_points: e.key_points,
        action_items: e.action_items,
        warnings: e.warnings,
        error: null,
        created_at: e.created_at,
        completed_at: e.completed_at,
        total_duration_ms: 42_000,
        version: 7,
        links: {
          status: `https://pp.example.com/api/v1/postprocess/status/${e.processing_id}`,
          report: e.artifacts[0]?.url,
          transcript: e.artifacts[1]?.url,
          audio: null,
        },
        // The earlier of the two links' expiries.
        links_expire_at: e.artifacts[1]?.url_expires_at,
      },
    });
  });

  it("a failed job carries its error; files without a URL are not linked", () => {
    const e = statusEvent({
      status: "failed",
      error: { code: "ELEVENLABS_NOT_FOUND", message: "no such conversation" },
      summary: null,
      topic: null,
      sentiment: null,
      completed_at: null,
      artifacts: [{ ...statusEvent().artifacts[0]!, url: null, url_expires_at: null }],
      updated_at: "2026-11-26T10:05:00.000Z",
    });
    const p = buildCallbackPayload(e, "https://pp.example.com");
    expect(p).toMatchObject({
      type: "job.failed",
      timestamp: "2026-11-26T10:05:00.000Z",
      data: {
        status: "failed",
        error: { code: "ELEVENLABS_NOT_FOUND", message: "no such conversation" },
        summary: null,
        links: { report: null, transcript: null, audio: null },
        links_expire_at: null,
      },
    });
  });

  it("no callback for any other status", () => {
    for (const status of ["pending", "summarizing", "sending_email", "cancelled", "archived"] as const) {
      expect(buildCallbackPayload(statusEvent({ status }), "https://pp.example.com"), status).toBeUndefined();
    }
  });
});
