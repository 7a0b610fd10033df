/**
 * Just enough of the Unicode bidirectional algorithm (UAX #9) for transcript text, at the level of words:
 * a paragraph's base direction is that of its first strong character (rules P2–P3); right-to-left words
 * (Hebrew, Arabic and the other R/AL scripts) get level 1, left-to-right words level 0 in a left-to-right
 * paragraph and 2 in a right-to-left one (numbers too, rule I2), words without strong characters (digits
 * aside) take the level of their neighbours when both agree, else the paragraph's (N1–N2); a line is then
 * reordered by rule L2. Inside a word fontkit already lays right-to-left glyphs out in visual order.
 * Explicit embeddings and isolates are not supported (printable() removes those controls anyway).
 */

/** Right-to-left scripts' blocks (Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan, Mandaic, their forms). */
const rtlRanges: [number, number][] = [
  [0x0590, 0x08ff],
  [0xfb1d, 0xfdff],
  [0xfe70, 0xfeff],
  [0x10800, 0x10fff],
  [0x1e800, 0x1efff],
];

const isRtlCodePoint = (cp: number) => rtlRanges.some(([lo, hi]) => cp >= lo && cp <= hi);

/** The strong direction of a character: R (right-to-left letter), L (any other letter), or none. */
export function strongOf(ch: string): "L" | "R" | undefined {
  const cp = ch.codePointAt(0)!;
  if (isRtlCodePoint(cp) && /[\p{L}\p{M}]/u.test(ch)) return "R";
  if (/\p{L}/u.test(ch)) return "L";
  return undefined;
}

/** Any character in the right-to-left blocks: one native scan, as every text of a report is checked. */
const rtlBlock = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff\u{10800}-\u{10fff}\u{1e800}-\u{1efff}]/u;

/** Whether any character of `text` is a right-to-left letter (then the text needs this module). */
export function hasRtl(text: string): boolean {
  if (!rtlBlock.test(text)) return false;
  for (const ch of text) if (strongOf(ch) === "R") return true;
  return false;
}

/** The paragraph's base direction: that of its first strong character, left-to-right without one. */
export function baseDirection(text: string): "ltr" | "rtl" {
  for (const ch of text) {
    const s = strongOf(ch);
    if (s) return s === "R" ? "rtl" : "ltr";
  }
  return "ltr";
}

type WordClass = "L" | "R" | "N" | "neutral";

/** A word's class: its first strong character's direction, N for a number, else neutral. */
function classOf(word: string): WordClass {
  for (const ch of word) {
    const s = strongOf(ch);
    if (s) return s;
  }
  return /\p{Nd}/u.test(word) ? "N" : "neutral";
}

/** The embedding level of each word of a line or paragraph, in logical order. */
export function wordLevels(words: readonly string[], base: "ltr" | "rtl"): number[] {
  const baseLevel = base === "rtl" ? 1 : 0;
  const classes = words.map(classOf);
  // Numbers count as left-to-right in a left-to-right context and as their own run in a right-to-left one.
  const strongLevel = (c: WordClass): number | undefined =>
    c === "R" ? 1 : c === "L" || c === "N" ? (baseLevel === 1 ? 2 : 0) : undefined;
  const levels = classes.map(strongLevel);
  for (let i = 0; i < levels.length; i++) {
    if (levels[i] !== undefined) continue;
    let before: number | undefined;
    for (let j = i - 1; j >= 0 && before === undefined; j--) before = levels[j];
    let after: number | undefined;
    for (let j = i + 1; j < levels.length && after === undefined; j++) after = levels[j];
    // Between two words of one direction a neutral takes it; else the paragraph's.
    const dir = (l: number | undefined) => (l === undefined ? undefined : l % 2);
    levels[i] = dir(before) !== undefined && dir(before) === dir(after) ? before : baseLevel;
  }
  return levels as number[];
}

/** Rule L2: from the highest level down to 1, reverse every run of items at that level or higher. */
export function visualOrder<T>(items: readonly T[], levels: readonly number[]): T[] {
  const order = items.map((item, i) => ({ item, level: levels[i]! }));
  const highest = Math.max(0, ...levels);
  for (let level = highest; level >= 1; level--) {
    for (let i = 0; i < order.length; ) {
      if (order[i]!.level < level) {
        i++;
        continue;
      }
      let end = i;
      while (end < order.length && order[end]!.level >= level) end++;
      order.splice(i, end - i, ...order.slice(i, end).reverse());
      i = end;
    }
  }
  return order.map((o) => o.item);
}
