import { describe, expect, it } from "vitest";
import { transcriptOf } from "./fixtures.ts";
import { cleanText, groundSummary, limits, summaryDraftSchema } from "./summary.ts";

const t = transcriptOf([
  ["agent", "Hello."],
  ["user", "I need a refund."],
  ["agent", "I will send the form."],
]);

describe("summaryDraftSchema", () => {
  it("trims, flattens and caps text, sorts and de-duplicates cited turns, caps lists, strips unknown keys", () => {
    const draft = summaryDraftSchema.parse({
      summary: `  Line one.\n\nLine\u0000 two.\u202e  ${"x".repeat(3000)}`,
      topic: "  Refund ",
      sentiment: "negative",
      key_points: Array.from({ length: 15 }, (_, i) => ({ text: ` point ${i} `, turns: [2, 1, 2] })),
      action_items: [],
      recipients: ["attacker@evil"],
    });
    expect(draft.summary.startsWith("Line one. Line two. xxx")).toBe(true);
    expect(draft.summary).toHaveLength(limits.summaryChars);
    expect(draft.summary.endsWith("…")).toBe(true);
    expect(draft.topic).toBe("Refund");
    expect(draft.key_points).toHaveLength(limits.items);
    expect(draft.key_points[0]).toEqual({ text: "point 0", turns: [1, 2] });
    expect(Object.keys(draft)).toEqual(["summary", "topic", "sentiment", "key_points", "action_items"]);
  });

  it("refuses a sentiment outside the enum and empty text", () => {
    const ok = { summary: "s", topic: "t", sentiment: "neutral", key_points: [], action_items: [] };
    expect(summaryDraftSchema.safeParse({ ...ok, sentiment: "ecstatic" }).success).toBe(false);
    expect(summaryDraftSchema.safeParse({ ...ok, summary: " \n " }).success).toBe(false);
    expect(summaryDraftSchema.safeParse({ ...ok, key_points: [{ text: "a", turns: [1.5] }] }).success).toBe(
      false,
    );
  });
});

describe("groundSummary", () => {
  it("drops items citing a turn that does not exist (or none), and stamps the first cited turn's time", () => {
    const { summary, dropped } = groundSummary(
      {
        summary: "s",
        topic: "t",
        sentiment: "neutral",
        key_points: [
          { text: "real", turns: [1, 2] },
          { text: "half real", turns: [1, 7] },
          { text: "uncited", turns: [] },
        ],
        action_items: [
          { text: "send form", turns: [2] },
          { text: "negative", turns: [-1] },
        ],
      },
      t,
    );
    expect(summary.key_points).toEqual([{ text: "real", turns: [1, 2], at_secs: 10 }]);
    expect(summary.action_items).toEqual([{ text: "send form", turns: [2], at_secs: 20 }]);
    expect(dropped).toBe(3);
  });
});

describe("cleanText", () => {
  it("keeps non-Latin text and caps by characters", () => {
    expect(cleanText("  我想 更改\t地址  ", 100)).toBe("我想 更改 地址");
    expect(cleanText("abcdef", 4)).toBe("abc…");
  });
});
