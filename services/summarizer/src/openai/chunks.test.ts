import { describe, expect, it } from "vitest";
import { transcriptOf } from "../fixtures.ts";
import { estimateTokens, packLines, splitText, turnLines } from "./chunks.ts";

describe("turnLines", () => {
  it("renders each spoken turn as one JSON line with its global index, skipping empty turns", () => {
    const lines = turnLines(
      transcriptOf([
        ["agent", "Hi <there>"],
        ["user", "   "],
        ["user", 'Say "hello"'],
      ]),
      1000,
    );
    expect(lines.map((l) => l.line)).toEqual([
      '{"i":0,"role":"agent","t":0,"text":"Hi \\u003cthere\\u003e"}',
      '{"i":2,"role":"user","t":20,"text":"Say \\"hello\\""}',
    ]);
    expect(lines[0]!.tokens).toBe(estimateTokens(lines[0]!.line) + 1);
  });

  it("cuts a turn longer than the budget into pieces with the same index, losing no text", () => {
    const long = Array.from({ length: 400 }, (_, i) => `word${i}`).join(" ");
    const lines = turnLines(transcriptOf([["user", long]]), 200);
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect(l.tokens).toBeLessThanOrEqual(200);
    const pieces = lines.map((l) => JSON.parse(l.line) as { i: number; piece: string; text: string });
    expect(pieces.map((p) => p.i)).toEqual(lines.map(() => 0));
    expect(pieces.map((p) => p.piece)).toEqual(pieces.map((_, k) => `${k + 1}/${pieces.length}`));
    expect(pieces.map((p) => p.text).join(" ")).toBe(long);
  });
});

describe("splitText / packLines", () => {
  it("splits at spaces when it can, hard otherwise", () => {
    expect(splitText("aaaa bbbb cccc", 9)).toEqual(["aaaa bbbb", "cccc"]);
    expect(splitText("abcdefghij", 4)).toEqual(["abcd", "efgh", "ij"]);
  });

  it("packs consecutive lines into groups within the budget", () => {
    const lines = [5, 5, 5, 8, 1].map((tokens, i) => ({ i, tokens }));
    expect(packLines(lines, 10).map((g) => g.map((l) => l.i))).toEqual([[0, 1], [2], [3, 4]]);
  });
});
