import { describe, expect, it } from "vitest";
import { actionItemsOf, isCommitment } from "./action-items.ts";
import type { Sentence } from "./text.ts";

describe("isCommitment", () => {
  it.each([
    "I will send you the form.",
    "I'll call you back tomorrow.",
    "We will ship the replacement.",
    "We'll process it.",
    "Let me escalate this to billing.",
    "I'm going to open a ticket.",
    "Please send me a photo of the receipt.",
    "Our team will follow up with you.",
    "You'll have it by Friday.",
    "I’ll email the invoice.",
  ])("commits: %s", (s) => expect(isCommitment(s)).toBe(true));

  it.each([
    "Let me know if there is anything else.",
    "I'll be honest with you, it's a good plan.",
    "The refund was processed last week.",
    "Will you send it?",
    "Can I follow up?",
    "我会把表格发给你。",
  ])("does not: %s", (s) => expect(isCommitment(s)).toBe(false));
});

describe("actionItemsOf", () => {
  it("attributes each commitment to its speaker, cites its turn, drops duplicates and caps the list", () => {
    const s = (text: string, turn: number, role: "agent" | "user"): Sentence => ({
      text,
      turn,
      role,
      order: turn,
    });
    const sentences = [
      s("Hi there.", 0, "agent"),
      s("Please send me the invoice.", 1, "user"),
      s("I will send it today.", 2, "agent"),
      s("I will send it today.", 4, "agent"),
      s("And I'll call you by Friday.", 5, "agent"),
    ];
    expect(actionItemsOf(sentences, 10)).toEqual([
      { text: "Caller: Please send me the invoice.", turns: [1] },
      { text: "Agent: I will send it today.", turns: [2] },
      { text: "Agent: And I'll call you by Friday.", turns: [5] },
    ]);
    expect(actionItemsOf(sentences, 1)).toHaveLength(1);
  });
});
