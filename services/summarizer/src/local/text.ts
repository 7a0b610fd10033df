import type { Transcript } from "@postprocess/worker";

/** One sentence of a spoken turn, with the turn it comes from (what grounded items cite). */
export interface Sentence {
  text: string;
  turn: number;
  role: "agent" | "user";
  /** Position in the whole transcript, for restoring call order. */
  order: number;
}

/** How the summary names each side of the call. */
export const speaker = { agent: "Agent", user: "Caller" } as const;

/** Sentences end at . ! ? … (then a space) or at CJK full stops (no space follows those), or at a newline. */
const sentenceEnd = /(?<=[.!?…])\s+|(?<=[。！？])|\n+/u;

/** The sentences of a text, trimmed, empty ones dropped. */
export function splitSentences(s: string): string[] {
  return s
    .split(sentenceEnd)
    .map((x) => x.trim())
    .filter((x) => x.length > 0);
}

/** The spoken sentences of a transcript, in call order (tool events are not speech). */
export function sentencesOf(t: Transcript): Sentence[] {
  const out: Sentence[] = [];
  for (const turn of t.turns) {
    if (turn.role === "tool") continue;
    for (const text of splitSentences(turn.message))
      out.push({ text, turn: turn.index, role: turn.role, order: out.length });
  }
  return out;
}

/** Lower-case words of any script (letters and digits), contractions kept whole ("i'll", "don't"). */
export function words(s: string): string[] {
  return (
    s
      .normalize("NFKC")
      .toLowerCase()
      .replace(/[’‘]/g, "'")
      .match(/[\p{L}\p{N}]+(?:'[\p{L}]+)*/gu) ?? []
  );
}

/** Words that say nothing about what a call was about. */
export const stopwords = new Set(
  (
    "a about above after again against all also am an and any are aren't as at be because been before being " +
    "below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down " +
    "during each few for from further get got had hadn't has hasn't have haven't having he he'd he'll he's her " +
    "here here's hers herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its " +
    "itself just let let's like me might more most mustn't my myself need no nor not now of off ok okay on once " +
    "only or other ought our ours ourselves out over own really right same shall shan't she she'd she'll she's " +
    "should shouldn't so some such sure than that that's the their theirs them themselves then there there's " +
    "these they they'd they'll they're they've this those through to too under until up us very was wasn't " +
    "we we'd we'll we're we've well were weren't what what's when when's where where's which while who who's " +
    "whom why why's will with won't would wouldn't yes yeah you you'd you'll you're you've your yours " +
    "yourself yourselves hello hi hey bye goodbye thanks thank please um uh oh one two going want wanted " +
    "today call calling help know see said say tell told thing things something anything everything"
  ).split(" "),
);

/** Words that carry meaning: not stop words, not bare numbers, and (in Latin script) at least 3 letters. */
export function contentWords(s: string): string[] {
  return words(s).filter(
    (w) => !stopwords.has(w) && !/^\p{N}+$/u.test(w) && (w.length >= 3 || /[^\p{Script=Latin}]/u.test(w)),
  );
}
