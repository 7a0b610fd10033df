import { NonRetriableError, RetriableError, RetryAfterError, retryAfterMs } from "@postprocess/kafka";
import { StepError } from "@postprocess/worker";
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  ContentFilterFinishReasonError,
  LengthFinishReasonError,
} from "openai/core/error";
import { z } from "zod";

/** The model's answer was not the JSON we asked for (not JSON, or not our schema). */
export class InvalidAnswerError extends Error {
  override name = "InvalidAnswerError";
}

/** Whether `err` says the answer's content was unusable (worth asking once more). */
export function isInvalidAnswer(err: unknown): boolean {
  return (
    err instanceof InvalidAnswerError ||
    err instanceof SyntaxError ||
    err instanceof z.core.$ZodError ||
    // The SDK parses with its own import of zod; compare by name too in case that is another copy.
    (err instanceof Error && err.name === "ZodError")
  );
}

/**
 * How long a 429/503 asks us to wait: OpenAI's own `retry-after-ms` (fractional ms, rounded up), else the
 * standard `retry-after`; undefined when it named no wait.
 */
export function openAIRetryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  const ms = headers?.get("retry-after-ms")?.trim();
  if (ms && /^\d+(\.\d+)?$/.test(ms)) return Math.ceil(Number(ms));
  return retryAfterMs(headers?.get("retry-after"), now);
}

/**
 * The boundary between the OpenAI SDK and our taxonomy (the client runs with `maxRetries: 0`; the Kafka
 * runtime owns retries):
 *
 * - 429 → `RetryAfterError` with the wait the API asked for (or `RetriableError` when it named none);
 * - 408/409/5xx, timeouts, connection failures → `RetriableError` (the step's exhausted code is
 *   `LLM_UNAVAILABLE`);
 * - a refusal or the content filter → `SUMMARY_REFUSED`; the token limit hit → `SUMMARY_INVALID`;
 * - 401/403/404 and other 4xx (a bad key, an unknown model, a request the API refuses) → `LLM_UNAVAILABLE`
 *   at once: retrying the same request cannot succeed.
 *
 * Messages carry status, OpenAI's error code and request id — never the transcript.
 */
export function mapOpenAIError(err: unknown, ctx: { timeoutMs: number; maxTokens: number }): Error {
  if (err instanceof NonRetriableError || err instanceof RetriableError) return err;
  if (err instanceof LengthFinishReasonError)
    return new StepError(
      "SUMMARY_INVALID",
      `the summary did not fit in the account's openai_max_tokens (${ctx.maxTokens}); raise it`,
      { cause: err },
    );
  if (err instanceof ContentFilterFinishReasonError)
    return new StepError("SUMMARY_REFUSED", "OpenAI's content filter stopped the summary", { cause: err });
  if (err instanceof APIUserAbortError)
    return new RetriableError("the OpenAI request was aborted (worker shutting down)", { cause: err });
  if (err instanceof APIConnectionTimeoutError)
    return new RetriableError(`OpenAI did not answer within ${ctx.timeoutMs} ms`, { cause: err });
  if (err instanceof APIConnectionError)
    return new RetriableError(
      `could not reach OpenAI (${err.cause instanceof Error ? err.cause.message : "connection error"})`,
      {
        cause: err,
      },
    );
  if (err instanceof APIError) {
    const what = `OpenAI answered ${err.status}${err.code ? ` ${err.code}` : ""}${err.requestID ? ` (request ${err.requestID})` : ""}`;
    const status = err.status ?? 0;
    if (status === 429 || status === 503) {
      const wait = openAIRetryAfterMs(err.headers);
      return wait === undefined
        ? new RetriableError(what, { cause: err })
        : new RetryAfterError(wait, `${what}; retry after ${wait} ms`, { cause: err });
    }
    if (status === 408 || status === 409 || status >= 500) return new RetriableError(what, { cause: err });
    const hint =
      status === 401 || status === 403
        ? "check OPENAI_API_KEY"
        : status === 404
          ? "check the account's openai_model"
          : err.code === "context_length_exceeded"
            ? "lower SUMMARIZER_CONTEXT_TOKENS to the model's context window"
            : "the request was refused";
    return new StepError("LLM_UNAVAILABLE", `${what}: ${hint}`, { cause: err });
  }
  if (isInvalidAnswer(err))
    return new StepError("SUMMARY_INVALID", "the model's answer did not match the summary schema, twice", {
      cause: err,
    });
  return err instanceof Error ? err : new Error(String(err));
}
