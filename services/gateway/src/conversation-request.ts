import type { EventOf } from "@postprocess/contracts";
import type { SettingsRow } from "@postprocess/worker";
import { z } from "zod";

const turn = z.strictObject({
  role: z.enum(["agent", "user"]),
  message: z.string().max(20_000),
  time_in_call_secs: z.number().finite().min(0),
});

const elevenlabsSource = z.strictObject({
  kind: z.literal("elevenlabs"),
  agent_id: z.string().min(1).max(255).optional(),
});

const inlineSource = z.strictObject({
  kind: z.literal("inline"),
  transcript: z.array(turn).min(1).max(5000),
  audio_url: z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .optional(),
  agent_id: z.string().min(1).max(255).optional(),
});

/**
 * The body of `POST /api/v1/postprocess/conversation`. Strict at every level: an unknown field is an
 * error (422), not something silently dropped that the client believes was honoured.
 */
export const conversationRequest = z.strictObject({
  // The characters ElevenLabs ids and typical platform ids use; no `/`, so `account/conversation` is unambiguous.
  conversation_id: z
    .string()
    .min(1)
    .max(255)
    .regex(/^[A-Za-z0-9_.:-]+$/, "only letters, digits and _ . : - are allowed"),
  email_id: z.email().max(255),
  source: z.discriminatedUnion("kind", [elevenlabsSource, inlineSource]),
  labels: z
    .record(z.string().min(1).max(200), z.string().max(200))
    .refine((labels) => Object.keys(labels).length <= 20, "at most 20 labels")
    .optional(),
});

/** A validated submission. */
export type ConversationRequest = z.output<typeof conversationRequest>;

/** A turn as `conversation.ended` carries it: speech, or a tool call or result (`role: "tool"`, `tool_name`). */
export type EventTurn = EventOf<"conversationEnded">["source"]["transcript"][number];

/**
 * What a job is started from: a validated API request, or one the gateway builds itself (the ElevenLabs
 * webhook), whose inline transcript may hold the tool turns the public API does not take.
 */
export type JobRequest = Omit<ConversationRequest, "source"> & {
  source:
    | ConversationRequest["source"]
    | { kind: "inline"; transcript: EventTurn[]; audio_url?: string; agent_id?: string };
};

/** The `conversation.ended` event a submission becomes, with the account's settings of the moment. */
export function toConversationEnded(
  request: JobRequest,
  ids: { eventId: string; processingId: string; accountId: string; occurredAt: Date },
  settings: SettingsRow,
): EventOf<"conversationEnded"> {
  const { source } = request;
  return {
    event_id: ids.eventId,
    occurred_at: ids.occurredAt.toISOString(),
    account_id: ids.accountId,
    conversation_id: request.conversation_id,
    processing_id: ids.processingId,
    email_id: request.email_id,
    source: {
      kind: source.kind,
      agent_id: source.agent_id ?? null,
      transcript: source.kind === "inline" ? source.transcript.map(eventTurn) : [],
      audio_url: source.kind === "inline" ? (source.audio_url ?? null) : null,
    },
    labels: request.labels ?? {},
    settings,
  };
}

/** An API turn (speech only) or an event turn as the event carries it. */
function eventTurn(t: EventTurn | Omit<EventTurn, "tool_name">): EventTurn {
  return { ...t, tool_name: "tool_name" in t ? t.tool_name : null };
}
