import { sentiments } from "@postprocess/contracts";
import { zodResponseFormat } from "openai/helpers/zod";
import { z } from "zod";

const groundedItem = z.object({
  text: z.string().describe("One short sentence."),
  turns: z
    .array(z.number().int())
    .describe(
      'Indexes ("i") of the transcript turns this item rests on; at least one, only indexes that appear.',
    ),
});

/**
 * The output contract we ask the model for (Structured Outputs, strict). It is fixed here: nothing in a
 * transcript or an account's prompt changes it. Every field is required (strict mode wants `.nullable()`,
 * never `.optional()`); caps and trimming happen after parsing (`summaryDraftSchema`), because a schema
 * the model must satisfy exactly should not fail a whole summary over one long sentence.
 */
export const callSummarySchema = z.object({
  summary: z.string().describe("2 to 4 factual sentences about the whole call."),
  topic: z.string().describe("A short label for what the call was about, at most 8 words."),
  sentiment: z.enum(sentiments).describe("The caller's overall sentiment."),
  key_points: z.array(groundedItem).describe("The most important facts and requests, at most 8."),
  action_items: z
    .array(groundedItem)
    .describe("Concrete follow-ups someone committed to or was asked to do, at most 8; empty if none."),
});

/** `response_format` of every request: `json_schema`, strict, named `call_summary`. */
export const callSummaryFormat = zodResponseFormat(callSummarySchema, "call_summary");
