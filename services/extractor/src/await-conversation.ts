import { setTimeout as sleep } from "node:timers/promises";
import { RetriableError } from "@postprocess/kafka";
import { type ElevenLabsConversation, StepError } from "@postprocess/worker";
import type { ElevenLabsClient } from "./elevenlabs-client.ts";

/** The conversation was still running when this attempt's wait ran out; a later attempt asks again. */
export class ConversationNotReadyError extends RetriableError {
  override name = "ConversationNotReadyError";
}

export interface AwaitOptions {
  /** Longest this call polls (0: one look only). */
  maxWaitMs: number;
  /** First pause between polls; doubles each time up to `pollMaxMs`. */
  pollBaseMs?: number;
  pollMaxMs?: number;
  signal?: AbortSignal;
  /** The account's ElevenLabs key (the client's deployment key when undefined). */
  apiKey?: string;
  /** Runs between polls: throws when the job was cancelled meanwhile. */
  checkCancelled?: () => Promise<void>;
}

/**
 * Fetches a conversation and, while ElevenLabs still reports it `initiated`, `in-progress` or `processing`
 * (the call or its post-call analysis is not over), asks again with exponential backoff, at most
 * `maxWaitMs` in all. `done` returns it; `failed` is a StepError; past the bound, ConversationNotReadyError.
 */
export async function awaitFinishedConversation(
  client: ElevenLabsClient,
  conversationId: string,
  opts: AwaitOptions,
): Promise<ElevenLabsConversation> {
  const base = opts.pollBaseMs ?? 500;
  const cap = opts.pollMaxMs ?? 8_000;
  const started = performance.now();
  for (let poll = 0; ; poll++) {
    const conversation = await client.getConversation(conversationId, {
      signal: opts.signal,
      apiKey: opts.apiKey,
    });
    if (conversation.status === "done") return conversation;
    if (conversation.status === "failed")
      throw new StepError(
        "ELEVENLABS_CONVERSATION_FAILED",
        `ElevenLabs reports conversation ${conversationId} as failed; it has no transcript to process`,
      );
    const pause = Math.min(cap, base * 2 ** poll);
    const waited = performance.now() - started;
    if (waited + pause > opts.maxWaitMs)
      throw new ConversationNotReadyError(
        `conversation ${conversationId} is still "${conversation.status}" at ElevenLabs after ${Math.round(waited)} ms`,
      );
    await sleep(pause, undefined, { signal: opts.signal });
    await opts.checkCancelled?.();
  }
}
