import type { EventOf } from "@postprocess/contracts";
import { isProcessingId, processingIdFromEvent } from "@postprocess/db";
import { type HandlerContext, NonRetriableError } from "@postprocess/kafka";
import { type ElevenLabsKeys, type Envelope, runStep, type StepDeps, StepError } from "@postprocess/worker";
import { ConversationNotReadyError } from "./await-conversation.ts";
import type { ElevenLabsClient } from "./elevenlabs-client.ts";
import { type Extracted, extractFromElevenLabs, extractInline } from "./extract.ts";

/** What the extractor's handler is built from (plain objects: real clients in main and in tests). */
export interface ExtractorDeps extends StepDeps {
  elevenlabs: ElevenLabsClient;
  /** The account's own ElevenLabs key, when it registered one (else the client's deployment key is used). */
  elevenlabsKeys?: ElevenLabsKeys;
  /** How long one attempt waits for a conversation still running at ElevenLabs. */
  maxWaitMs: number;
  /** First pause between polls of such a conversation (default 500 ms; tests use less). */
  pollBaseMs?: number;
}

/**
 * The `extract` step: a finished conversation (fetched from ElevenLabs, or inline in the event) becomes a
 * `transcriptExtracted` event. Failures follow the step taxonomy: a missing or failed conversation or a
 * refused key fails the job at once; rate limits, 5xx and timeouts are retried (exhausted:
 * UPSTREAM_UNAVAILABLE); a conversation still processing is retried, and fails as ELEVENLABS_NOT_READY
 * when the last attempt still finds it unfinished.
 */
export function createExtractorHandler(deps: ExtractorDeps) {
  return async (event: EventOf<"conversationEnded">, ctx: HandlerContext): Promise<void> => {
    const input = envelopeOf(event);
    await runStep({
      step: "extract",
      // With the snapshot the gateway took when it accepted the job: every later step runs with it too.
      input: { ...input, settings: event.settings },
      ctx,
      deps,
      exhaustedCode: "UPSTREAM_UNAVAILABLE",
      async work(w) {
        let extracted: Extracted;
        if (event.source.kind === "inline") extracted = extractInline(event);
        else {
          try {
            extracted = await extractFromElevenLabs(deps.elevenlabs, event, {
              apiKey: await deps.elevenlabsKeys?.forAccount(event.account_id),
              maxWaitMs: deps.maxWaitMs,
              pollBaseMs: deps.pollBaseMs,
              signal: w.signal,
              checkCancelled: w.checkCancelled,
            });
          } catch (err) {
            if (err instanceof ConversationNotReadyError && ctx.lastAttempt)
              throw new StepError("ELEVENLABS_NOT_READY", `${err.message}; giving up`, { cause: err });
            throw err;
          }
        }
        ctx.log.info(
          { step: "extract", turns: extracted.turns.length, hasAudio: extracted.audio_url !== null },
          "transcript extracted",
        );
        return {
          emit: [
            {
              topic: "transcriptExtracted",
              event: { ...w.envelope("transcriptExtracted"), ...extracted, settings: w.snapshot },
              context: ctx,
            },
          ],
          warning: extracted.warnings[0],
        };
      },
    });
  };
}

/**
 * The job's ids. A `conversation.ended` published by another system may carry no processing id: the
 * pipeline derives it from the event id exactly as the projector does, so both name the same job.
 */
export function envelopeOf(event: EventOf<"conversationEnded">): Envelope {
  const at = Date.parse(event.occurred_at);
  if (!event.processing_id && Number.isNaN(at))
    throw new NonRetriableError(`occurred_at "${event.occurred_at}" is not an ISO-8601 instant`);
  const processingId = event.processing_id ?? processingIdFromEvent(event.event_id, at);
  if (!isProcessingId(processingId))
    throw new NonRetriableError(`processing_id "${processingId}" is malformed`);
  return {
    processing_id: processingId,
    conversation_id: event.conversation_id,
    account_id: event.account_id,
  };
}
