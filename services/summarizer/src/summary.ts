import { sentiments } from "@postprocess/contracts";
import type { Transcript } from "@postprocess/worker";
import { z } from "zod";

/** Caps on what a summary may hold, whoever wrote it: a model cannot flood the report or the email. */
export const limits = {
  summaryChars: 2000,
  topicChars: 120,
  itemChars: 300,
  items: 10,
  turnsPerItem: 20,
} as const;

/** Control characters (keeping none: every field is rendered as one paragraph). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
const controlChars = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g;

/** One line of plain text: control and bidi-override characters gone, whitespace collapsed, capped. */
export function cleanText(s: string, max: number): string {
  const flat = s.replace(controlChars, " ").replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}

const text = (max: number) =>
  z
    .string()
    .transform((s) => cleanText(s, max))
    .pipe(z.string().min(1));

const item = z.object({
  text: text(limits.itemChars),
  turns: z
    .array(z.number().int())
    .transform((ts) => [...new Set(ts)].sort((a, b) => a - b).slice(0, limits.turnsPerItem)),
});

/**
 * What any summarizer's output must be before we use it (the model's answer is parsed against its own
 * schema first; this is our second line): strings trimmed and capped, sentiment in the closed enum,
 * lists capped, turn indexes whole numbers. Unknown keys are stripped, so nothing outside the summary
 * (a recipient, a URL field) survives even if a model made one up.
 */
export const summaryDraftSchema = z.object({
  summary: text(limits.summaryChars),
  topic: text(limits.topicChars),
  sentiment: z.enum(sentiments),
  key_points: z.array(item).transform((xs) => xs.slice(0, limits.items)),
  action_items: z.array(item).transform((xs) => xs.slice(0, limits.items)),
});

/** A summary as a summarizer proposes it: items cite turns, not yet checked against the transcript. */
export type SummaryDraft = z.output<typeof summaryDraftSchema>;
/** A key point or action item of a draft. */
export type DraftItem = SummaryDraft["key_points"][number];

/** A key point or action item checked against the transcript, with when in the call it happened. */
export interface GroundedItem {
  text: string;
  turns: number[];
  at_secs: number | null;
}

/** The summary we hand on: every item cites turns that exist. */
export interface Summary {
  summary: string;
  topic: string;
  sentiment: SummaryDraft["sentiment"];
  key_points: GroundedItem[];
  action_items: GroundedItem[];
}

/**
 * Keeps the items whose cited turns all exist in the transcript (an item citing none is ungrounded too)
 * and stamps each with the time of its first cited turn; `dropped` counts the rest.
 */
export function groundItems(
  items: readonly DraftItem[],
  transcript: Transcript,
): { items: GroundedItem[]; dropped: number } {
  const timeOf = new Map(transcript.turns.map((t) => [t.index, t.time_in_call_secs]));
  const kept: GroundedItem[] = [];
  for (const it of items) {
    if (it.turns.length === 0 || !it.turns.every((t) => timeOf.has(t))) continue;
    kept.push({ text: it.text, turns: it.turns, at_secs: timeOf.get(it.turns[0]!) ?? null });
  }
  return { items: kept, dropped: items.length - kept.length };
}

/** The draft with its items grounded in the transcript, and how many items were dropped for citing nothing real. */
export function groundSummary(
  draft: SummaryDraft,
  transcript: Transcript,
): { summary: Summary; dropped: number } {
  const kp = groundItems(draft.key_points, transcript);
  const ai = groundItems(draft.action_items, transcript);
  return {
    summary: {
      summary: draft.summary,
      topic: draft.topic,
      sentiment: draft.sentiment,
      key_points: kp.items,
      action_items: ai.items,
    },
    dropped: kp.dropped + ai.dropped,
  };
}
