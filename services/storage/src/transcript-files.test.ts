import type { EventOf } from "@postprocess/contracts";
import { StepError, transcriptSchema } from "@postprocess/worker";
import { describe, expect, it } from "vitest";
import { buildTranscript, transcriptBodies } from "./transcript-files.ts";

const event: EventOf<"transcriptExtracted"> = {
  event_id: "evt_1",
  occurred_at: "2026-11-26T12:00:00.000Z",
  processing_id: "proc_01JC00000000000000000000W1",
  conversation_id: "conv_1",
  account_id: "acc",
  agent_id: "agent_42",
  started_at: "2026-11-26T11:58:00.000Z",
  duration_secs: 75,
  turns: [
    { role: "agent", message: "Hi, how can I help?", time_in_call_secs: 0, tool_name: null },
    { role: "tool", message: "lookup_order", time_in_call_secs: 2.5, tool_name: "lookup_order" },
    { role: "user", message: "Ich möchte eine Rückerstattung.", time_in_call_secs: 63.2, tool_name: null },
  ],
  audio_url: null,
  settings: null,
  warnings: [],
};

describe("buildTranscript", () => {
  it("copies the call's facts and indexes the turns in order", () => {
    const t = buildTranscript(event);
    expect(transcriptSchema.parse(t)).toEqual(t);
    expect(t).toMatchObject({
      conversation_id: "conv_1",
      agent_id: "agent_42",
      started_at: "2026-11-26T11:58:00.000Z",
      duration_secs: 75,
    });
    expect(t.turns.map((x) => [x.index, x.role, x.tool_name])).toEqual([
      [0, "agent", null],
      [1, "tool", "lookup_order"],
      [2, "user", null],
    ]);
  });

  it("fails the step for good (INPUT_INVALID) on a turn the schema refuses, naming only where", () => {
    const bad = { ...event, turns: [{ ...event.turns[0]!, time_in_call_secs: -1 }] };
    const err = (() => {
      try {
        buildTranscript(bad);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(StepError);
    expect(err).toMatchObject({ code: "INPUT_INVALID", message: expect.stringContaining("turns.0") });
    expect((err as Error).message).not.toContain("Hi, how");
  });
});

describe("transcriptBodies", () => {
  it("renders JSON that parses back and readable text, byte-identical on every run", () => {
    const t = buildTranscript(event);
    const a = transcriptBodies(t);
    const b = transcriptBodies(buildTranscript(event));
    expect(a.json.equals(b.json) && a.text.equals(b.text)).toBe(true);
    expect(JSON.parse(a.json.toString("utf8"))).toEqual(t);
    expect(a.text.toString("utf8")).toBe(
      [
        "[0:00] Agent: Hi, how can I help?",
        "[0:02] Tool (lookup_order): lookup_order",
        "[1:03] User: Ich möchte eine Rückerstattung.",
        "",
      ].join("\n"),
    );
  });
});
