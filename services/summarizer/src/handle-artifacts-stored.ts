import type { EventOf } from "@postprocess/contracts";
import type { HandlerContext } from "@postprocess/kafka";
import { readTranscript, runStep, type StepDeps, StepError } from "@postprocess/worker";
import type * as Minio from "minio";
import type { Summarizer, Warning } from "./summarizer.ts";
import { groundSummary } from "./summary.ts";
import { writeSummary } from "./summary-object.ts";

/** What the summarize step runs on: the step's deps, S3, and the summarizer (OpenAI or local). */
export interface SummarizerDeps extends StepDeps {
  s3: Minio.Client;
  s3Region: string;
  /** The bucket of accounts that name none. */
  defaultBucket: string;
  summarizer: Summarizer;
}

/**
 * The `summarize` step: reads the transcript storage wrote (by its reference in artifacts-stored), has it
 * summarised, keeps only key points and action items grounded in real turns, writes `summary.json` and
 * hands summary-generated on with the transcript reference and every warning so far.
 */
export function createSummarizerHandler(
  deps: SummarizerDeps,
): (event: EventOf<"artifactsStored">, ctx: HandlerContext) => Promise<void> {
  return (event, ctx) =>
    runStep({
      step: "summarize",
      input: event,
      ctx,
      deps,
      exhaustedCode: "LLM_UNAVAILABLE",
      async work(w) {
        if (!event.transcript)
          throw new StepError(
            "INPUT_INVALID",
            "artifacts-stored carries no transcript reference to summarise",
          );
        const transcript = await readTranscript(deps.s3, event.transcript, ctx.lastAttempt);
        const result = await deps.summarizer.summarize({
          transcript,
          settings: w.settings,
          signal: w.signal,
          checkCancelled: () => w.checkCancelled(),
          log: ctx.log,
        });
        const { summary, dropped } = groundSummary(result.draft, transcript);
        const warnings: Warning[] = [...result.warnings];
        const ungrounded = dropped + result.dropped;
        if (ungrounded > 0)
          warnings.push({
            code: "UNGROUNDED_ITEMS_DROPPED",
            message: `${ungrounded} key point(s) or action item(s) cited transcript turns that do not exist and were dropped`,
          });
        await w.checkCancelled();

        const envelope = w.envelope("summaryGenerated");
        const summaryFile = await writeSummary(deps.s3, {
          bucket: w.settings.bucketName ?? deps.defaultBucket,
          region: deps.s3Region,
          envelope,
          content: { ...summary, model: result.model },
          lastAttempt: ctx.lastAttempt,
        });
        ctx.log.info(
          {
            model: result.model,
            promptTokens: result.usage?.prompt_tokens ?? null,
            completionTokens: result.usage?.completion_tokens ?? null,
            keyPoints: summary.key_points.length,
            actionItems: summary.action_items.length,
            warnings: warnings.map((x) => x.code),
          },
          "summary generated",
        );
        return {
          emit: [
            {
              topic: "summaryGenerated",
              context: ctx,
              event: {
                ...envelope,
                ...summary,
                model: result.model,
                prompt_tokens: result.usage?.prompt_tokens ?? null,
                completion_tokens: result.usage?.completion_tokens ?? null,
                transcript: event.transcript,
                summary_file: summaryFile,
                warnings: [...event.warnings, ...warnings],
                settings: w.snapshot,
              },
            },
          ],
          warning: warnings[0],
        };
      },
    });
}
