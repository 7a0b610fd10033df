import { describe, expect, it } from "vitest";
import { jobStream } from "./fixtures.ts";
import { InvalidEventError, normalize } from "./normalize.ts";

describe("normalize", () => {
  it("derives the same processing id for a conversation.ended published without one, every time", () => {
    const ev = jobStream({ processingId: "proc_01JC00000000000000000000F1" }).ended().event as never as {
      processing_id: string | null;
    };
    const outside = { ...(ev as object), processing_id: null, occurred_at: "2026-11-26T13:00:00+01:00" };
    const a = normalize("conversationEnded", outside as never);
    const b = normalize("conversationEnded", outside as never);
    expect(a.event.processing_id).toMatch(/^proc_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(a.event.processing_id).toBe(b.event.processing_id);
    expect(a.event.occurred_at).toBe("2026-11-26T12:00:00.000Z");
  });

  it("refuses events with a malformed processing id or instant", () => {
    const s = jobStream({ processingId: "proc_01JC00000000000000000000F2" });
    const step = s.step("extract", "started").event;
    expect(() => normalize("stepEvent", { ...step, processing_id: "proc_123" } as never)).toThrow(
      InvalidEventError,
    );
    expect(() => normalize("stepEvent", { ...step, occurred_at: "yesterday" } as never)).toThrow(/ISO-8601/);
  });
});
