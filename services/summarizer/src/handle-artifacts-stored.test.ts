import { createHash } from "node:crypto";
import { RetriableError, RetryAfterError } from "@postprocess/kafka";
import { test } from "@postprocess/testkit";
import { hallucinatedTurn, startFakeOpenAI } from "@postprocess/testkit/fakes/openai";
import { objectKey } from "@postprocess/worker";
import { afterAll, beforeEach, describe, expect } from "vitest";
import { refundCall } from "./fixtures.ts";
import { createLocalSummarizer, localModel } from "./local/local-summarizer.ts";
import { createOpenAIClient, createOpenAISummarizer } from "./openai/openai-summarizer.ts";
import { artifactsStored, handlerHarness, putTranscript, readObject } from "./testing.ts";

const apiKey = "sk-test-summarizer";
const fake = await startFakeOpenAI({ apiKey });
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const openai = (timeoutMs = 5000) =>
  createOpenAISummarizer({
    client: createOpenAIClient({ apiKey, baseURL: fake.url, timeoutMs }),
    contextTokens: 100_000,
    timeoutMs,
  });
const settings = {
  openaiModel: "gpt-4.1-mini",
  openaiMaxTokens: 700,
  customSystemPrompt: "Focus on billing details.",
};

describe("summarize with OpenAI (against the fake)", () => {
  test("asks for strict Structured Outputs with the account's model, limit and prompt; records usage; writes summary.json", async ({
    s3,
    bucket,
  }) => {
    const ref = await putTranscript(s3, bucket, refundCall, "acc_test/conv_test/x/transcript.json");
    const h = handlerHarness({ s3, bucket, summarizer: openai(), settings });
    const input = artifactsStored(ref);
    await h.run(input);

    expect(h.statuses()).toEqual(["started", "completed"]);
    const [req] = fake.requests();
    expect(fake.requests()).toHaveLength(1);
    expect(req!.body.response_format).toMatchObject({
      type: "json_schema",
      json_schema: { name: "call_summary", strict: true },
    });
    expect(req!.model).toBe("gpt-4.1-mini");
    expect(req!.maxCompletionTokens).toBe(700);
    expect(req!.body.messages.map((m) => m.role)).toEqual(["system", "user"]);
    // The account's prompt is appended as fenced guidance, after our fixed instructions.
    expect(req!.system).toMatch(/^You summarise a phone call/);
    expect(req!.system).toMatch(/<<<ACCOUNT_GUIDANCE\nFocus on billing details\.\nACCOUNT_GUIDANCE>>>$/);
    // The transcript is only in the user message, as data lines with their indexes.
    expect(req!.system).not.toContain("annual plan");
    expect(req!.user).toContain(
      '{"i":1,"role":"user","t":10,"text":"Hi. I\'d like a refund for my annual plan',
    );

    const out = h.output()!;
    const usage = { prompt_tokens: out.prompt_tokens, completion_tokens: out.completion_tokens };
    expect(usage.prompt_tokens).toBeGreaterThan(100);
    expect(usage.completion_tokens).toBeGreaterThan(10);
    expect(out).toMatchObject({
      processing_id: input.processing_id,
      model: "gpt-4.1-mini",
      sentiment: "neutral",
      transcript: ref,
      warnings: input.warnings,
    });
    expect(out.key_points.length).toBeGreaterThan(0);
    for (const item of [...out.key_points, ...out.action_items])
      expect(item.at_secs).toBe(refundCall.turns[item.turns[0]!]!.time_in_call_secs);

    const file = out.summary_file!;
    expect(file).toMatchObject({
      file_type: "summary",
      file_name: "summary.json",
      bucket,
      key: objectKey(input, "summary.json"),
      content_type: "application/json",
    });
    const body = await readObject(s3, bucket, file.key);
    expect([body.length, createHash("sha256").update(body).digest("hex")]).toEqual([file.size, file.sha256]);
    expect(JSON.parse(body.toString())).toEqual({
      summary: out.summary,
      topic: out.topic,
      sentiment: out.sentiment,
      key_points: out.key_points,
      action_items: out.action_items,
      model: "gpt-4.1-mini",
    });
    expect(file.url).toContain("X-Amz-Expires=86400");
  });

  test("a 429 is retried after the wait it asks for, then succeeds", async ({ s3, bucket }) => {
    const ref = await putTranscript(s3, bucket, refundCall, "a/b/c/transcript.json");
    const h = handlerHarness({ s3, bucket, summarizer: openai(), settings });
    const input = artifactsStored(ref);
    fake.failNext("rate_limit", 1, { retryAfterMs: 1500 });
    const first = await h.run(input).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(RetryAfterError);
    expect((first as RetryAfterError).ms).toBe(1500);
    expect(h.steps().at(-1)).toMatchObject({ status: "retried", error: { code: "LLM_UNAVAILABLE" } });
    expect(h.steps().at(-1)!.error!.message).toMatch(
      /^OpenAI answered 429 rate_limit_exceeded \(request req_\w+\); retry after 1500 ms$/,
    );

    await h.run(input, { attempt: 2, lastAttempt: false });
    expect(h.statuses()).toEqual(["started", "retried", "started", "completed"]);
    expect(h.output()).toBeDefined();
    expect(fake.requests().map((r) => r.status)).toEqual([429, 200]);
  });

  test("5xx and timeouts are retriable; on the last attempt the job fails with LLM_UNAVAILABLE", async ({
    s3,
    bucket,
  }) => {
    const ref = await putTranscript(s3, bucket, refundCall, "a/b/c/transcript.json");
    const h = handlerHarness({ s3, bucket, summarizer: openai(300), settings });
    const input = artifactsStored(ref);
    fake.failNext("server_error");
    await expect(h.run(input)).rejects.toBeInstanceOf(RetriableError);
    fake.failNext("hang");
    const timedOut = await h.run(input, { attempt: 2, lastAttempt: false }).catch((e: unknown) => e);
    expect((timedOut as Error).message).toBe("OpenAI did not answer within 300 ms");
    fake.failNext("server_error");
    await h.run(input, { attempt: 3, lastAttempt: true });
    expect(h.statuses()).toEqual(["started", "retried", "started", "retried", "started", "failed"]);
    expect(h.steps().at(-1)!.error).toMatchObject({ code: "LLM_UNAVAILABLE" });
    expect(h.steps().at(-1)!.error!.message).toMatch(/^OpenAI answered 500/);
    expect(h.output()).toBeUndefined();
  });

  test("a refusal fails the job with SUMMARY_REFUSED at once", async ({ s3, bucket }) => {
    const ref = await putTranscript(s3, bucket, refundCall, "a/b/c/transcript.json");
    const h = handlerHarness({ s3, bucket, summarizer: openai(), settings });
    fake.failNext("refusal");
    await h.run(artifactsStored(ref));
    expect(h.statuses()).toEqual(["started", "failed"]);
    expect(h.steps()[1]!.error).toEqual({
      code: "SUMMARY_REFUSED",
      message: "the model refused to summarise the transcript",
    });
  });

  test("invalid JSON is asked for once more; twice, or a cut-off answer, fails with SUMMARY_INVALID", async ({
    s3,
    bucket,
  }) => {
    const ref = await putTranscript(s3, bucket, refundCall, "a/b/c/transcript.json");
    const once = handlerHarness({ s3, bucket, summarizer: openai(), settings });
    fake.failNext("invalid_json");
    await once.run(artifactsStored(ref));
    expect(once.statuses()).toEqual(["started", "completed"]);
    expect(fake.requests().map((r) => r.fault)).toEqual(["invalid_json", null]);

    const twice = handlerHarness({ s3, bucket, summarizer: openai(), settings });
    fake.failNext("invalid_json", 2);
    await twice.run(artifactsStored(ref));
    expect(twice.steps()[1]!.error!.code).toBe("SUMMARY_INVALID");

    const cut = handlerHarness({ s3, bucket, summarizer: openai(), settings });
    fake.failNext("length");
    await cut.run(artifactsStored(ref));
    expect(cut.steps()[1]!.error).toEqual({
      code: "SUMMARY_INVALID",
      message: "the summary did not fit in the account's openai_max_tokens (700); raise it",
    });
  });

  test("items citing turns that do not exist are dropped, with a warning that counts them", async ({
    s3,
    bucket,
  }) => {
    const ref = await putTranscript(s3, bucket, refundCall, "a/b/c/transcript.json");
    const h = handlerHarness({ s3, bucket, summarizer: openai(), settings });
    fake.failNext("bad_turns");
    const input = artifactsStored(ref);
    await h.run(input);
    const out = h.output()!;
    const cited = [...out.key_points, ...out.action_items].flatMap((i) => i.turns);
    expect(cited).not.toContain(hallucinatedTurn);
    expect(out.key_points.length).toBeGreaterThan(0);
    const warning = {
      code: "UNGROUNDED_ITEMS_DROPPED",
      message: "2 key point(s) or action item(s) cited transcript turns that do not exist and were dropped",
    };
    expect(out.warnings).toEqual([...input.warnings, warning]);
    expect(h.steps().at(-1)).toMatchObject({ status: "completed", warning });
  });
});

