import { z } from "zod";

/**
 * What Postprocess reads of an ElevenLabs conversation: the answer of `GET /v1/convai/conversations/{id}`
 * (the extractor) and the `data` of a `post_call_transcription` webhook, which has the same structure
 * (the gateway) — shared/docs/external-apis.md §1 and §4. Tolerant by design: unknown fields are dropped, `tool_calls`/`tool_results` may be null, missing or [],
 * `message` may be null, and only the fields the transcript needs are required. Strict where a wrong
 * guess would corrupt the job: the status (polling depends on it) and the speaker roles.
 */

/** Anything the API encodes "as a JSON string" that a future version might send as an object. */
const jsonish = z.unknown().transform((v) => (v === undefined || v === null ? null : v));

const toolCall = z.object({
  tool_name: z.string(),
  params_as_json: jsonish,
});

const toolResult = z.object({
  tool_name: z.string(),
  result_value: jsonish,
  is_error: z.boolean().nullish(),
});

/** One transcript entry: speech, or tool calls/results (`message` null). */
export const transcriptItemSchema = z.object({
  role: z.enum(["user", "agent"]),
  message: z.string().nullish(),
  tool_calls: z.array(toolCall).nullish(),
  tool_results: z.array(toolResult).nullish(),
  time_in_call_secs: z.number(),
  interrupted: z.boolean().nullish(),
});

/** Conversation statuses; all but `done` and `failed` mean "still running, ask again later". */
export const conversationStatuses = ["initiated", "in-progress", "processing", "done", "failed"] as const;

export const conversationSchema = z.object({
  agent_id: z.string().nullish(),
  conversation_id: z.string(),
  status: z.enum(conversationStatuses),
  transcript: z.array(transcriptItemSchema),
  metadata: z.object({
    start_time_unix_secs: z.number().nullish(),
    call_duration_secs: z.number().nullish(),
  }),
  has_audio: z.boolean().default(false),
});

export type ElevenLabsConversation = z.infer<typeof conversationSchema>;
export type ElevenLabsTranscriptItem = ElevenLabsConversation["transcript"][number];
