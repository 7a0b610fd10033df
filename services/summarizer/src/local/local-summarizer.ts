import type { Transcript } from "@postprocess/worker";
import type { Summarizer } from "../summarizer.ts";
import { type SummaryDraft, summaryDraftSchema } from "../summary.ts";
import { actionItemsOf, isCommitment } from "./action-items.ts";
import { inCallOrder, rankSentences, termWeights } from "./salience.ts";
import { sentimentOf } from "./sentiment.ts";
import { type Sentence, sentencesOf, speaker } from "./text.ts";
import { firstRequest, topicOf } from "./topic.ts";

/** The model name summaries made without an LLM carry. */
export const localModel = "local-extractive-v1";

const said = (s: Sentence) => `${speaker[s.role]}: ${s.text}`;

/**
 * An extractive summary of the call, without any network: the caller's request and the sentences richest in
 * the call's frequent terms (2–3 in all, in call order), the request as topic, lexicon sentiment, the best statements of distinct
 * turns as key points and commitment phrases as action items — every item citing its turn. Deterministic.
 */
export function summarizeLocally(t: Transcript): SummaryDraft {
  const sentences = sentencesOf(t);
  if (sentences.length === 0) {
    return {
      summary: "The conversation has no spoken content.",
      topic: "No conversation",
      sentiment: "neutral",
      key_points: [],
      action_items: [],
    };
  }
  const weights = termWeights(sentences);
  // The caller's request first (what the call was for), then the call's most central sentences.
  const request = firstRequest(sentences)?.sentence;
  const ranked = [
    ...(request ? [request] : []),
    ...rankSentences(sentences, weights).filter((s) => s !== request),
  ];
  const picked = inCallOrder(ranked.slice(0, sentences.length >= 6 ? 3 : 2));
  const summary = (picked.length ? picked : sentences.slice(0, 2)).map(said).join(" ");

  const actionItems = actionItemsOf(sentences, 8);
  const usedTurns = new Set<number>();
  // The best statement of each of the five best turns, if it is not far behind the best one (commitments
  // are action items already).
  const keySentences = inCallOrder(
    rankSentences(sentences, weights, { accept: (s) => !isCommitment(s.text), minShare: 0.5 })
      .filter((s) => !usedTurns.has(s.turn) && usedTurns.add(s.turn))
      .slice(0, 5),
  );

  // Through the same schema as a model's answer: trimmed, capped, and checked.
  return summaryDraftSchema.parse({
    summary,
    topic: topicOf(sentences),
    sentiment: sentimentOf(sentences).sentiment,
    key_points: keySentences.map((s) => ({ text: said(s), turns: [s.turn] })),
    action_items: actionItems,
  });
}

/** The summarizer used without an OpenAI key. */
export function createLocalSummarizer(): Summarizer {
  return {
    async summarize({ transcript }) {
      return {
        draft: summarizeLocally(transcript),
        model: localModel,
        usage: null,
        dropped: 0,
        warnings: [],
      };
    },
  };
}
