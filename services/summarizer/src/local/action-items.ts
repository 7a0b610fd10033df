import type { DraftItem } from "../summary.ts";
import { type Sentence, speaker } from "./text.ts";

const weekday = "monday|tuesday|wednesday|thursday|friday|saturday|sunday";

/** Phrases by which someone on the call commits to (or is asked for) something after it. */
const commitment = new RegExp(
  [
    String.raw`\b(?:i|we) will\b`,
    String.raw`\b(?:i|we)'ll\b`,
    String.raw`\b(?:i am|i'm|we are|we're) going to\b`,
    String.raw`\blet me\b`,
    String.raw`\bplease (?:send|email|call|submit|upload|fill|forward|reply|confirm|check|bring|sign|return)\b`,
    String.raw`\bfollow(?:ing)?[ -]?up\b`,
    String.raw`\bget back to you\b`,
    String.raw`\bby (?:${weekday}|tomorrow|tonight|end of (?:the )?(?:day|week|month)|eod|next (?:week|month|${weekday}))\b`,
  ].join("|"),
  "i",
);

/** Phrases that look like commitments but are conversation filler. */
const filler =
  /\blet me (?:know|see|think|just|ask|repeat|understand|check that i)\b|\b(?:i|we)'ll be (?:honest|brief|quick)\b|\bi will say\b/gi;

/** Whether a sentence commits someone to an action (questions do not, unless they ask politely). */
export function isCommitment(text: string): boolean {
  const t = text.replace(/[’‘]/g, "'");
  if (/\?\s*$/.test(t) && !/\bplease\b/i.test(t)) return false;
  return commitment.test(t.replace(filler, " "));
}

/** Action items: the sentences with commitment phrases, attributed to their speaker and citing their turn. */
export function actionItemsOf(sentences: readonly Sentence[], max: number): DraftItem[] {
  const seen = new Set<string>();
  const items: DraftItem[] = [];
  for (const s of sentences) {
    if (items.length >= max) break;
    if (!isCommitment(s.text)) continue;
    const text = `${speaker[s.role]}: ${s.text}`;
    if (seen.has(text.toLowerCase())) continue;
    seen.add(text.toLowerCase());
    items.push({ text, turns: [s.turn] });
  }
  return items;
}
