import { transcriptItemSchema } from "@postprocess/worker";
import { z } from "zod";

/**
 * The three ElevenLabs post-call webhooks (shared/docs/external-apis.md §4), as the gateway reads them.
 * Tolerant like the rest of our ElevenLabs parsing: unknown fields are dropped (ElevenLabs adds fields),
 * `tool_calls`/`tool_results` may be null or [], and only what a job needs is required.
 */

/** The types the gateway acts on; any other verified type is acknowledged and ignored. */
export const webhookTypes = [
  "post_call_transcription",
  "post_call_audio",
  "call_initiation_failure",
] as const;

/** One of `webhookTypes`. */
export type WebhookType = (typeof webhookTypes)[number];

// As the gateway accepts conversation ids (and no `/`, which would blur account/conversation keys).
const conversationId = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_.:-]+$/, "only letters, digits and _ . : - are allowed");

// Unix seconds: a number in every example, "string" in one page of the documentation.
const eventTimestamp = z
  .union([z.number(), z.string().regex(/^\d+(\.\d+)?$/)])
  .transform((v) => new Date(Number(v) * 1000))
  .refine((d) => !Number.isNaN(d.getTime()), "not a unix timestamp")
  .nullish();

/** Any envelope: enough to dispatch on `type`. */
export const webhookEnvelope = z.object({
  type: z.string().min(1).max(100),
  data: z.record(z.string(), z.unknown()),
});

/** `post_call_transcription`: `data` is the conversation as `GET /v1/convai/conversations/{id}` returns it. */
export const transcriptionWebhook = z.object({
  type: z.literal("post_call_transcription"),
  event_timestamp: eventTimestamp,
  data: z.object({
    agent_id: z.string().max(255).nullish(),
    conversation_id: conversationId,
    status: z.string().max(50).nullish(),
    transcript: z.array(transcriptItemSchema).max(20_000),
    metadata: z
      .object({
        start_time_unix_secs: z.number().nullish(),
        call_duration_secs: z.number().nullish(),
      })
      .nullish(),
    // Added in August 2025; an older payload without it is treated as "has audio" (see the README).
    has_audio: z.boolean().nullish(),
  }),
});

/** `post_call_audio` once its `full_audio` was taken out of the body (it is `""` here; the bytes are in S3). */
export const audioWebhook = z.object({
  type: z.literal("post_call_audio"),
  event_timestamp: eventTimestamp,
  data: z.object({
    agent_id: z.string().max(255).nullish(),
    conversation_id: conversationId,
    full_audio: z.literal("", { error: "missing" }),
  }),
});

/** `call_initiation_failure`: the call never connected; nothing to process, only to record. */
export const initiationFailureWebhook = z.object({
  type: z.literal("call_initiation_failure"),
  event_timestamp: eventTimestamp,
  data: z.object({
    agent_id: z.string().max(255).nullish(),
    conversation_id: conversationId,
    // busy / no-answer / unknown today; kept free (up to the column's 50) so a new reason is still recorded.
    failure_reason: z.string().min(1).max(50),
    metadata: z.record(z.string(), z.unknown()).nullish(),
  }),
});

export type TranscriptionWebhook = z.output<typeof transcriptionWebhook>;
export type AudioWebhook = z.output<typeof audioWebhook>;
export type InitiationFailureWebhook = z.output<typeof initiationFailureWebhook>;

/** True when the gateway acts on webhooks of this type. */
export function isKnownType(type: string): type is WebhookType {
  return (webhookTypes as readonly string[]).includes(type);
}
