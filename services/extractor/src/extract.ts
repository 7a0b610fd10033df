import type { EventOf } from "@postprocess/contracts";
import {
  normalizeElevenLabsTranscript,
  normalizeInlineTranscript,
  StepError,
  type Turn,
} from "@postprocess/worker";
import { type AwaitOptions, awaitFinishedConversation } from "./await-conversation.ts";
import type { ElevenLabsClient } from "./elevenlabs-client.ts";

/** Set by the step around extraction: the ids, and the settings snapshot carried on. */
type Envelope = "event_id" | "occurred_at" | "processing_id" | "conversation_id" | "account_id" | "settings";
/** `transcriptExtracted` without its envelope: what extraction produces. */
export type Extracted = Omit<EventOf<"transcriptExtracted">, Envelope>;
type Warning = Extracted["warnings"][number];

/**
 * An ElevenLabs conversation, once finished, as the pipeline carries it on: the normalised turns, the
 * call's facts, and a reference to the recording (never its bytes) or a NO_AUDIO warning.
 */
export async function extractFromElevenLabs(
  client: ElevenLabsClient,
  event: EventOf<"conversationEnded">,
  wait: AwaitOptions,
): Promise<Extracted> {
  const id = event.conversation_id;
  const c = await awaitFinishedConversation(client, id, wait);
  const start = c.metadata.start_time_unix_secs;
  return {
    agent_id: c.agent_id ?? event.source.agent_id,
    started_at: typeof start === "number" ? new Date(start * 1000).toISOString() : null,
    duration_secs: c.metadata.call_duration_secs ?? null,
    turns: nonEmpty(normalizeElevenLabsTranscript(c.transcript), id),
    audio_url: c.has_audio ? client.audioUrl(id) : null,
    warnings: c.has_audio ? [] : [noAudio("ElevenLabs has no recording of this conversation")],
  };
}

/** A transcript that came in the event (platforms other than ElevenLabs); the audio URL passes on as is. */
export function extractInline(event: EventOf<"conversationEnded">): Extracted {
  const { source } = event;
  return {
    agent_id: source.agent_id,
    started_at: null,
    duration_secs: null,
    turns: nonEmpty(normalizeInlineTranscript(source.transcript), event.conversation_id),
    audio_url: source.audio_url,
    warnings: source.audio_url ? [] : [noAudio("the conversation was submitted without an audio URL")],
  };
}

function noAudio(message: string): Warning {
  return { code: "NO_AUDIO", message };
}

// A conversation with nothing said and no tool activity has nothing to store, summarise or report.
function nonEmpty(turns: Turn[], conversationId: string): Turn[] {
  if (turns.length === 0)
    throw new StepError("INPUT_INVALID", `conversation ${conversationId} has no transcript turns to process`);
  return turns;
}
