import type { SummaryDraft } from "../summary.ts";
import type { Sentence } from "./text.ts";
import { words } from "./text.ts";

type Sentiment = SummaryDraft["sentiment"];

const lexicon = (entries: string): Map<string, number> =>
  new Map(
    entries.split(" ").map((e) => {
      const [w, weight] = e.split(":");
      return [w!, weight ? Number(weight) : 1];
    }),
  );

/** Words that lean positive, with weights (1 when unstated); politeness ("thanks") counts little. */
const positive = lexicon(
  "good great excellent:1.5 amazing:1.5 awesome:1.5 fantastic:1.5 wonderful:1.5 brilliant:1.5 perfect " +
    "love:1.5 loved:1.5 happy glad pleased satisfied delighted:1.5 helpful appreciate appreciated " +
    "resolved solved fixed nice easy:0.5 smooth:0.5 quick:0.5 fast:0.5 works:0.5 working:0.5 " +
    "thanks:0.5 thank:0.5 grateful excited recommend impressed",
);

/** Words that lean negative; support vocabulary ("problem", "issue") counts little. */
const negative = lexicon(
  "bad terrible:1.5 awful:1.5 horrible:1.5 worst:1.5 hate:1.5 hated:1.5 angry:1.5 furious:2 upset " +
    "frustrated:1.5 frustrating:1.5 annoyed annoying disappointed:1.5 disappointing:1.5 unhappy " +
    "unacceptable:1.5 useless:1.5 ridiculous:1.5 rude:1.5 scam:2 broken wrong poor waste complaint " +
    "complain fail failed failing confusing confused:0.5 worried sad slow:0.5 problem:0.5 problems:0.5 " +
    "issue:0.5 issues:0.5 error:0.5 mistake delay:0.5 delayed:0.5 overcharged:1.5 nightmare:1.5",
);

const negators = new Set(
  (
    "not no never don't dont doesn't didn't isn't wasn't aren't weren't can't cannot won't wouldn't " +
    "shouldn't couldn't hardly without nothing nor neither"
  ).split(" "),
);
const intensifiers = new Set("very really so extremely super totally absolutely incredibly truly".split(" "));

/** Positive and negative weight of one sentence; a negator up to five words before a term, in the same clause, flips it. */
export function polarity(text: string): { positive: number; negative: number } {
  let pos = 0;
  let neg = 0;
  for (const clause of text.split(/[,.;:!?]/)) {
    const ws = words(clause);
    ws.forEach((w, i) => {
      const p = positive.get(w) ?? 0;
      const n = negative.get(w) ?? 0;
      if (!p && !n) return;
      const before = ws.slice(Math.max(0, i - 5), i);
      const negated = before.some((b) => negators.has(b));
      const boost = before.length && intensifiers.has(before.at(-1)!) ? 1.5 : 1;
      // "not happy" is clearly negative; "not bad" only mildly positive.
      if (negated) {
        neg += p * boost;
        pos += (n * boost) / 2;
      } else {
        pos += p * boost;
        neg += n * boost;
      }
    });
  }
  return { positive: pos, negative: neg };
}

/** Below this weight a side is "weak" and does not decide the sentiment. */
const strong = 1;

/**
 * The caller's sentiment from a word lexicon: agent sentences count for little (agents are polite by
 * script), both sides strongly present and close → mixed, neither strong → neutral. Text in a language the
 * lexicon lacks scores nothing, hence neutral.
 */
export function sentimentOf(sentences: readonly Pick<Sentence, "text" | "role">[]): {
  sentiment: Sentiment;
  positive: number;
  negative: number;
} {
  const hasCaller = sentences.some((s) => s.role === "user");
  let pos = 0;
  let neg = 0;
  for (const s of sentences) {
    const weight = s.role === "user" || !hasCaller ? 1 : 0.15;
    const p = polarity(s.text);
    pos += p.positive * weight;
    neg += p.negative * weight;
  }
  const round = (x: number) => Math.round(x * 100) / 100;
  const result = (sentiment: Sentiment) => ({ sentiment, positive: round(pos), negative: round(neg) });
  if (pos < strong && neg < strong) return result("neutral");
  if (pos >= strong && neg >= strong && Math.min(pos, neg) / Math.max(pos, neg) >= 0.5)
    return result("mixed");
  if (pos > neg) return result("positive");
  if (neg > pos) return result("negative");
  return result("neutral");
}
