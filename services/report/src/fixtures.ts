import type { Transcript } from "@postprocess/worker";
import type { ReportData } from "./render-report.ts";

/** Test and benchmark data (not used by the service). */

const agentLines = [
  "Thanks for calling Acme support, this is Dana. How can I help you today?",
  "I can look into that for you. Could you confirm the email address on the account?",
  "Thank you. I can see the annual plan was renewed on the third of November.",
  "Our policy allows a full refund within thirty days of a renewal, so you are eligible.",
  "I will email you the refund form right after this call; it takes about two minutes to fill in.",
  "Is there anything else I can help you with regarding your subscription or billing?",
];
const userLines = [
  "Hi, I was charged for the annual plan but I meant to cancel it before the renewal date.",
  "Sure, it is jordan.lee@example.com.",
  "Yes, that is the charge. I would like a refund please, we moved to another tool last month.",
  "Great, that is a relief. How long does the refund take once I send the form back?",
  "Perfect, thank you for the quick help.",
];

/** A plausible call of `count` turns (agent and user alternating, a tool lookup every 25 turns). */
export function sampleTurns(count: number): Transcript["turns"] {
  return Array.from({ length: count }, (_, i) => {
    const tool = i % 25 === 24;
    const role = tool ? "tool" : i % 2 === 0 ? "agent" : "user";
    const lines = role === "agent" ? agentLines : userLines;
    return {
      index: i,
      role,
      message: tool ? '{"order_status":"renewed","amount":"120.00 EUR"}' : lines[i % lines.length]!,
      time_in_call_secs: i * 7.5,
      tool_name: tool ? "lookup_subscription" : null,
    };
  });
}

/** Report data around `turns`, with a grounded summary citing them. */
export function sampleReport(turns: Transcript["turns"], over: Partial<ReportData> = {}): ReportData {
  const at = (i: number) => turns[Math.min(i, turns.length - 1)]?.time_in_call_secs ?? 0;
  return {
    accountId: "acme",
    conversationId: "conv_01jwzz3ygceg7v0te0rewn2nzj",
    processingId: "proc_01JDZ7Q6V5K3Q9N2A1B4C5D6E7",
    agentId: "agent_42",
    startedAt: "2026-11-26T12:00:00.000Z",
    durationSecs: at(turns.length - 1) + 5,
    summary:
      "The caller was charged for an annual renewal they meant to cancel and asked for a refund. The agent " +
      "confirmed the account, found the renewal within the thirty-day window and promised the refund form.",
    topic: "Refund of an annual renewal",
    sentiment: "positive",
    keyPoints: [
      { text: "Customer was charged for an unwanted annual renewal", turns: [1], at_secs: at(1) },
      { text: "Renewal is within the 30-day refund window", turns: [6], at_secs: at(6) },
    ],
    actionItems: [{ text: "Email the refund form to the customer", turns: [8], at_secs: at(8) }],
    warnings: [],
    turns,
    generatedAt: new Date("2026-11-26T12:05:00.000Z"),
    ...over,
  };
}
