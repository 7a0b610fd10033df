import type { JsonSchema } from "./json-schema.ts";

/**
 * OpenAI's Chat Completions wire format (external-apis.md §6), as far as the fake reads and writes it.
 */

/** A message of the request: `content` is a string or an array of text parts. */
export interface WireMessage {
  role: "system" | "developer" | "user" | "assistant" | "tool";
  content: string | { type: string; text?: string }[] | null;
}

/** The request body of `POST /v1/chat/completions`. */
export interface ChatCompletionBody {
  model: string;
  messages: WireMessage[];
  response_format?: {
    type: string;
    json_schema?: { name: string; strict?: boolean | null; schema?: JsonSchema; description?: string };
  };
  max_completion_tokens?: number | null;
  max_tokens?: number | null;
  [other: string]: unknown;
}

/** A request as the fake saw it: for assertions on prompts, model and token limits. */
export interface ChatRequest {
  /** The `x-request-id` the fake answered with. */
  requestId: string;
  body: ChatCompletionBody;
  model: string;
  /** The system (and developer) messages' text, joined by blank lines. */
  system: string;
  /** The user messages' text, joined by blank lines. */
  user: string;
  schemaName: string;
  schema: JsonSchema;
  maxCompletionTokens: number | null;
}

/** The text of a message, whichever content shape it used. */
export function messageText(m: WireMessage): string {
  if (typeof m.content === "string") return m.content;
  if (Array.isArray(m.content)) return m.content.map((p) => p.text ?? "").join("");
  return "";
}

/** The `error` body every OpenAI failure carries (the SDK's `APIError.generate` reads it). */
export function errorBody(
  message: string,
  type: string,
  code: string | null = null,
  param: string | null = null,
) {
  return { error: { message, type, param, code } };
}

/** Why a completion stopped (the values the fake produces). */
export type FinishReason = "stop" | "length" | "content_filter";

/** A `chat.completion` object, shaped like the recorded one in external-apis.md §6. */
export function completionBody(opts: {
  id: string;
  model: string;
  content: string | null;
  refusal: string | null;
  finishReason: FinishReason;
  promptTokens: number;
  completionTokens: number;
}) {
  return {
    id: opts.id,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: opts.model,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: opts.content, refusal: opts.refusal, annotations: [] },
        logprobs: null,
        finish_reason: opts.finishReason,
      },
    ],
    usage: {
      prompt_tokens: opts.promptTokens,
      completion_tokens: opts.completionTokens,
      total_tokens: opts.promptTokens + opts.completionTokens,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
    },
    service_tier: "default",
    system_fingerprint: "fp_fake0penai",
  };
}

/** OpenAI's rough token count: about four characters a token. */
export function approxTokens(chars: number): number {
  return Math.max(1, Math.ceil(chars / 4));
}
