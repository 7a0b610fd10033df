import {
  longConversation,
  nonLatinConversation,
  realisticConversation,
} from "@postprocess/testkit/fakes/elevenlabs";
import { describe, expect, it } from "vitest";
import { transcriptSchema } from "../transcript.ts";
import { conversationSchema, type ElevenLabsTranscriptItem } from "./conversation-schema.ts";
import {
  describeToolCall,
  describeToolResult,
  normalizeElevenLabsTranscript,
  normalizeInlineTranscript,
  TOOL_TEXT_MAX,
} from "./normalize-transcript.ts";

/** Wire entries through the same schema the client parses with, so the tests see what production sees. */
const wire = (...items: object[]): ElevenLabsTranscriptItem[] =>
  conversationSchema.parse({
    agent_id: "a",
    conversation_id: "c",
    status: "done",
    transcript: items,
    metadata: { start_time_unix_secs: 1, call_duration_secs: 1 },
    has_audio: false,
  }).transcript;
const speech = (role: "agent" | "user", message: string | null, t: number, extra: object = {}) => ({
  role,
  message,
  time_in_call_secs: t,
  ...extra,
});

describe("normalizeElevenLabsTranscript", () => {
  it("turns the realistic captured conversation into speech and tool turns, in order", () => {
    const items = conversationSchema.parse(realisticConversation()).transcript;
    expect(normalizeElevenLabsTranscript(items)).toEqual([
      {
        role: "agent",
        message: "Hello Angelo, this is Priya from the grievance helpline. Is now a good time?",
        time_in_call_secs: 0,
        tool_name: null,
      },
      { role: "user", message: "Yes, go ahead.", time_in_call_secs: 5, tool_name: null },
      // Interrupted: what was actually said, not the LLM's full original_message.
      {
        role: "agent",
        message: "I need to collect your details so that",
        time_in_call_secs: 10,
        tool_name: null,
      },
      { role: "user", message: "Can you speak in Tamil?", time_in_call_secs: 20, tool_name: null },
      {
        role: "tool",
        message: 'called language_detection({"language":"ta","reason":"user asked"})',
        time_in_call_secs: 29,
        tool_name: "language_detection",
      },
      {
        role: "tool",
        message: 'language_detection returned {"status":"success"}',
        time_in_call_secs: 29,
        tool_name: "language_detection",
      },
      {
        role: "agent",
        message: "சரி, நான் தமிழில் பேசுகிறேன். உங்கள் புகார் எண் என்ன?",
        time_in_call_secs: 31,
        tool_name: null,
      },
      // The empty user message at 38 s is gone.
      { role: "user", message: "DARPG/E/2025/0012345", time_in_call_secs: 41, tool_name: null },
      {
        role: "tool",
        message: 'called lookup_grievance({"grievance_id":"DARPG/E/2025/0012345"})',
        time_in_call_secs: 44,
        tool_name: "lookup_grievance",
      },
      {
        role: "tool",
        message: 'lookup_grievance returned {"status":"under_review","office":"Chennai"}',
        time_in_call_secs: 46,
        tool_name: "lookup_grievance",
      },
      {
        role: "agent",
        message: "உங்கள் புகார் சென்னை அலுவலகத்தில் பரிசீலனையில் உள்ளது.",
        time_in_call_secs: 48,
        tool_name: null,
      },
      {
        role: "user",
        message: "Thank you, I'll wait for the email.",
        time_in_call_secs: 70,
        tool_name: null,
      },
      // The whitespace-only agent message at 74 s is gone.
      { role: "agent", message: "You're welcome. Goodbye!", time_in_call_secs: 75, tool_name: null },
    ]);
  });

  it("never turns a tool entry (message null) into agent text", () => {
    const turns = normalizeElevenLabsTranscript(
      wire(
        speech("agent", null, 3, {
          tool_calls: [
            { tool_name: "end_call", params_as_json: "{}", request_id: "r", tool_has_been_called: true },
          ],
        }),
      ),
    );
    expect(turns).toEqual([
      { role: "tool", message: "called end_call()", time_in_call_secs: 3, tool_name: "end_call" },
    ]);
  });

  it("accepts tool_calls and tool_results as null, [] or missing alike", () => {
    const turns = normalizeElevenLabsTranscript(
      wire(
        speech("agent", "a", 1, { tool_calls: null, tool_results: null }),
        speech("agent", "b", 2, { tool_calls: [], tool_results: [] }),
        speech("user", "c", 3),
      ),
    );
    expect(turns.map((t) => [t.role, t.message])).toEqual([
      ["agent", "a"],
      ["agent", "b"],
      ["user", "c"],
    ]);
  });

  it("drops null, empty and whitespace-only messages and trims the rest", () => {
    const turns = normalizeElevenLabsTranscript(
      wire(
        speech("user", null, 1),
        speech("user", "", 2),
        speech("agent", " \n\t ", 3),
        speech("agent", "  hi  ", 4),
      ),
    );
    expect(turns).toEqual([{ role: "agent", message: "hi", time_in_call_secs: 4, tool_name: null }]);
  });

  it("keeps consecutive same-role entries, equal timestamps and out-of-order times as they came", () => {
    const turns = normalizeElevenLabsTranscript(
      wire(
        speech("agent", "one", 9),
        speech("agent", "two", 9),
        speech("agent", "three", 4),
        speech("user", "four", 4),
      ),
    );
    expect(turns.map((t) => [t.message, t.time_in_call_secs])).toEqual([
      ["one", 9],
      ["two", 9],
      ["three", 4],
      ["four", 4],
    ]);
  });

  it("keeps speech and the tool calls and results of one entry, speech first", () => {
    const turns = normalizeElevenLabsTranscript(
      wire(
        speech("agent", "Let me check.", 12, {
          tool_calls: [
            { tool_name: "lookup", params_as_json: '{"id": 1}' },
            { tool_name: "notify", params_as_json: '{"to": "ops"}' },
          ],
          tool_results: [{ tool_name: "lookup", result_value: "timeout", is_error: true }],
        }),
      ),
    );
    expect(turns).toEqual([
      { role: "agent", message: "Let me check.", time_in_call_secs: 12, tool_name: null },
      { role: "tool", message: 'called lookup({"id":1})', time_in_call_secs: 12, tool_name: "lookup" },
      { role: "tool", message: 'called notify({"to":"ops"})', time_in_call_secs: 12, tool_name: "notify" },
      { role: "tool", message: "lookup failed: timeout", time_in_call_secs: 12, tool_name: "lookup" },
    ]);
  });

  it("reads nested JSON strings (params_as_json, result_value), and tolerates them as objects or non-JSON", () => {
    expect(describeToolCall("f", '{\n  "a": [1, 2],\n  "b": {"c": null}\n}')).toBe(
      'called f({"a":[1,2],"b":{"c":null}})',
    );
    expect(describeToolCall("f", { a: 1 })).toBe('called f({"a":1})');
    expect(describeToolCall("f", "not json  at\nall")).toBe("called f(not json at all)");
    expect(describeToolCall("f", null)).toBe("called f()");
    expect(describeToolResult("f", '"ok"', false)).toBe('f returned "ok"');
    expect(describeToolResult("f", "", false)).toBe("f returned nothing");
    expect(describeToolResult("f", null, true)).toBe("f failed");
  });

  it("caps a large tool payload, without splitting a surrogate pair", () => {
    const big = JSON.stringify({ doc: "x".repeat(5000) });
    const message = describeToolResult("kb", big, false);
    expect(message.length).toBeLessThanOrEqual("kb returned ".length + TOOL_TEXT_MAX);
    expect(message.endsWith("...")).toBe(true);
    const emoji = describeToolCall("e", "😀".repeat(400));
    expect(emoji).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it("keeps non-Latin text intact", () => {
    const items = conversationSchema.parse(nonLatinConversation()).transcript;
    const messages = normalizeElevenLabsTranscript(items).map((t) => t.message);
    expect(messages).toContain("ご注文番号を教えていただけますか？");
    expect(messages).toContain("Отлично, спасибо большое! 🙏");
    expect(messages[0]).toBe("வணக்கம்! நான் உங்களுக்கு எப்படி உதவ முடியும்?");
  });

  it("handles a 400-entry call, and its output fits the stored transcript schema", () => {
    const items = conversationSchema.parse(longConversation(400)).transcript;
    const turns = normalizeElevenLabsTranscript(items);
    expect(turns).toHaveLength(400);
    expect(turns.filter((t) => t.role === "tool")).toHaveLength(8);
    const stored = transcriptSchema.safeParse({
      conversation_id: "c",
      agent_id: null,
      started_at: null,
      duration_secs: null,
      turns: turns.map((t, index) => ({ ...t, index })),
    });
    expect(stored.success).toBe(true);
  });

  it("clamps negative or non-finite times to 0 (the stored transcript requires ≥ 0)", () => {
    expect(normalizeElevenLabsTranscript(wire(speech("user", "x", -2)))[0]!.time_in_call_secs).toBe(0);
  });
});

describe("normalizeInlineTranscript", () => {
  it("trims, drops empty turns, clamps times and keeps roles and tool names", () => {
    expect(
      normalizeInlineTranscript([
        { role: "agent", message: " Hi ", time_in_call_secs: 0, tool_name: null },
        { role: "user", message: "   ", time_in_call_secs: 1, tool_name: null },
        { role: "tool", message: "called crm()", time_in_call_secs: -1, tool_name: "crm" },
      ]),
    ).toEqual([
      { role: "agent", message: "Hi", time_in_call_secs: 0, tool_name: null },
      { role: "tool", message: "called crm()", time_in_call_secs: 0, tool_name: "crm" },
    ]);
  });
});

describe("conversationSchema", () => {
  it("ignores fields it does not know and fills has_audio when missing", () => {
    const parsed = conversationSchema.parse({
      agent_id: "a",
      conversation_id: "c",
      status: "done",
      transcript: [
        { role: "agent", message: "x", time_in_call_secs: 1, reasoning: "…", multivoice_message: null },
      ],
      metadata: { start_time_unix_secs: 1, call_duration_secs: 2, warnings: [] },
      otlp_traces: {},
    });
    expect(parsed.has_audio).toBe(false);
    expect(parsed.transcript[0]).not.toHaveProperty("reasoning");
  });
});
