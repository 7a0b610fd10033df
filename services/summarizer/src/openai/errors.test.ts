import { RetriableError, RetryAfterError } from "@postprocess/kafka";
import { StepError } from "@postprocess/worker";
import {
  APIConnectionError,
  APIError,
  ContentFilterFinishReasonError,
  LengthFinishReasonError,
} from "openai/core/error";
import { describe, expect, it } from "vitest";
import { mapOpenAIError, openAIRetryAfterMs } from "./errors.ts";

const ctx = { timeoutMs: 1000, maxTokens: 500 };
const apiError = (status: number, headers: Record<string, string> = {}, code?: string) =>
  APIError.generate(status, { error: { message: "m", type: "t", code } }, "m", new Headers(headers));

describe("openAIRetryAfterMs", () => {
  it("reads retry-after-ms first, then retry-after in seconds or as an HTTP date", () => {
    const now = Date.parse("2026-11-26T12:00:00Z");
    expect(openAIRetryAfterMs(new Headers({ "retry-after-ms": "1500.2", "retry-after": "9" }))).toBe(1501);
    expect(openAIRetryAfterMs(new Headers({ "retry-after-ms": "soon", "retry-after": "2" }))).toBe(2000);
    expect(openAIRetryAfterMs(new Headers({ "retry-after": "Thu, 26 Nov 2026 12:00:03 GMT" }), now)).toBe(
      3000,
    );
    expect(openAIRetryAfterMs(new Headers({}))).toBeUndefined();
    expect(openAIRetryAfterMs(undefined)).toBeUndefined();
  });
});

describe("mapOpenAIError", () => {
  it("maps the SDK's errors onto retry-after, retriable and the step's closed codes", () => {
    const rate = mapOpenAIError(apiError(429, { "retry-after-ms": "800" }, "rate_limit_exceeded"), ctx);
    expect(rate).toBeInstanceOf(RetryAfterError);
    expect((rate as RetryAfterError).ms).toBe(800);
    expect(mapOpenAIError(apiError(429), ctx).constructor).toBe(RetriableError);
    expect(mapOpenAIError(apiError(502), ctx)).toBeInstanceOf(RetriableError);
    expect(mapOpenAIError(new APIConnectionError({ message: "x" }), ctx)).toBeInstanceOf(RetriableError);
    const code = (e: Error) => (e instanceof StepError ? e.code : e.name);
    expect(code(mapOpenAIError(apiError(401), ctx))).toBe("LLM_UNAVAILABLE");
    expect(mapOpenAIError(apiError(404), ctx).message).toContain("openai_model");
    expect(mapOpenAIError(apiError(400, {}, "context_length_exceeded"), ctx).message).toContain(
      "SUMMARIZER_CONTEXT_TOKENS",
    );
    expect(code(mapOpenAIError(new LengthFinishReasonError(), ctx))).toBe("SUMMARY_INVALID");
    expect(code(mapOpenAIError(new ContentFilterFinishReasonError(), ctx))).toBe("SUMMARY_REFUSED");
    expect(code(mapOpenAIError(new SyntaxError("bad json"), ctx))).toBe("SUMMARY_INVALID");
  });
});
