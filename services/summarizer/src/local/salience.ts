import { contentWords, type Sentence } from "./text.ts";

/** How often each content word occurs in the call, relative to the most frequent one (0..1]. */
export function termWeights(sentences: readonly Sentence[]): Map<string, number> {
  const tf = new Map<string, number>();
  for (const s of sentences) for (const w of contentWords(s.text)) tf.set(w, (tf.get(w) ?? 0) + 1);
  const max = Math.max(1, ...tf.values());
  return new Map([...tf].map(([w, n]) => [w, n / max]));
}

/**
 * A sentence's score: the weights of its distinct content words, damped by their number so long
 * sentences do not win by length alone. Fragments ("Okay.", "Hi there") score 0.
 */
export function sentenceScore(s: Sentence, weights: ReadonlyMap<string, number>): number {
  const distinct = [...new Set(contentWords(s.text))];
  if (distinct.length < 2) return 0;
  const sum = distinct.reduce((acc, w) => acc + (weights.get(w) ?? 0), 0);
  return sum / Math.sqrt(distinct.length);
}

/**
 * The sentences that pass `accept` and score at least `minShare` of the best score (and above 0), best
 * first (ties: earlier first).
 */
export function rankSentences(
  sentences: readonly Sentence[],
  weights: ReadonlyMap<string, number>,
  opts: { accept?: (s: Sentence) => boolean; minShare?: number } = {},
): Sentence[] {
  const scored = sentences
    .map((s) => ({ s, score: sentenceScore(s, weights) }))
    .filter((x) => x.score > 0 && (opts.accept?.(x.s) ?? true));
  const floor = Math.max(0, ...scored.map((x) => x.score)) * (opts.minShare ?? 0);
  return scored
    .filter((x) => x.score >= floor)
    .sort((a, b) => b.score - a.score || a.s.order - b.s.order)
    .map((x) => x.s);
}

/** Sentences back in call order. */
export function inCallOrder(sentences: Sentence[]): Sentence[] {
  return sentences.sort((a, b) => a.order - b.order);
}

/** The `n` most salient content words, most frequent first (ties: first mentioned first). */
export function salientTerms(sentences: readonly Sentence[], n: number): string[] {
  const weights = termWeights(sentences);
  const firstSeen = new Map<string, number>();
  for (const s of sentences)
    for (const w of contentWords(s.text)) if (!firstSeen.has(w)) firstSeen.set(w, s.order);
  return [...weights.keys()]
    .sort((a, b) => weights.get(b)! - weights.get(a)! || firstSeen.get(a)! - firstSeen.get(b)!)
    .slice(0, n);
}
