import { describe, expect, expectTypeOf, it } from "vitest";
import { allTopics, type EventOf, topics } from "./catalog.ts";

describe("topic catalog", () => {
  it("has unique topic names and the status topic compacted", () => {
    const names = allTopics.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    expect(topics.processingStatus.layout.cleanupPolicy).toBe("compact");
    expect(allTopics.filter((t) => t.visibility === "public").map((t) => t.name)).toEqual([
      "conversation.ended",
      "processing.status",
    ]);
  });

  it("keys every event of one job by its processing id, so one job stays on one partition", () => {
    const envelope = {
      event_id: "e",
      occurred_at: "t",
      processing_id: "proc_X",
      conversation_id: "c",
      account_id: "a",
    };
    for (const t of allTopics) {
      if (t.name === "conversation.ended") continue;
      expect((t.key as (e: unknown) => string)({ ...envelope, status: "pending" }), t.name).toBe("proc_X");
    }
  });

  it("derives event types from the Avro schemas", () => {
    expectTypeOf<EventOf<"conversationEnded">["source"]["kind"]>().toEqualTypeOf<"elevenlabs" | "inline">();
    expectTypeOf<EventOf<"processingStatus">["status"]>().toEqualTypeOf<
      | "pending"
      | "extracting"
      | "storing"
      | "summarizing"
      | "generating_report"
      | "sending_email"
      | "completed"
      | "failed"
      | "cancelled"
      | "archived"
    >();
    expectTypeOf<EventOf<"summaryGenerated">["action_items"][number]["turns"]>().toEqualTypeOf<number[]>();
    expectTypeOf<EventOf<"stepEvent">["error"]>().toEqualTypeOf<{ code: string; message: string } | null>();
  });
});
