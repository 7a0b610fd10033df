import { describe, expect, it } from "vitest";
import { refundCall, transcriptOf } from "../fixtures.ts";
import { groundSummary } from "../summary.ts";
import { summarizeLocally } from "./local-summarizer.ts";
import { topicOf } from "./topic.ts";

describe("summarizeLocally", () => {
  it("fills every field of a support call sensibly, citing real turns", () => {
    const d = summarizeLocally(refundCall);
    expect(d.topic).toBe("Refund for my annual plan");
    expect(d.sentiment).toBe("mixed"); // "really frustrating" and "great … really helpful"
    // Extractive: the caller's request and the most central sentences, attributed, in call order.
    expect(d.summary).toBe(
      "Caller: I'd like a refund for my annual plan, because I was charged twice this month. " +
        "Agent: I'm sorry about the double charge on your annual plan. " +
        "Caller: I noticed the second charge on my card statement yesterday.",
    );
    expect(d.action_items).toEqual([
      { text: "Agent: Let me look at your account.", turns: [2] },
      {
        text: "Agent: I will refund the second charge today, and I'll email you the confirmation by Friday.",
        turns: [6],
      },
    ]);
    // Key points: the best statement of each central turn (greetings and thanks fall below the bar).
    expect(d.key_points).toEqual([
      {
        text: "Caller: I'd like a refund for my annual plan, because I was charged twice this month.",
        turns: [1],
      },
      { text: "Agent: I'm sorry about the double charge on your annual plan.", turns: [2] },
      { text: "Agent: I can see two charges for the annual plan on your card.", turns: [4] },
      { text: "Caller: I noticed the second charge on my card statement yesterday.", turns: [5] },
    ]);
    // Tool events are not speech: never cited.
    expect([...d.key_points, ...d.action_items].some((i) => i.turns.includes(3))).toBe(false);
  });

  it("is grounded: every cited turn exists, so grounding drops nothing and stamps the times", () => {
    const { summary, dropped } = groundSummary(summarizeLocally(refundCall), refundCall);
    expect(dropped).toBe(0);
    expect(summary.action_items.map((a) => a.at_secs)).toEqual([20, 60]);
  });

  it("is deterministic", () => {
    expect(summarizeLocally(refundCall)).toEqual(summarizeLocally(structuredClone(refundCall)));
  });

  it("handles non-Latin text: neutral sentiment, salient terms as topic, no crash", () => {
    const t = transcriptOf([
      ["agent", "您好，请问有什么可以帮您？"],
      ["user", "我想查询我的订单状态。订单号是一二三。"],
      ["agent", "好的，我查一下订单。您的订单明天送到。"],
      ["user", "Здравствуйте! Мой заказ не пришёл."],
    ]);
    const d = summarizeLocally(t);
    expect(d.sentiment).toBe("neutral");
    expect(d.topic.length).toBeGreaterThan(0);
    expect(d.summary.length).toBeGreaterThan(0);
    for (const i of [...d.key_points, ...d.action_items]) expect(i.turns.every((n) => n < 4)).toBe(true);
  });

  it("says so when there is nothing to summarise", () => {
    const d = summarizeLocally(transcriptOf([["tool", "lookup_order: ok"]]));
    expect(d).toEqual({
      summary: "The conversation has no spoken content.",
      topic: "No conversation",
      sentiment: "neutral",
      key_points: [],
      action_items: [],
    });
  });
});

describe("topicOf", () => {
  const call = (...texts: string[]) =>
    texts.map((text, i) => ({ text, turn: i, role: "user" as const, order: i }));
  it.each([
    [["I want to cancel my subscription because it is too expensive."], "Cancel my subscription"],
    [["Hi! I'm calling about the invoice I received, it looks wrong."], "Invoice I received"],
    [["I have a problem with my router and the wifi."], "Router"],
    [["Router keeps dropping.", "The router light is red.", "Router model X200."], "Router, keeps, dropping"],
    [["Hm."], "General conversation"],
  ])("%j → %s", (texts, topic) => expect(topicOf(call(...texts))).toBe(topic));
});
