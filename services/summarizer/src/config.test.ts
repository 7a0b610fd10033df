import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";
import { createSummarizer } from "./create-summarizer.ts";

const base = {
  DATABASE_URL: "postgres://u:p@127.0.0.1:5432/db",
  KAFKA_BROKERS: "127.0.0.1:19092",
  SCHEMA_REGISTRY_URL: "http://127.0.0.1:18081/apis/ccompat/v7",
  S3_ENDPOINT: "http://127.0.0.1:19000",
  S3_ACCESS_KEY: "k",
  S3_SECRET_KEY: "s",
};

describe("loadConfig", () => {
  it("defaults to the local summarizer (an empty key counts as none) and a 100k-token context", () => {
    const c = loadConfig({ ...base, OPENAI_API_KEY: "" });
    expect(c.OPENAI_API_KEY).toBeUndefined();
    expect([c.SUMMARIZER_CONTEXT_TOKENS, c.OPENAI_TIMEOUT_MS, c.S3_BUCKET]).toEqual([
      100_000,
      120_000,
      "postprocess",
    ]);
    expect(createSummarizer(c).kind).toBe("local");
  });

  it("uses OpenAI with a key, at any compatible base URL", () => {
    const c = loadConfig({
      ...base,
      OPENAI_API_KEY: "sk-x",
      OPENAI_BASE_URL: "http://127.0.0.1:1/v1",
      SUMMARIZER_CONTEXT_TOKENS: "8000",
    });
    expect(c.SUMMARIZER_CONTEXT_TOKENS).toBe(8000);
    expect(createSummarizer(c).kind).toBe("openai");
  });

  it("lists every problem without echoing a secret", () => {
    const err = (() => {
      try {
        loadConfig({ ...base, OPENAI_API_KEY: "sk-secret", OPENAI_BASE_URL: "not a url", S3_ENDPOINT: "" });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).toMatch(/^invalid summarizer configuration: .*S3_ENDPOINT.*OPENAI_BASE_URL/);
    expect(err?.message).not.toContain("sk-secret");
  });
});
