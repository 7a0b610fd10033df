import { expect, it } from "vitest";
import { baseDirection, hasRtl, visualOrder, wordLevels } from "./bidi.ts";

const visual = (line: string, base = baseDirection(line)) => {
  const words = line.split(" ");
  return visualOrder(words, wordLevels(words, base)).join(" ");
};

it("takes the paragraph's direction from its first strong character", () => {
  expect(baseDirection("שלום world")).toBe("rtl");
  expect(baseDirection("4471 — مرحبا")).toBe("rtl");
  expect(baseDirection("Hello שלום")).toBe("ltr");
  expect(baseDirection("12:30 !")).toBe("ltr");
  expect(hasRtl("Hello")).toBe(false);
  expect(hasRtl("Hello مرحبا")).toBe(true);
});

it("orders a right-to-left line right to left, keeping left-to-right runs and numbers in their order", () => {
  // Visual order, left to right: the first Hebrew word is rightmost; "order 4471" still reads left to right.
  expect(visual("אני רוצה החזר order 4471 תודה")).toBe("תודה order 4471 החזר רוצה אני");
  expect(visual("اريد 3 تذاكر")).toBe("تذاكر 3 اريد");
});

it("reverses only the right-to-left words inside a left-to-right line", () => {
  expect(visual("Customer said שלום עולם today")).toBe("Customer said עולם שלום today");
  // A neutral between two right-to-left words joins them; at a direction change it takes the paragraph's.
  expect(visual("He said שלום - עולם . Fine")).toBe("He said עולם - שלום . Fine");
});