describe("summarize without a key (local)", () => {
  test("summarises locally with the local model name and no token usage", async ({ s3, bucket }) => {
    const ref = await putTranscript(s3, bucket, refundCall, "a/b/c/transcript.json");
    const h = handlerHarness({ s3, bucket, summarizer: createLocalSummarizer() });
    await h.run(artifactsStored(ref));
    expect(h.output()).toMatchObject({
      model: localModel,
      topic: "Refund for my annual plan",
      prompt_tokens: null,
      completion_tokens: null,
    });
    expect(fake.requests()).toEqual([]);
  });

  test("an event without a transcript reference, or a transcript that changed, fails with INPUT_INVALID", async ({
    s3,
    bucket,
  }) => {
    const h = handlerHarness({ s3, bucket, summarizer: createLocalSummarizer() });
    await h.run(artifactsStored(null));
    expect(h.steps()[1]!.error).toEqual({
      code: "INPUT_INVALID",
      message: "artifacts-stored carries no transcript reference to summarise",
    });
    const ref = await putTranscript(s3, bucket, refundCall, "a/b/c/transcript.json");
    const tampered = handlerHarness({ s3, bucket, summarizer: createLocalSummarizer() });
    await tampered.run(artifactsStored({ ...ref, sha256: "0".repeat(64) }));
    expect(tampered.steps()[1]!.error!.code).toBe("INPUT_INVALID");
    const gone = handlerHarness({ s3, bucket, summarizer: createLocalSummarizer() });
    await gone.run(artifactsStored({ ...ref, key: "a/b/c/missing.json" }));
    expect(gone.steps()[1]!.error).toMatchObject({
      code: "INPUT_INVALID",
      message: expect.stringContaining("does not exist"),
    });
  });
});
