import { describe, expect, it } from "vitest";
import { polarity, sentimentOf } from "./sentiment.ts";

const caller = (...texts: string[]) => texts.map((text) => ({ text, role: "user" as const }));

describe("sentimentOf", () => {
  it.each([
    ["positive", ["This was great, thank you so much.", "Really helpful, I appreciate it."]],
    ["negative", ["I am very angry.", "The app is broken and this is unacceptable."]],
    ["neutral", ["I need to change the delivery address on my order."]],
    ["neutral", ["Thanks, bye."]],
    ["mixed", ["I love the new app, it is great.", "But billing is terrible and I am frustrated."]],
  ] as const)("%s: %j", (expected, texts) => {
    expect(sentimentOf(caller(...texts)).sentiment).toBe(expected);
  });

  it("flips a negated term: 'not happy' is negative, 'not bad' mildly positive", () => {
    expect(polarity("I am not happy with this")).toEqual({ positive: 0, negative: 1 });
    expect(polarity("It's not bad at all")).toEqual({ positive: 0.5, negative: 0 });
    expect(polarity("I don't think it was really helpful")).toEqual({ positive: 0, negative: 1.5 });
    expect(sentimentOf(caller("I'm not happy.", "It did not work and I'm not satisfied.")).sentiment).toBe(
      "negative",
    );
  });

  it("counts the agent's scripted politeness for little when the caller speaks", () => {
    const call = [
      { text: "Great! Wonderful! Happy to help, excellent question!", role: "agent" as const },
      { text: "I need my invoice resent.", role: "user" as const },
    ];
    expect(sentimentOf(call).sentiment).toBe("neutral");
  });

  it("is neutral for text the lexicon does not cover, in any script, without failing", () => {
    expect(sentimentOf(caller("我想更改我的送货地址。", "Спасибо, до свидания!", "مرحبا")).sentiment).toBe(
      "neutral",
    );
    expect(sentimentOf([]).sentiment).toBe("neutral");
  });
});
