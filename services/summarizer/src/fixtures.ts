import type { Transcript } from "@postprocess/worker";

/** Builds a transcript from `[role, message]` pairs, ten seconds apart (for tests and benchmarks). */
export function transcriptOf(
  turns: readonly (readonly ["agent" | "user" | "tool", string])[],
  conversationId = "conv_test",
): Transcript {
  return {
    conversation_id: conversationId,
    agent_id: "agent_test",
    started_at: "2026-11-26T12:00:00.000Z",
    duration_secs: turns.length * 10,
    turns: turns.map(([role, message], index) => ({
      index,
      role,
      message,
      time_in_call_secs: index * 10,
      tool_name: role === "tool" ? "lookup_order" : null,
    })),
  };
}

/** A short support call about a refund, with commitments and a clear request. */
export const refundCall = transcriptOf([
  ["agent", "Hello, thank you for calling Acme support. How can I help you today?"],
  ["user", "Hi. I'd like a refund for my annual plan, because I was charged twice this month."],
  ["agent", "I'm sorry about the double charge on your annual plan. Let me look at your account."],
  ["tool", "lookup_order: found 2 charges"],
  ["agent", "I can see two charges for the annual plan on your card. The second charge was a billing error."],
  ["user", "That is really frustrating. I noticed the second charge on my card statement yesterday."],
  ["agent", "I will refund the second charge today, and I'll email you the confirmation by Friday."],
  ["user", "Great, thank you so much. That was really helpful."],
  ["agent", "You're welcome. Have a nice day!"],
]);
