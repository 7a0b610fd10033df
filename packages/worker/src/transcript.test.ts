import { expect, it } from "vitest";
import { clock, renderTranscriptText, transcriptSchema } from "./transcript.ts";

it("renders turns with times and speakers, tool events marked", () => {
  const t = transcriptSchema.parse({
    conversation_id: "c",
    agent_id: null,
    started_at: null,
    duration_secs: 3700,
    turns: [
      { index: 0, role: "agent", message: "Hi", time_in_call_secs: 0, tool_name: null },
      {
        index: 1,
        role: "tool",
        message: 'language_detection {"language":"ta"}',
        time_in_call_secs: 65.4,
        tool_name: "language_detection",
      },
      { index: 2, role: "user", message: "Bye", time_in_call_secs: 3661, tool_name: null },
    ],
  });
  expect(renderTranscriptText(t)).toBe(
    '[0:00] Agent: Hi\n[1:05] Tool (language_detection): language_detection {"language":"ta"}\n[1:01:01] User: Bye',
  );
  expect(clock(-3)).toBe("0:00");
  expect(() => transcriptSchema.parse({ ...t, turns: [{ ...t.turns[0], role: "narrator" }] })).toThrow();
});
